"""CSV export of the register as at a date, and of the share ledger (free of Flask).

Files are UTF-8 with BOM and semicolons, so Excel opens them as they are; the column names
are those the import reads (the extra columns amount and eligible are ignored there).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from governance.register.models import Member, ShareTransaction
from governance.register.queries import (
    later_bookings,
    may_attend_clause,
    member_clause,
    shares_at_column,
)

MEMBER_HEADER = [
    "number",
    "kind",
    "last_name",
    "first_names",
    "firm",
    "street",
    "postal_code",
    "city",
    "country",
    "email",
    "entry_date",
    "status",
    "notice_date",
    "exit_date",
    "expulsion_letter_date",
    "death_date",
    "shares",
    "amount",
    "eligible",
]
TX_HEADER = [
    "id",
    "member_number",
    "type",
    "value_date",
    "share_count",
    "reference",
    "reverses",
    "comment",
    "created_at",
]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    text = str(getattr(value, "value", value))
    # A leading = + - @ makes Excel evaluate the cell: neutralise (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@") and not _is_number(text) else text


def _is_number(text: str) -> bool:
    return text.lstrip("+-").isdigit()


def _csv(header: list[str], rows: Iterator[list[Any]]) -> str:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()


def export_members(session: Session, *, at: date, share_value: Decimal, min_shares: int) -> str:
    """The members at `at` with the shares each held then, its value and the vote (one query)."""
    later = later_bookings(at)
    held = shares_at_column(later).label("held")
    # Plain columns, not Member objects: 100,000 rows stream without ORM overhead.
    columns = [getattr(Member, name) for name in MEMBER_HEADER[:16]]
    stmt = (
        select(*columns, held, may_attend_clause(at).label("attends"))
        .outerjoin(later, later.c.member_id == Member.id)
        .where(member_clause(at))
        .order_by(Member.number)
        .execution_options(yield_per=2000)
    )

    def rows() -> Iterator[list[Any]]:
        for *fields, shares, attends in session.execute(stmt):
            vote = bool(attends) and shares >= min_shares
            yield [*fields, shares, share_value * shares, "yes" if vote else "no"]

    return _csv(MEMBER_HEADER, rows())


def export_transactions(session: Session, *, until: date | None = None) -> str:
    """The share ledger (value-dated on or before `until`, if given), by member and date."""
    stmt = (
        select(ShareTransaction, Member.number)
        .join(Member, Member.id == ShareTransaction.member_id)
        .order_by(Member.number, ShareTransaction.value_date, ShareTransaction.id)
        .execution_options(yield_per=2000)
    )
    if until is not None:
        stmt = stmt.where(ShareTransaction.value_date <= until)

    def rows() -> Iterator[list[Any]]:
        for tx, number in session.execute(stmt):
            yield [
                tx.id,
                number,
                tx.kind,
                tx.value_date,
                tx.share_count,
                tx.reference,
                tx.reverses_id,
                tx.comment,
                tx.created_at.isoformat(),
            ]

    return _csv(TX_HEADER, rows())
