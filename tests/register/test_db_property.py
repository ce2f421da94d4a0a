"""Property tests against the database: the triggers and the SQL agree with the pure rules."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from governance.db import new_session
from governance.errors import DomainError
from governance.register.models import MemberStatus
from governance.register.models import TransactionKind as Kind
from governance.register.queries import eligible_members, shares_held
from governance.register.rules import Booking, check_booking, eligible_at, shares_at
from tests.register.test_db_rules import insert_tx

START = date(2020, 1, 1)
days = st.integers(min_value=0, max_value=90).map(lambda n: START + timedelta(days=n))
DB_SETTINGS = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

proposals = st.lists(
    st.tuples(
        st.sampled_from(list(Kind)),
        days,
        st.integers(min_value=-4, max_value=4),
        st.integers(min_value=0, max_value=20),
        st.booleans(),
    ),
    max_size=12,
)


def _propose(ledger: list[Booking], kind: Kind, day: date, count: int, pick: int, exact: bool):
    reverses = None
    if kind == Kind.REVERSAL and ledger:
        original = ledger[pick % len(ledger)]
        reverses = original.id
        count = -original.share_count if exact else count
    return Booking(kind, day, count, reverses)


@DB_SETTINGS
@given(steps=proposals)
def test_database_accepts_exactly_what_check_booking_accepts(engine, make_member, steps):
    member = make_member(shares=0, entry_date=START)
    ledger: list[Booking] = []
    for kind, day, count, pick, exact in steps:
        booking = _propose(ledger, kind, day, count, pick, exact)
        try:
            check_booking(ledger, booking)
            python_ok = True
        except DomainError:
            python_ok = False
        try:
            with engine.begin() as conn:
                new_id = insert_tx(
                    conn,
                    member.id,
                    kind.value,
                    day.isoformat(),
                    booking.share_count,
                    reverses_id=booking.reverses_id,
                )
            db_ok = True
        except DBAPIError:
            db_ok = False
        assert python_ok == db_ok, (booking, ledger)
        if db_ok:
            ledger.append(Booking(kind, day, booking.share_count, booking.reverses_id, new_id))
    with engine.connect() as conn:
        total = conn.execute(text("SELECT shares FROM member WHERE id = :i"), {"i": member.id})
        assert total.scalar_one() == sum(b.share_count for b in ledger)


maybe_offset = st.none() | st.integers(min_value=0, max_value=60)
member_specs = st.tuples(
    st.sampled_from(list(MemberStatus)),
    days,  # entry
    maybe_offset,  # exit after entry
    maybe_offset,  # expulsion letter after entry
    maybe_offset,  # death after entry
    st.lists(st.tuples(st.integers(0, 80), st.integers(-3, 3)), max_size=4),
)


def _member_dates(status: MemberStatus, entry: date, exit_, letter, death) -> dict:
    def at(offset: int | None) -> date | None:
        return None if offset is None else entry + timedelta(days=offset)

    dates = {"exit_date": at(exit_), "expulsion_letter_date": at(letter), "death_date": at(death)}
    if status == MemberStatus.CANCELLED:
        dates["notice_date"] = entry
    if status == MemberStatus.EXPELLED and dates["expulsion_letter_date"] is None:
        dates["expulsion_letter_date"] = entry
    if status == MemberStatus.DECEASED and dates["death_date"] is None:
        dates["death_date"] = entry
    if status in (MemberStatus.ACTIVE, MemberStatus.INVALID):
        if dates["exit_date"] is None:
            dates.pop("exit_date")
    elif dates["exit_date"] is None:
        dates["exit_date"] = entry + timedelta(days=30)
    return dates


@DB_SETTINGS
@given(specs=st.lists(member_specs, min_size=1, max_size=5), day=days, min_shares=st.integers(1, 3))
def test_eligible_members_is_the_eligibility_rule(app, engine, make_member, specs, day, min_shares):
    created = []
    for status, entry, exit_, letter, death, bookings in specs:
        dates = _member_dates(status, entry, exit_, letter, death)
        member = make_member(shares=0, entry_date=entry, status=status, **dates)
        ledger: list[Booking] = []
        for offset, count in bookings:
            kind = Kind.SUBSCRIPTION if count > 0 else Kind.CANCELLATION
            booking = Booking(kind, entry + timedelta(days=offset), count)
            try:
                check_booking(ledger, booking)
            except DomainError:
                continue
            with engine.begin() as conn:
                insert_tx(conn, member.id, kind.value, booking.value_date.isoformat(), count)
            ledger.append(booking)
        created.append((member, ledger))
    with new_session(engine) as session:
        found = {m.id: held for m, held in eligible_members(session, at=day, min_shares=min_shares)}
        for member, ledger in created:
            expected = eligible_at(member, ledger, day, min_shares=min_shares)
            assert (member.id in found) == expected, (member, ledger, day)
            if expected:
                assert found[member.id] == shares_at(ledger, day)
            assert shares_held(session, member_id=member.id, at=day) == shares_at(ledger, day)
