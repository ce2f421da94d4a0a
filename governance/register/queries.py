"""Read queries of the register, each one SQL statement (no N+1), fast at 100,000 members.

Shares at a date D are `member.shares` (the booked total, kept by a trigger) minus the
bookings value-dated after D; that correction touches only the (few) later bookings through
the index on `share_transaction.value_date`.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from governance.auditlog import AuditEvent
from governance.register.models import Member, MemberStatus, ShareTransaction
from governance.register.names import fold

PER_PAGE = 50
SORTS: dict[str, tuple[Any, ...]] = {
    "number": (Member.number,),
    "name": (Member.sort_name, Member.id),
    "entry": (Member.entry_date, Member.id),
    "shares": (Member.shares, Member.id),
    "status": (Member.status, Member.sort_name, Member.id),
}


def later_bookings(at: date) -> Any:
    """Per member, the sum of bookings value-dated after `at` (a subquery: member_id, later)."""
    return (
        select(
            ShareTransaction.member_id.label("member_id"),
            func.sum(ShareTransaction.share_count).label("later"),
        )
        .where(ShareTransaction.value_date > at)
        .group_by(ShareTransaction.member_id)
        .subquery("later_bookings")
    )


def shares_at_column(later: Any) -> ColumnElement[int]:
    """Shares held at the date of `later` (see `later_bookings`)."""
    return Member.shares - func.coalesce(later.c.later, 0)


def may_attend_clause(at: date) -> ColumnElement[bool]:
    """SQL of `rules.may_attend_at`: a member at `at`, not expelled, not deceased."""
    return and_(
        Member.status != MemberStatus.INVALID,
        Member.entry_date <= at,
        or_(Member.exit_date.is_(None), Member.exit_date >= at),
        or_(Member.expulsion_letter_date.is_(None), Member.expulsion_letter_date > at),
        or_(Member.death_date.is_(None), Member.death_date > at),
    )


def member_clause(at: date) -> ColumnElement[bool]:
    """SQL of `rules.is_member_at`."""
    return and_(
        Member.status != MemberStatus.INVALID,
        Member.entry_date <= at,
        or_(Member.exit_date.is_(None), Member.exit_date >= at),
    )


def eligible_members(session: Session, *, at: date, min_shares: int) -> list[tuple[Member, int]]:
    """Members eligible to vote at `at` with the shares each holds then, ordered by number.

    One query; the same rule as `rules.eligible_at`. Used to freeze an assembly's voter roll.
    """
    later = later_bookings(at)
    held = shares_at_column(later)
    stmt = (
        select(Member, held.label("held"))
        .outerjoin(later, later.c.member_id == Member.id)
        .where(may_attend_clause(at), held >= min_shares)
        .order_by(Member.number)
    )
    with gc_paused():
        return [(member, int(held_now)) for member, held_now in session.execute(stmt).all()]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while loading many ORM objects: it would scan the
    growing heap again and again (a 100,000-member roll loads three times faster)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def shares_held(session: Session, *, member_id: int, at: date) -> int:
    """Shares one member holds at the end of day `at`."""
    total = session.execute(
        select(func.coalesce(func.sum(ShareTransaction.share_count), 0)).where(
            ShareTransaction.member_id == member_id, ShareTransaction.value_date <= at
        )
    ).scalar_one()
    return int(total)


@dataclass
class MemberFilter:
    """What the register list shows: search text, status, eligible at a date, sort, page."""

    query: str = ""
    status: MemberStatus | None = None
    eligible_at: date | None = None
    min_shares: int = 1
    sort: str = "name"
    descending: bool = False
    page: int = 1
    per_page: int = PER_PAGE


@dataclass
class Page:
    """One page of rows: (Member, shares at the filter's date or None)."""

    items: list[tuple[Member, int | None]]
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def _search(stmt: Select[Any], query: str) -> Select[Any]:
    text = query.strip()
    if not text:
        return stmt
    digits = text.upper().removeprefix("M-")
    if digits.isdigit() and len(digits) <= 7:
        # Numbers are M- and 7 digits: a prefix is a range on the unique index.
        low, high = f"M-{digits:0<7}", f"M-{digits:9<7}"
        return stmt.where(Member.number.between(low, high))
    for word in fold(text).split():
        stmt = stmt.where(Member.sort_name.like(f"%{_escape(word)}%", escape="\\"))
    return stmt


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _filtered(flt: MemberFilter) -> tuple[Select[Any], Any]:
    later = later_bookings(flt.eligible_at) if flt.eligible_at else None
    held = shares_at_column(later) if later is not None else None
    columns = [Member, held.label("held")] if held is not None else [Member]
    stmt = select(*columns)
    if later is not None:
        stmt = stmt.outerjoin(later, later.c.member_id == Member.id).where(
            may_attend_clause(flt.eligible_at), held >= flt.min_shares
        )
    if flt.status is not None:
        stmt = stmt.where(Member.status == flt.status)
    return _search(stmt, flt.query), held


def member_page(session: Session, flt: MemberFilter) -> Page:
    """One page of the register list: a count and one select, both using the indexes."""
    stmt, held = _filtered(flt)
    total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    order = SORTS.get(flt.sort, SORTS["name"])
    stmt = stmt.order_by(*[c.desc() if flt.descending else c for c in order])
    number = max(1, min(flt.page, math.ceil(total / flt.per_page) or 1))
    stmt = stmt.limit(flt.per_page).offset((number - 1) * flt.per_page)
    rows = session.execute(stmt).all()
    items = [(row[0], int(row[1]) if held is not None else None) for row in rows]
    return Page(items=items, number=number, per_page=flt.per_page, total=int(total))


def ledger_of(session: Session, member_id: int) -> list[ShareTransaction]:
    """A member's bookings by value date, then booking order."""
    return list(
        session.execute(
            select(ShareTransaction)
            .where(ShareTransaction.member_id == member_id)
            .order_by(ShareTransaction.value_date, ShareTransaction.id)
        ).scalars()
    )


def history_of(session: Session, member_id: int, limit: int = 200) -> list[AuditEvent]:
    """The audit events about a member, newest first."""
    return list(
        session.execute(
            select(AuditEvent)
            .where(AuditEvent.object_type == "member", AuditEvent.object_id == str(member_id))
            .order_by(AuditEvent.seq.desc())
            .limit(limit)
        ).scalars()
    )


def member_by_number(session: Session, number: str) -> Member | None:
    """The member with this number, if any."""
    return session.execute(
        select(Member).where(Member.number == number.strip().upper())
    ).scalar_one_or_none()


def reversed_ids(session: Session, member_id: int) -> set[int]:
    """Ids of this member's transactions that have been reversed."""
    reversal = aliased(ShareTransaction)
    rows = session.execute(
        select(reversal.reverses_id).where(
            reversal.member_id == member_id, reversal.reverses_id.is_not(None)
        )
    ).scalars()
    return {int(r) for r in rows}
