"""Proxies members give themselves (§43(5) GenG): granted on "My participation", accepted by
the holder, used to vote, revoked until a poll opens, refused as a third one, rejected by the
secretary; the database keeps one live grant per member and an accepted one tied to a mandate."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from governance.accounts.models import Role
from governance.assemblies import proxies
from governance.assemblies.grants import GrantState, ProxyGrant
from governance.assemblies.models import Assembly, AssemblyState
from governance.assemblies.models_mandates import Mandate
from governance.auditlog import AuditEvent
from governance.ballots.models import Participation
from governance.db import utcnow
from governance.errors import DomainError
from governance.mail import OutboxMessage
from governance.register.models import Member
from tests.assemblies.conftest import message
from tests.ballots.test_views import _open_poll, _vote


def _give(client, assembly_id, holder_number, *, only=True, confirm=True):
    data = {"holder": holder_number}
    if only:
        data["this_assembly_only"] = "y"
    if confirm:
        data["confirm"] = "y"
    r = client.post(f"/assemblies/{assembly_id}/me/proxy", data=data)
    assert r.status_code == 302, r.status_code
    return client.get(r.headers["Location"]).text


def _grant(world, principal: int) -> ProxyGrant:
    with world.session() as s:
        return (
            s.execute(
                select(ProxyGrant)
                .where(ProxyGrant.principal_id == world.member_ids[principal])
                .order_by(ProxyGrant.id.desc())
            )
            .scalars()
            .first()
        )


def _events(world, kind: str) -> int:
    with world.session() as s:
        return s.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.event_type == kind)
        )


def _number(world, i: int) -> str:
    with world.session() as s:
        return s.get(Member, world.member_ids[i]).number


def test_a_proxy_given_accepted_used_to_vote_and_locked_once_a_poll_opens(vote_world, login):
    world = vote_world(members=3)
    a, s = world.assembly_id, f"/assemblies/{world.assembly_id}"
    with world.session() as ses:  # the holder is told by mail
        ses.get(Member, world.member_ids[1]).email = "holder@example.org"
        ses.commit()
    principal, holder = login(world.users[0]), login(world.users[1])
    page = _give(principal, a, _number(world, 1))
    assert "it takes effect when they accept it" in page
    grant = _grant(world, 0)
    assert grant.state == GrantState.GRANTED and "authorise" in grant.declaration
    with world.session() as ses:
        mail = ses.execute(
            select(OutboxMessage).where(OutboxMessage.category == "proxy")
        ).scalar_one()
        assert mail.to_addr == "holder@example.org" and f"{s}/me" in mail.body_text

    # Granted but not accepted: the holder cannot vote for the member.
    with world.session() as ses:
        assert ses.scalar(select(func.count()).select_from(Mandate)) == 0
    mine = holder.get(f"{s}/me").text
    assert "Proxies given to you" in mine
    r = holder.post(f"{s}/me/proxy/{grant.id}/accept")
    assert r.status_code == 302
    assert _grant(world, 0).state == GrantState.ACCEPTED
    assert "You are represented by" in principal.get(f"{s}/me").text

    _chair, poll_id = _open_poll(world, login)
    assert len(_vote(holder, poll_id, world.member_ids[0], "YES")) == 1  # the existing cast view
    with world.session() as ses:
        voted = ses.scalar(
            select(func.count())
            .select_from(Participation)
            .where(Participation.member_id == world.member_ids[0])
        )
        assert voted == 1
    # A poll opened: the member can no longer revoke.
    r = principal.post(f"{s}/me/proxy/{grant.id}/revoke")
    assert "can no longer be revoked" in principal.get(r.headers["Location"]).text
    assert _grant(world, 0).state == GrantState.ACCEPTED
    assert _events(world, "proxy.granted") == 1 and _events(world, "proxy.accepted") == 1


def test_granted_but_not_accepted_does_not_let_the_holder_vote(vote_world, login):
    world = vote_world(members=3)
    _give(login(world.users[0]), world.assembly_id, _number(world, 1))
    holder = login(world.users[1])
    _chair, poll_id = _open_poll(world, login)
    r = holder.post(f"/polls/{poll_id}/cast", data={"voter": world.member_ids[0], "choice": "YES"})
    assert r.status_code in (302, 403)
    with world.session() as ses:
        assert ses.scalar(select(func.count()).select_from(Participation)) == 0


def test_the_member_revokes_before_a_poll_and_may_give_a_new_one(vote_world, login):
    world = vote_world(members=3)
    s = f"/assemblies/{world.assembly_id}"
    principal, holder = login(world.users[0]), login(world.users[1])
    _give(principal, world.assembly_id, _number(world, 1))
    grant = _grant(world, 0)
    holder.post(f"{s}/me/proxy/{grant.id}/accept")
    r = principal.post(f"{s}/me/proxy/{grant.id}/revoke")
    assert "Your proxy has been revoked" in principal.get(r.headers["Location"]).text
    with world.session() as ses:
        assert ses.get(ProxyGrant, grant.id).state == GrantState.REVOKED
        assert ses.scalar(select(func.count()).select_from(Mandate)) == 0
    assert _events(world, "proxy.revoked") == 1 and _events(world, "mandate.revoked") == 1
    page = _give(principal, world.assembly_id, _number(world, 2), only=False)
    assert "it takes effect when they accept it" in page
    # Only the holder accepts; only the principal revokes.
    new = _grant(world, 0)
    assert principal.post(f"{s}/me/proxy/{new.id}/accept").status_code == 403
    assert holder.post(f"{s}/me/proxy/{new.id}/revoke").status_code == 403


def test_the_declaration_must_be_confirmed(vote_world, login):
    world = vote_world(members=2)
    page = _give(login(world.users[0]), world.assembly_id, _number(world, 1), confirm=False)
    assert "Confirm the declaration" in page
    assert _grant(world, 0) is None


def test_a_third_proxy_is_refused_when_given_and_when_accepted(vote_world, login):
    world = vote_world(members=5)
    s = f"/assemblies/{world.assembly_id}"
    holder = login(world.users[4])
    for i in (0, 1, 2):
        _give(login(world.users[i]), world.assembly_id, _number(world, 4))
    for i in (0, 1):
        holder.post(f"{s}/me/proxy/{_grant(world, i).id}/accept")
    r = holder.post(f"{s}/me/proxy/{_grant(world, 2).id}/accept")
    assert "already represents two members" in holder.get(r.headers["Location"]).text
    assert _grant(world, 2).state == GrantState.GRANTED
    page = _give(login(world.users[3]), world.assembly_id, _number(world, 4))
    assert "already represents two members" in page and "§43(5)" in page
    assert _grant(world, 3) is None


def test_the_secretary_sees_and_rejects_a_proxy_with_a_reason(vote_world, login, make_user):
    world = vote_world(members=3)
    s = f"/assemblies/{world.assembly_id}"
    principal, holder = login(world.users[0]), login(world.users[1])
    _give(principal, world.assembly_id, _number(world, 1))
    grant = _grant(world, 0)
    holder.post(f"{s}/me/proxy/{grant.id}/accept")
    secretary = login(make_user(roles=[Role.SECRETARY]))
    page = secretary.get(f"{s}/mandates").text
    assert "Proxies given by members" in page and grant.declaration in page
    r = secretary.post(
        f"{s}/mandates/grants/{grant.id}/reject", data={"reason": "Unterschrift fehlt"}
    )
    assert "The proxy has been rejected" in secretary.get(r.headers["Location"]).text
    with world.session() as ses:
        g = ses.get(ProxyGrant, grant.id)
        assert g.state == GrantState.REJECTED and g.reason == "Unterschrift fehlt"
        assert ses.scalar(select(func.count()).select_from(Mandate)) == 0
    assert _events(world, "proxy.rejected") == 1
    assert "You have not given a proxy" in principal.get(f"{s}/me").text


def test_paper_proxies_of_the_secretary_still_work_and_end_a_members_grant(
    session, make_member, make_assembly, make_mandate
):
    members = [make_member() for _ in range(3)]
    assembly = session.get(
        Assembly, make_assembly(state=AssemblyState.CONVENED, members=members).id
    )
    p, h, other = (session.get(Member, m.id) for m in members)
    grant = proxies.grant_proxy(
        session, assembly=assembly, principal=p, holder=h, declaration="Vollmacht",
        this_assembly_only=True, actor=None, notify=lambda *_a: ("", ""),
    )  # fmt: skip
    mandate = proxies.accept_proxy(
        session, assembly=assembly, grant=grant, actor=None, now=utcnow()
    )
    from governance.assemblies import mandates

    mandates.revoke_mandate(
        session, assembly=assembly, mandate=mandate, reason="Papier", actor=None
    )
    assert grant.state == GrantState.REVOKED and grant.mandate_id is None
    session.commit()
    assert make_mandate(assembly, p, other).proxy_id == other.id  # the secretary's entry
    with pytest.raises(DomainError) as err:
        proxies.grant_proxy(
            session, assembly=assembly, principal=p, holder=h, declaration="Vollmacht",
            this_assembly_only=True, actor=None, notify=lambda *_a: ("", ""),
        )  # fmt: skip
    assert "has given a proxy" in message(err)


def test_the_database_keeps_one_live_grant_and_ties_acceptance_to_a_mandate(
    session, make_member, make_assembly
):
    members = [make_member() for _ in range(3)]
    assembly = make_assembly(state=AssemblyState.CONVENED, members=members)
    insert = text(
        "INSERT INTO proxy_grant (assembly_id, principal_id, holder_id, declaration,"
        " this_assembly_only, state, granted_at, reason)"
        " VALUES (:a, :p, :h, 'raw', :only, :state, CURRENT_TIMESTAMP, '')"
    )
    base = {"a": assembly.id, "p": members[0].id, "h": members[1].id, "only": True}
    session.execute(insert, {**base, "state": "GRANTED"})
    with (
        pytest.raises(
            IntegrityError, match=r"UNIQUE constraint failed: proxy_grant|uq_grant_live_principal"
        ),
        session.begin_nested(),
    ):
        session.execute(insert, {**base, "h": members[2].id, "state": "GRANTED"})
    with (
        pytest.raises(IntegrityError, match="ck_grant_accepted_mandate"),
        session.begin_nested(),
    ):
        session.execute(insert, {**base, "p": members[2].id, "state": "ACCEPTED"})
    with pytest.raises(IntegrityError, match="ck_grant_not_self"), session.begin_nested():
        session.execute(
            insert, {**base, "h": members[0].id, "p": members[0].id, "state": "GRANTED"}
        )


def test_a_standing_proxy_is_carried_to_the_next_assembly(session, make_member, make_assembly):
    from datetime import timedelta

    from governance.assemblies import convening

    members = [make_member(email=f"m{i}@example.org") for i in range(3)]
    first = session.get(Assembly, make_assembly(state=AssemblyState.CONVENED, members=members).id)
    p, h = session.get(Member, members[0].id), session.get(Member, members[1].id)
    grant = proxies.grant_proxy(
        session, assembly=first, principal=p, holder=h, declaration="Vollmacht",
        this_assembly_only=False, actor=None, notify=lambda *_a: ("", ""),
    )  # fmt: skip
    proxies.accept_proxy(session, assembly=first, grant=grant, actor=None, now=utcnow())
    session.commit()
    draft = session.get(Assembly, make_assembly(starts_at=utcnow() + timedelta(days=30)).id)
    convening.convene(
        session, assembly=draft, actor=None, now=utcnow(), today=utcnow().date(),
        settings=convening.ConveningSettings(), render=lambda *_a: convening.Notice("s", "t"),
        make_link=lambda _u: "",
    )  # fmt: skip
    carried = proxies.live_grant(session, assembly_id=draft.id, principal_id=p.id)
    assert carried is not None and carried.state == GrantState.ACCEPTED
    assert session.get(Mandate, carried.mandate_id).proxy_id == h.id
