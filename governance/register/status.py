"""Leaving the cooperative: notice, death, transfer, liquidation, expulsion (free of Flask).

Each records its date, sets the exit date (the last day of membership) and so decides the
vote (see rules.eligible_at):
- notice (§65): exit at the first end of a business year at least NOTICE_MONTHS later;
  the member keeps the vote until then.
- death (§77(1)): the membership passes to the heirs until the end of the business year of
  death; the vote ends on the day of death (heirs and their joint representative are not
  modelled).
- transfer of the whole credit (§76): exit on the transfer date; with a recipient, the
  shares are booked over (cancellation here, subscription there, same value date).
- liquidation of a legal person (§77a): exit at the end of the business year in which the
  dissolution took effect; the vote is kept until then.
- expulsion (§68): no attendance and no vote from the day the letter is sent; exit on the
  given date (default: the letter date).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session

from governance.accounts.models import User
from governance.auditlog import record_event
from governance.errors import DomainError
from governance.i18n import _l
from governance.register.models import Member, MemberStatus, PersonKind
from governance.register.queries import shares_held
from governance.register.rules import end_of_business_year, notice_exit_date
from governance.register.services import book_cancellation, book_subscription

_FIELDS = (
    "status",
    "status_date",
    "notice_date",
    "exit_date",
    "expulsion_letter_date",
    "death_date",
)


def _snapshot(member: Member) -> dict[str, Any]:
    return {name: getattr(member, name) for name in _FIELDS}


def _check_date(member: Member, day: date, field: str) -> None:
    if day < member.entry_date:
        raise DomainError(_l("This date is before the member's entry."), field=field)
    if member.exit_date is not None and day > member.exit_date:
        raise DomainError(
            _l("The member leaves on %(day)s already.", day=member.exit_date.isoformat()),
            field=field,
        )


def _earlier(current: date | None, new: date) -> date:
    return new if current is None else min(current, new)


def _apply(
    session: Session,
    *,
    member: Member,
    to: MemberStatus,
    day: date,
    actor: User | None,
    event_type: str,
    extra: dict[str, Any] | None = None,
    **changes: Any,
) -> Member:
    before = _snapshot(member)
    member.transition(to)
    member.status_date = day
    for name, value in changes.items():
        setattr(member, name, value)
    session.add(member)
    session.flush()
    record_event(
        session,
        event_type=event_type,
        actor=actor,
        object_type="member",
        object_id=member.id,
        payload={
            "number": member.number,
            "before": before,
            "after": _snapshot(member),
            **(extra or {}),
        },
    )
    return member


def record_notice(
    session: Session,
    *,
    member: Member,
    notice_date: date,
    notice_months: int,
    business_year_start_month: int,
    actor: User | None,
) -> Member:
    """Record the member's notice; the exit date follows from the notice period (§65)."""
    _check_date(member, notice_date, "notice_date")
    exit_date = notice_exit_date(
        notice_date, notice_months=notice_months, start_month=business_year_start_month
    )
    return _apply(
        session,
        member=member,
        to=MemberStatus.CANCELLED,
        day=notice_date,
        actor=actor,
        event_type="member.notice",
        notice_date=notice_date,
        exit_date=exit_date,
    )


def record_death(
    session: Session,
    *,
    member: Member,
    death_date: date,
    business_year_start_month: int,
    actor: User | None,
) -> Member:
    """Record a death: no vote from that day, exit at the end of that business year (§77)."""
    if member.kind != PersonKind.NATURAL:
        raise DomainError(_l("Only a natural person can die."), field="death_date")
    _check_date(member, death_date, "death_date")
    end = end_of_business_year(death_date, start_month=business_year_start_month)
    return _apply(
        session,
        member=member,
        to=MemberStatus.DECEASED,
        day=death_date,
        actor=actor,
        event_type="member.death",
        death_date=death_date,
        exit_date=_earlier(member.exit_date, end),
    )


def record_liquidation(
    session: Session,
    *,
    member: Member,
    liquidation_date: date,
    business_year_start_month: int,
    actor: User | None,
) -> Member:
    """Record the dissolution of a legal person: exit at the end of that business year."""
    if member.kind != PersonKind.LEGAL:
        raise DomainError(_l("Only a legal person is liquidated."), field="liquidation_date")
    _check_date(member, liquidation_date, "liquidation_date")
    end = end_of_business_year(liquidation_date, start_month=business_year_start_month)
    return _apply(
        session,
        member=member,
        to=MemberStatus.LIQUIDATED,
        day=liquidation_date,
        actor=actor,
        event_type="member.liquidation",
        exit_date=_earlier(member.exit_date, end),
    )


def record_expulsion(
    session: Session,
    *,
    member: Member,
    letter_date: date,
    exit_date: date | None = None,
    actor: User | None,
) -> Member:
    """Record an expulsion: the letter date ends attendance and vote (§68(2))."""
    _check_date(member, letter_date, "letter_date")
    exit_date = exit_date or letter_date
    if exit_date < letter_date:
        raise DomainError(_l("The exit cannot be before the letter."), field="exit_date")
    return _apply(
        session,
        member=member,
        to=MemberStatus.EXPELLED,
        day=letter_date,
        actor=actor,
        event_type="member.expulsion",
        expulsion_letter_date=letter_date,
        exit_date=_earlier(member.exit_date, exit_date),
    )


def record_transfer(
    session: Session,
    *,
    member: Member,
    transfer_date: date,
    to_member: Member | None = None,
    reference: str = "",
    actor: User | None,
) -> Member:
    """Record the transfer of the whole credit (§76); exit on the transfer date."""
    _check_date(member, transfer_date, "transfer_date")
    if to_member is not None:
        _book_transfer(session, member, to_member, transfer_date, reference, actor)
    return _apply(
        session,
        member=member,
        to=MemberStatus.TRANSFERRED,
        day=transfer_date,
        actor=actor,
        event_type="member.transfer",
        exit_date=transfer_date,
        extra={"transferred_to": None if to_member is None else to_member.number},
    )


def _book_transfer(
    session: Session,
    member: Member,
    to_member: Member,
    day: date,
    reference: str,
    actor: User | None,
) -> None:
    if to_member.id == member.id:
        raise DomainError(_l("A member cannot transfer to themselves."), field="to_number")
    held = shares_held(session, member_id=member.id, at=day)
    if held <= 0:
        return
    comment = f"{member.number} → {to_member.number}"
    book_cancellation(
        session,
        member=member,
        share_count=held,
        value_date=day,
        reference=reference,
        comment=comment,
        actor=actor,
    )
    book_subscription(
        session,
        member=to_member,
        share_count=held,
        value_date=day,
        reference=reference,
        comment=comment,
        actor=actor,
    )
