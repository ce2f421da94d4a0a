"""Convening: the notice period, the frozen roll, invitations through the outbox, evidence,
late agenda items (§46(2)) and the chair's record that all members are present."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from governance.accounts.models import Role, User
from governance.assemblies import agenda, convening, services
from governance.assemblies.documents import ConveningEvidence
from governance.assemblies.models import Assembly, AssemblyState, RollEntry
from governance.assemblies.models_agenda import ItemKind
from governance.auditlog import AuditEvent
from governance.db import utcnow
from governance.errors import DomainError
from governance.mail import OutboxMessage
from governance.register.models import Member
from tests.assemblies.conftest import message

SETTINGS = convening.ConveningSettings(notice_days=14, agenda_notice_days=7, min_shares=1)


def render(member, link):
    name = member.display_name if member else "Mitglied"
    return convening.Notice("Einladung", f"Guten Tag {name}\nLink: {link or '-'}")


def link_for(user):
    return f"https://example.org/login/link/token-{user.id}"


def _convene(session, assembly, now=None):
    now = now or utcnow()
    return convening.convene(
        session,
        assembly=assembly,
        actor=None,
        now=now,
        today=now.date(),
        settings=SETTINGS,
        render=render,
        make_link=link_for,
    )


def _count(session, model):
    return session.execute(select(func.count()).select_from(model)).scalar_one()


def test_too_short_notice_is_refused_with_a_clear_message(session, make_member, make_assembly):
    make_member(email="a@example.org")
    draft = make_assembly(starts_at=utcnow() + timedelta(days=13, hours=23))
    assembly = session.get(Assembly, draft.id)
    with pytest.raises(DomainError) as err:
        _convene(session, assembly)
    text = message(err)
    assert "less than 14 days away" in text and "§46(1)" in text
    earliest = (utcnow() + timedelta(days=14)).date()
    assert f"{earliest:%b} {earliest.day}, {earliest.year}" in text  # the reader's date format
    session.rollback()
    assert session.get(Assembly, draft.id).state == AssemblyState.DRAFT
    assert _count(session, RollEntry) == 0 and _count(session, OutboxMessage) == 0


def test_an_agenda_is_needed(session, make_assembly):
    assembly = session.get(Assembly, make_assembly(items=()).id)
    with pytest.raises(DomainError) as err:
        _convene(session, assembly)
    assert "agenda" in message(err)


def test_convening_invites_every_member_with_email_and_keeps_evidence(
    session, make_member, make_assembly, make_user
):
    new = make_member(email="neu@example.org")
    has_login = make_member(email="login@example.org")
    by_post = make_member(email=None, street="Hauptstraße 1", postal_code="10115", city="Berlin")
    existing = make_user(email="login@example.org")
    assembly = session.get(Assembly, make_assembly().id)

    evidence = _convene(session, assembly)

    assert assembly.state == AssemblyState.CONVENED and assembly.roll_hash
    assert (evidence.recipient_count, evidence.letter_count) == (2, 1)
    letters = json.loads(evidence.letter_post)
    assert letters == [
        {
            "number": by_post.number,
            "name": by_post.display_name,
            "address": "Hauptstraße 1, 10115 Berlin",
        }
    ]
    assert "Guten Tag Mitglied" in evidence.text and "token" not in evidence.text
    mails = {m.to_addr: m for m in session.execute(select(OutboxMessage)).scalars()}
    assert set(mails) == {"neu@example.org", "login@example.org"}
    invited = mails["neu@example.org"]
    assert invited.sensitive and "/login/link/token-" in invited.body_text
    created = session.execute(select(User).where(User.email == "neu@example.org")).scalar_one()
    assert created.member_id == new.id and created.has_role("MEMBER")
    # An existing account is not linked by an address the board set: only its holder links it
    # (register/links.py); its notice carries no login link.
    assert "/login/link/" not in mails["login@example.org"].body_text
    assert session.get(User, existing.id).member_id is None and has_login.id
    items = agenda.agenda(session, assembly_id=assembly.id)
    assert all(e.item.announced_at and not e.item.announced_late for e in items)
    types = set(session.execute(select(AuditEvent.event_type)).scalars())
    assert {"assembly.roll_frozen", "assembly.convened"} <= types
    with pytest.raises(DomainError):
        _convene(session, assembly)


def test_record_date_after_convening_is_refused(session, make_assembly):
    assembly = session.get(Assembly, make_assembly(record_date=date.today() + timedelta(days=3)).id)
    with pytest.raises(DomainError) as err:
        _convene(session, assembly)
    assert "record date" in message(err)


def test_late_item_allows_no_resolution_unless_all_are_present(
    session, make_member, make_assembly, make_user
):
    a, b = make_member(email="a@example.org"), make_member()
    soon = make_assembly(
        state=AssemblyState.CONVENED,
        starts_at=utcnow() + timedelta(days=5),
        members=[a, b],
        chair=make_user(roles=[Role.BOARD]),  # an assembly in session has a chair
    )
    assembly = session.get(Assembly, soon.id)
    late = agenda.add_item(session, assembly=assembly, title="Nachtrag", kind=ItemKind.RESOLUTION)
    assert not services.resolution_possible(session, item_id=late.id)
    with pytest.raises(DomainError) as err:
        services.assert_resolution_possible(session, item_id=late.id)
    assert "not been announced" in message(err)

    notice = convening.announce_supplement(
        session,
        assembly=assembly,
        actor=None,
        now=utcnow(),
        settings=SETTINGS,
        render=render,
        make_link=link_for,
    )
    assert notice.recipient_count == 1 and late.announced_late
    with pytest.raises(DomainError) as err:
        services.assert_resolution_possible(session, item_id=late.id)
    assert "TOP 3 was announced less than the required notice" in message(err)
    assert services.resolution_possible(session, item_id=soon.items[1].id)

    assembly.state = AssemblyState.IN_SESSION
    now = utcnow()
    from governance.assemblies.attendance import check_in

    check_in(session, assembly=assembly, member=session.get(Member, a.id), actor=None, now=now)
    with pytest.raises(DomainError) as err:
        services.declare_all_present(session, assembly=assembly, actor=None, now=now)
    assert "Only 1 of the 2" in message(err)
    check_in(session, assembly=assembly, member=session.get(Member, b.id), actor=None, now=now)
    services.declare_all_present(session, assembly=assembly, actor=None, now=now)
    assert services.resolution_possible(session, item_id=late.id)


def test_supplement_in_time_is_resolvable(session, make_member, make_assembly):
    member = make_member(email="a@example.org")
    assembly = session.get(
        Assembly, make_assembly(state=AssemblyState.CONVENED, members=[member]).id
    )
    item = agenda.add_item(session, assembly=assembly, title="Antrag", kind=ItemKind.RESOLUTION)
    convening.announce_supplement(
        session,
        assembly=assembly,
        actor=None,
        now=utcnow(),
        settings=SETTINGS,
        render=render,
        make_link=link_for,
    )
    assert services.resolution_possible(session, item_id=item.id)
    kinds = [e.kind.value for e in convening.evidence_list(session, assembly_id=assembly.id)]
    assert kinds == ["SUPPLEMENT"]
    with pytest.raises(DomainError):
        convening.announce_supplement(
            session,
            assembly=assembly,
            actor=None,
            now=utcnow(),
            settings=SETTINGS,
            render=render,
            make_link=link_for,
        )
    assert _count(session, ConveningEvidence) == 1
