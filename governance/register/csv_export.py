"""CSV export of the register as at a date, and of the share ledger (free of Flask).

Files are UTF-8 with BOM and semicolons, so Excel opens them as they are; the column names
are those the import reads (the extra columns amount and eligible are ignored there).

`member_chunks` and `transaction_chunks` produce a file piece by piece (BOM and header, then
CHUNK_ROWS rows at a time, read with yield_per); `stream` runs one on a session of its own
for a streamed download. `export_members` and `export_transactions` join them into one text.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable, Generator, Iterable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from governance import csvcell
from governance.db import new_session
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


# Rows per piece of a streamed file (about 150 kB of a member export).
CHUNK_ROWS = 1000


def _writer(out: io.StringIO) -> Any:
    return csvcell.writer(out)  # every cell through the one guard against formulas


def _header(header: list[str]) -> str:
    """The first piece of a file: BOM and header line (sent before the query runs)."""
    out = io.StringIO()
    out.write("\ufeff")
    _writer(out).writerow(header)
    return out.getvalue()


def _row_chunks(rows: Iterable[list[Any]]) -> Iterator[str]:
    """The CSV lines of `rows`, CHUNK_ROWS rows to a piece."""
    out = io.StringIO()
    writer = _writer(out)
    remaining = iter(rows)
    while batch := list(itertools.islice(remaining, CHUNK_ROWS)):
        writer.writerows(batch)
        yield out.getvalue()
        out.seek(0)
        out.truncate()


def stream(
    engine: Engine, produce: Callable[[Session], Generator[str, None, None]]
) -> Iterator[bytes]:
    """The pieces of `produce` as UTF-8, read through a session of their own.

    A streamed response body is sent after the request has ended (its session committed and
    closed), so the file is read on a separate session: its connection is taken when the
    query runs (after the header piece) and given back after the last piece or when the
    client goes away (the server closes the generator). Its one query reads one snapshot of
    the database; it takes no write lock.
    """
    with new_session(engine) as session:
        pieces = produce(session)
        try:
            for chunk in pieces:
                yield chunk.encode("utf-8")
        finally:
            pieces.close()  # ends the query before the session


def export_members(session: Session, *, at: date, share_value: Decimal, min_shares: int) -> str:
    """The members at `at` as one CSV text (see member_chunks)."""
    return "".join(member_chunks(session, at=at, share_value=share_value, min_shares=min_shares))


def export_transactions(session: Session, *, until: date | None = None) -> str:
    """The share ledger as one CSV text (see transaction_chunks)."""
    return "".join(transaction_chunks(session, until=until))


def member_chunks(
    session: Session, *, at: date, share_value: Decimal, min_shares: int
) -> Generator[str, None, None]:
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

    yield _header(MEMBER_HEADER)
    # Closed also when the reader stops early: a PostgreSQL server-side cursor stays open else.
    with session.execute(stmt) as result:
        yield from _row_chunks(
            [*fields, shares, share_value * shares, _eligible(attends, shares, min_shares)]
            for *fields, shares, attends in result
        )


def _eligible(attends: Any, shares: int, min_shares: int) -> str:
    return "yes" if bool(attends) and shares >= min_shares else "no"


def transaction_chunks(
    session: Session, *, until: date | None = None
) -> Generator[str, None, None]:
    """The share ledger (value-dated on or before `until`, if given), by member and date."""
    stmt = (
        select(ShareTransaction, Member.number)
        .join(Member, Member.id == ShareTransaction.member_id)
        .order_by(Member.number, ShareTransaction.value_date, ShareTransaction.id)
        .execution_options(yield_per=2000)
    )
    if until is not None:
        stmt = stmt.where(ShareTransaction.value_date <= until)

    yield _header(TX_HEADER)
    with session.execute(stmt) as result:
        yield from _row_chunks(
            [
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
            for tx, number in result
        )
