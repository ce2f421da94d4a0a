"""The pure rules: business-year dates, ledger arithmetic, eligibility (hypothesis)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from governance.errors import DomainError
from governance.register.models import MemberStatus, PersonKind
from governance.register.models import TransactionKind as Kind
from governance.register.names import fold, sort_name
from governance.register.rules import (
    Booking,
    add_months,
    check_booking,
    eligible_at,
    end_of_business_year,
    ineligibility_reason,
    is_member_at,
    notice_exit_date,
    shares_at,
)

START = date(2020, 1, 1)
days = st.integers(min_value=0, max_value=120).map(lambda n: START + timedelta(days=n))


@dataclass
class Facts:
    status: MemberStatus = MemberStatus.ACTIVE
    entry_date: date = START
    exit_date: date | None = None
    expulsion_letter_date: date | None = None
    death_date: date | None = None


# --- dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2023, 11, 30), 3, date(2024, 2, 29)),
        (date(2024, 12, 15), 1, date(2025, 1, 15)),
        (date(2024, 5, 31), -3, date(2024, 2, 29)),
    ],
)
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    ("notice", "start_month", "exit_date"),
    [
        (date(2025, 9, 30), 1, date(2025, 12, 31)),  # 3 months before the year end: in time
        (date(2025, 10, 1), 1, date(2026, 12, 31)),  # a day late: the next year
        (date(2025, 1, 10), 1, date(2025, 12, 31)),
        (date(2025, 3, 31), 7, date(2025, 6, 30)),  # business year July-June
        (date(2025, 4, 1), 7, date(2026, 6, 30)),
    ],
)
def test_notice_exit_date(notice, start_month, exit_date):
    assert notice_exit_date(notice, notice_months=3, start_month=start_month) == exit_date


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)),
    st.integers(min_value=0, max_value=24),
    st.integers(min_value=1, max_value=12),
)
def test_notice_exit_is_the_first_year_end_after_the_period(notice, months, start_month):
    exit_date = notice_exit_date(notice, notice_months=months, start_month=start_month)
    earliest = add_months(notice, months)
    assert exit_date >= earliest
    assert end_of_business_year(exit_date, start_month=start_month) == exit_date
    # The business year before ends before the period is over.
    previous_end = add_months(exit_date.replace(day=1), -11) - timedelta(days=1)
    assert previous_end < earliest
    assert (exit_date + timedelta(days=1)).month == start_month


# --- ledger arithmetic ---------------------------------------------------------------------

ops = st.lists(
    st.tuples(
        st.sampled_from(list(Kind)),
        days,
        st.integers(min_value=-5, max_value=5),
        st.integers(min_value=0, max_value=30),
    ),
    max_size=25,
)


def build(proposals: list[tuple[Kind, date, int, int]]) -> tuple[list[Booking], int]:
    """Apply proposed bookings through check_booking; the accepted ledger and rejections."""
    ledger: list[Booking] = []
    rejected = 0
    for kind, day, count, pick in proposals:
        reverses = None
        if kind == Kind.REVERSAL and ledger:
            original = ledger[pick % len(ledger)]
            reverses, count = original.id, -original.share_count
        booking = Booking(kind, day, count, reverses, id=len(ledger) + 1)
        try:
            check_booking(ledger, booking)
        except DomainError:
            rejected += 1
            continue
        ledger.append(booking)
    return ledger, rejected


def every_day(ledger: list[Booking]) -> list[date]:
    return [START + timedelta(days=n) for n in range(-1, 125)]


@given(ops)
def test_accepted_ledger_is_never_negative(proposals):
    ledger, _rejected = build(proposals)
    assert all(shares_at(ledger, day) >= 0 for day in every_day(ledger))


@given(ops)
def test_shares_at_is_the_running_sum(proposals):
    ledger, _rejected = build(proposals)
    far = START + timedelta(days=1000)
    assert shares_at(ledger, far) == sum(b.share_count for b in ledger)
    assert shares_at(ledger, START - timedelta(days=1)) == 0
    for day in every_day(ledger):
        booked = sum(b.share_count for b in ledger if b.value_date == day)
        assert shares_at(ledger, day) - shares_at(ledger, day - timedelta(days=1)) == booked


@given(ops)
def test_reversals_cancel_exactly_once(proposals):
    ledger, _rejected = build(proposals)
    by_id = {b.id: b for b in ledger}
    reversed_ids = [b.reverses_id for b in ledger if b.kind == Kind.REVERSAL]
    assert len(reversed_ids) == len(set(reversed_ids))
    for booking in ledger:
        if booking.kind == Kind.REVERSAL:
            original = by_id[booking.reverses_id]
            assert original.kind != Kind.REVERSAL
            assert original.share_count + booking.share_count == 0
            assert original.id < booking.id and original.value_date <= booking.value_date
        else:
            assert (booking.share_count > 0) == (booking.kind == Kind.SUBSCRIPTION)


@given(ops, st.sampled_from([Kind.SUBSCRIPTION, Kind.CANCELLATION]), days, st.integers(-6, 6))
def test_check_booking_refuses_exactly_what_would_go_negative(proposals, kind, day, count):
    ledger, _rejected = build(proposals)
    new = Booking(kind, day, count)
    sign_ok = count != 0 and (count > 0) == (kind == Kind.SUBSCRIPTION)
    goes_negative = any(shares_at([*ledger, new], d) < 0 for d in every_day(ledger))
    try:
        check_booking(ledger, new)
        accepted = True
    except DomainError:
        accepted = False
    assert accepted == (sign_ok and not goes_negative)


def refusal(ledger: list[Booking], booking: Booking) -> str:
    with pytest.raises(DomainError) as info:
        check_booking(ledger, booking)
    return str(info.value.message)


def test_check_booking_messages():
    sub = Booking(Kind.SUBSCRIPTION, START, 2, id=1)
    assert "zero" in refusal([], Booking(Kind.SUBSCRIPTION, START, 0))
    assert "fewer than zero" in refusal([sub], Booking(Kind.CANCELLATION, START, -3))
    assert "exact negative" in refusal([sub], Booking(Kind.REVERSAL, START, -1, reverses_id=1))
    rev = Booking(Kind.REVERSAL, START, -2, reverses_id=1, id=2)
    check_booking([sub], rev)
    assert "reversed already" in refusal(
        [sub, rev], Booking(Kind.REVERSAL, START, -2, reverses_id=1)
    )
    assert "subscription or cancellation" in refusal(
        [sub, rev], Booking(Kind.REVERSAL, START, 2, reverses_id=2)
    )


# --- eligibility ---------------------------------------------------------------------------

maybe_day = st.none() | days
facts = st.builds(
    Facts,
    status=st.sampled_from(list(MemberStatus)),
    entry_date=days,
    exit_date=maybe_day,
    expulsion_letter_date=maybe_day,
    death_date=maybe_day,
)
ledgers = st.lists(
    st.builds(Booking, st.just(Kind.SUBSCRIPTION), days, st.integers(1, 3)), max_size=4
)


@given(facts, ledgers, days, st.integers(1, 4))
def test_eligibility_rule(member, ledger, day, min_shares):
    expected = (
        member.status != MemberStatus.INVALID
        and member.entry_date <= day
        and (member.exit_date is None or day <= member.exit_date)
        and not (member.expulsion_letter_date and member.expulsion_letter_date <= day)
        and not (member.death_date and member.death_date <= day)
        and sum(b.share_count for b in ledger if b.value_date <= day) >= min_shares
    )
    assert eligible_at(member, ledger, day, min_shares=min_shares) == expected
    reason = ineligibility_reason(member, ledger, day, min_shares=min_shares)
    assert (reason is None) == expected


@given(days, st.integers(0, 400), st.integers(1, 12))
def test_notice_keeps_the_vote_until_the_exit_date(notice, offset, start_month):
    exit_date = notice_exit_date(notice, notice_months=3, start_month=start_month)
    member = Facts(MemberStatus.CANCELLED, START - timedelta(days=1), exit_date)
    ledger = [Booking(Kind.SUBSCRIPTION, START - timedelta(days=1), 1)]
    day = notice + timedelta(days=offset)
    assert eligible_at(member, ledger, day, min_shares=1) == (day <= exit_date)


@given(days, days)
def test_expulsion_ends_the_vote_on_the_letter_date(letter, day):
    member = Facts(MemberStatus.EXPELLED, START, letter + timedelta(days=200), letter)
    ledger = [Booking(Kind.SUBSCRIPTION, START, 1)]
    assert is_member_at(member, day)
    assert eligible_at(member, ledger, day, min_shares=1) == (day < letter)


@given(days, st.integers(1, 5), st.integers(1, 5))
def test_below_minimum_shares_not_eligible(day, held, min_shares):
    member = Facts(entry_date=START)
    ledger = [Booking(Kind.SUBSCRIPTION, START, held)]
    assert eligible_at(member, ledger, day, min_shares=min_shares) == (held >= min_shares)


def test_names_fold_for_sorting():
    assert fold("  Müller-Lüdenscheidt ") == "muller-ludenscheidt"
    assert fold("Weiß") == "weiss"
    assert sort_name(PersonKind.NATURAL, "Öztürk", "Ayşe", "") == "ozturk ayse"
    assert sort_name(PersonKind.LEGAL, "", "", "Bäckerei GmbH") == "backerei gmbh"
