"""Notice, death, transfer, liquidation and expulsion: dates, status and the vote."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from governance.auditlog import AuditEvent
from governance.errors import DomainError, IllegalTransition
from governance.register import status
from governance.register.models import Member, MemberStatus, PersonKind
from governance.register.queries import shares_held
from governance.register.rules import eligible_at

ENTRY = date(2020, 3, 1)


@pytest.fixture
def member(session, make_member):
    return session.get(Member, make_member(shares=2, entry_date=ENTRY).id)


def vote(session, m: Member, day: date) -> bool:
    ledger = list(m.transactions)
    return eligible_at(m, ledger, day, min_shares=1)


def last_event(session) -> AuditEvent:
    stmt = select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)
    return session.execute(stmt).scalar_one()


def test_notice(session, member):
    status.record_notice(
        session,
        member=member,
        notice_date=date(2024, 10, 1),
        notice_months=3,
        business_year_start_month=1,
        actor=None,
    )
    assert member.status == MemberStatus.CANCELLED
    assert (member.notice_date, member.exit_date) == (date(2024, 10, 1), date(2025, 12, 31))
    assert vote(session, member, date(2025, 12, 31)) and not vote(session, member, date(2026, 1, 1))
    event = last_event(session)
    payload = json.loads(event.payload)
    assert event.event_type == "member.notice"
    assert payload["before"]["status"] == "ACTIVE" and payload["after"]["exit_date"] == "2025-12-31"


def test_notice_with_a_business_year_from_july(session, member):
    status.record_notice(
        session,
        member=member,
        notice_date=date(2024, 3, 31),
        notice_months=3,
        business_year_start_month=7,
        actor=None,
    )
    assert member.exit_date == date(2024, 6, 30)


def test_death_ends_the_vote_on_the_day(session, member):
    status.record_death(
        session,
        member=member,
        death_date=date(2024, 5, 10),
        business_year_start_month=1,
        actor=None,
    )
    assert member.status == MemberStatus.DECEASED
    assert member.exit_date == date(2024, 12, 31)
    assert vote(session, member, date(2024, 5, 9)) and not vote(session, member, date(2024, 5, 10))


def test_expulsion_letter_ends_attendance(session, member):
    status.record_expulsion(
        session,
        member=member,
        letter_date=date(2024, 2, 1),
        exit_date=date(2024, 12, 31),
        actor=None,
    )
    assert member.status == MemberStatus.EXPELLED
    assert member.expulsion_letter_date == date(2024, 2, 1)
    assert vote(session, member, date(2024, 1, 31)) and not vote(session, member, date(2024, 2, 1))
    with pytest.raises(IllegalTransition):
        status.record_notice(
            session,
            member=member,
            notice_date=date(2024, 3, 1),
            notice_months=3,
            business_year_start_month=1,
            actor=None,
        )


def test_expulsion_exit_defaults_to_letter_and_not_before(session, member):
    with pytest.raises(DomainError) as info:
        status.record_expulsion(
            session,
            member=member,
            letter_date=date(2024, 2, 1),
            exit_date=date(2024, 1, 1),
            actor=None,
        )
    assert info.value.field == "exit_date"
    status.record_expulsion(session, member=member, letter_date=date(2024, 2, 1), actor=None)
    assert member.exit_date == date(2024, 2, 1)


def test_notice_then_death_keeps_the_earlier_exit(session, member):
    status.record_notice(
        session,
        member=member,
        notice_date=date(2024, 1, 15),
        notice_months=3,
        business_year_start_month=1,
        actor=None,
    )
    status.record_death(
        session,
        member=member,
        death_date=date(2024, 6, 1),
        business_year_start_month=1,
        actor=None,
    )
    assert member.status == MemberStatus.DECEASED and member.exit_date == date(2024, 12, 31)


def test_event_after_exit_refused(session, member):
    status.record_notice(
        session,
        member=member,
        notice_date=date(2024, 1, 15),
        notice_months=3,
        business_year_start_month=1,
        actor=None,
    )
    with pytest.raises(DomainError) as info:
        status.record_death(
            session,
            member=member,
            death_date=date(2025, 2, 1),
            business_year_start_month=1,
            actor=None,
        )
    assert info.value.field == "death_date"
    with pytest.raises(DomainError):
        status.record_expulsion(session, member=member, letter_date=date(2019, 1, 1), actor=None)


def test_transfer_books_the_shares_over(session, make_member):
    ids = [make_member(shares=2, entry_date=ENTRY).id, make_member(shares=1, entry_date=ENTRY).id]
    member, taker = (session.get(Member, i) for i in ids)
    day = date(2024, 4, 1)
    status.record_transfer(
        session,
        member=member,
        transfer_date=day,
        to_member=taker,
        reference="UEBERTR-1",
        actor=None,
    )
    assert member.status == MemberStatus.TRANSFERRED and member.exit_date == day
    assert (member.shares, taker.shares) == (0, 3)
    assert shares_held(session, member_id=taker.id, at=day) == 3
    assert not vote(session, member, day)
    assert json.loads(last_event(session).payload)["transferred_to"] == taker.number


def test_transfer_to_oneself_refused(session, member):
    with pytest.raises(DomainError):
        status.record_transfer(
            session,
            member=member,
            transfer_date=date(2024, 4, 1),
            to_member=member,
            reference="UEBERTR-1",
            actor=None,
        )


def test_liquidation_only_for_legal_persons(session, make_member):
    firm_id = make_member(kind=PersonKind.LEGAL, firm="Kita e.V.").id
    member = session.get(Member, make_member().id)
    with pytest.raises(DomainError):
        status.record_liquidation(
            session,
            member=member,
            liquidation_date=date(2024, 4, 1),
            business_year_start_month=1,
            actor=None,
        )
    firm = session.get(Member, firm_id)
    status.record_liquidation(
        session,
        member=firm,
        liquidation_date=date(2024, 4, 1),
        business_year_start_month=1,
        actor=None,
    )
    assert firm.status == MemberStatus.LIQUIDATED and firm.exit_date == date(2024, 12, 31)
    assert vote(session, firm, date(2024, 12, 31))
    with pytest.raises(DomainError):
        status.record_death(
            session,
            member=firm,
            death_date=date(2024, 5, 1),
            business_year_start_month=1,
            actor=None,
        )
