"""Pure rules of the register: business-year dates, shares held, membership, the vote.

No database and no Flask: functions of plain values, property-tested directly. The SQL in
`queries.eligible_members` and the triggers in `ddl` implement the same rules.

Dates are inclusive: a member is a member from the entry date up to and including the exit
date (the last day of membership, e.g. the end of the business year after a notice, §65 GenG).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from governance.errors import DomainError
from governance.i18n import _l, lazy_date
from governance.register.models import MemberStatus, TransactionKind


class LedgerEntry(Protocol):
    """What the rules need of a booking (a ShareTransaction satisfies it)."""

    id: int | None
    kind: TransactionKind
    value_date: date
    share_count: int
    reverses_id: int | None


class MemberFacts(Protocol):
    """What the rules need of a member (a Member satisfies it)."""

    status: MemberStatus
    entry_date: date
    exit_date: date | None
    expulsion_letter_date: date | None
    death_date: date | None


@dataclass(frozen=True)
class Booking:
    """A booking not yet in the ledger (id None) or a plain copy of one."""

    kind: TransactionKind
    value_date: date
    share_count: int
    reverses_id: int | None = None
    id: int | None = None


# --- dates ---------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """`day` plus `months` calendar months, clamped to the last day of the target month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def end_of_business_year(day: date, *, start_month: int = 1) -> date:
    """The last day of the business year containing `day` (the year starts in `start_month`)."""
    if not 1 <= start_month <= 12:
        raise ValueError("start_month must be 1..12")
    end_month = 12 if start_month == 1 else start_month - 1
    year = day.year if day.month <= end_month else day.year + 1
    return date(year, end_month, calendar.monthrange(year, end_month)[1])


def notice_exit_date(notice_date: date, *, notice_months: int, start_month: int = 1) -> date:
    """Exit after a notice (§65): the first end of a business year at least `notice_months`
    after the notice date."""
    return end_of_business_year(add_months(notice_date, notice_months), start_month=start_month)


# --- shares and eligibility ------------------------------------------------------------------


def shares_at(ledger: Iterable[LedgerEntry], at: date) -> int:
    """Shares held at the end of day `at`: the sum of bookings value-dated on or before it."""
    return sum(entry.share_count for entry in ledger if entry.value_date <= at)


def is_member_at(member: MemberFacts, at: date) -> bool:
    """In the register at `at`: entered on or before it, not yet left, not an invalid entry."""
    return (
        member.status != MemberStatus.INVALID
        and member.entry_date <= at
        and (member.exit_date is None or at <= member.exit_date)
    )


def may_attend_at(member: MemberFacts, at: date) -> bool:
    """A member at `at` who may still attend: not expelled by a letter sent on or before
    `at` (§68(2)), not deceased on or before `at` (the heirs are not modelled)."""
    return (
        is_member_at(member, at)
        and (member.expulsion_letter_date is None or at < member.expulsion_letter_date)
        and (member.death_date is None or at < member.death_date)
    )


def eligible_at(
    member: MemberFacts, ledger: Iterable[LedgerEntry], at: date, *, min_shares: int
) -> bool:
    """Eligible to vote at `at` (record date): may attend and holds at least `min_shares`.

    A member who gave notice keeps the vote until the exit date; an expelled member loses it
    from the day the expulsion letter is sent.
    """
    return may_attend_at(member, at) and shares_at(ledger, at) >= min_shares


def ineligibility_reason(
    member: MemberFacts, ledger: Iterable[LedgerEntry], at: date, *, min_shares: int
) -> Any:
    """Why the member may not vote at `at` (a lazily translated phrase), or None if eligible."""
    if member.status == MemberStatus.INVALID:
        return _l("invalid entry")
    if at < member.entry_date:
        return _l("not yet a member")
    if member.exit_date is not None and at > member.exit_date:
        return _l("left the cooperative")
    if member.expulsion_letter_date is not None and at >= member.expulsion_letter_date:
        return _l("expelled (letter sent)")
    if member.death_date is not None and at >= member.death_date:
        return _l("deceased")
    if shares_at(ledger, at) < min_shares:
        return _l("fewer shares than the minimum")
    return None


# --- booking rules (the triggers enforce the same) ----------------------------------------------


def check_booking(ledger: Sequence[LedgerEntry], new: LedgerEntry) -> None:
    """Raise DomainError if `new` may not be added to this member's `ledger`."""
    if new.share_count == 0:
        raise DomainError(_l("The number of shares must not be zero."), field="share_count")
    if new.kind == TransactionKind.SUBSCRIPTION and new.share_count < 0:
        raise DomainError(_l("A subscription adds shares."), field="share_count")
    if new.kind == TransactionKind.CANCELLATION and new.share_count > 0:
        raise DomainError(_l("A cancellation removes shares."), field="share_count")
    if new.kind == TransactionKind.REVERSAL:
        _check_reversal(ledger, new)
    elif new.reverses_id is not None:
        raise DomainError(_l("Only a reversal refers to another transaction."))
    if new.share_count < 0:
        _check_not_negative(ledger, new)


def _check_reversal(ledger: Sequence[LedgerEntry], new: LedgerEntry) -> None:
    original = next((e for e in ledger if e.id == new.reverses_id), None)
    if original is None or original.kind == TransactionKind.REVERSAL:
        raise DomainError(_l("A reversal must refer to a subscription or cancellation."))
    if any(e.reverses_id == original.id for e in ledger):
        raise DomainError(_l("This transaction has been reversed already."))
    if new.share_count != -original.share_count:
        raise DomainError(_l("A reversal is the exact negative of the original."))
    if new.value_date < original.value_date:
        raise DomainError(
            _l("A reversal cannot be value-dated before the original."), field="value_date"
        )


def _check_not_negative(ledger: Sequence[LedgerEntry], new: LedgerEntry) -> None:
    dates = {new.value_date} | {e.value_date for e in ledger if e.value_date >= new.value_date}
    for day in sorted(dates):
        held = shares_at(ledger, day)
        if held + new.share_count < 0:
            raise DomainError(
                _l(
                    "The member would hold fewer than zero shares on %(day)s (holds %(n)d).",
                    day=lazy_date(day),
                    n=held,
                ),
                field="share_count",
            )


# §68(2) GenG: from the day the expulsion letter is sent, the expelled member may no longer take
# part in the general assembly. The roll stays as it was frozen (its hash with it); the
# expulsion is a separate fact that the door (check-in, presence, casting, proxies) asks about.
# `day` is the UTC date of the moment in question: at the earliest the letter's own day begins a
# couple of hours later than in Germany, never earlier.


def expelled_on(letter_date: date | None, day: date) -> bool:
    """Whether a member whose expulsion letter is dated `letter_date` is expelled on `day`."""
    return letter_date is not None and letter_date <= day


def expelled_refusal(name: str, letter_date: date) -> DomainError:
    """The refusal at the door for an expelled member (§68(2) GenG)."""
    return DomainError(
        _l(
            "%(name)s is expelled (expulsion letter of %(date)s): from that day the member may "
            "no longer take part in the general assembly (§68(2) GenG).",
            name=name,
            date=lazy_date(letter_date),
        ),
        field="member",
    )
