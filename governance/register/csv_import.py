"""All-or-nothing CSV import of members or share transactions (free of Flask).

The whole file is validated first; if any row is bad nothing is written and every bad row is
reported with its line number. A dry run validates only. Writing uses bulk inserts (the
ledger triggers still check every booking) and one audit event carrying the file's SHA-256.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlmodel import Session

from governance.accounts.models import User
from governance.auditlog import record_event
from governance.db import is_sqlite, utcnow
from governance.errors import DomainError
from governance.register.csv_format import RowError, read_table
from governance.register.csv_members import MemberRow, validate_members
from governance.register.csv_transactions import TxRow, validate_transactions
from governance.register.models import Member, ShareTransaction, TransactionKind
from governance.register.names import sort_name
from governance.register.services import FIRST_NUMBER

CHUNK = 5_000
IMPORT_CACHE_KIB = -262_144  # negative: KiB (256 MiB at most, only while importing)


@dataclass
class ImportResult:
    """What an import found and did."""

    kind: str
    encoding: str
    delimiter: str
    rows: int
    dry_run: bool
    errors: list[RowError] = field(default_factory=list)
    members: int = 0
    transactions: int = 0
    imported: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportRejected(DomainError):
    """The file has bad rows; nothing was imported."""

    def __init__(self, result: ImportResult) -> None:
        super().__init__(f"{len(result.errors)} bad row(s)")
        self.result = result

    def one_line(self, limit: int = 20) -> str:
        """All bad rows on one line (the first `limit`)."""
        errors = self.result.errors
        parts = [f"line {e.line}: {e.message}" for e in errors[:limit]]
        more = f"; … {len(errors) - limit} more" if len(errors) > limit else ""
        return f"{len(errors)} bad row(s), nothing imported: " + "; ".join(parts) + more


def import_csv(
    session: Session,
    *,
    data: bytes,
    actor: User | None,
    dry_run: bool = False,
    filename: str = "",
) -> ImportResult:
    """Validate the whole file, then (unless a dry run) import it; ImportRejected if bad."""
    table = read_table(data)
    result = ImportResult(table.kind, table.encoding, table.delimiter, len(table.rows), dry_run)
    if table.kind == "members":
        members, result.errors = validate_members(session, table.rows, table.columns)
        result.members = len(members)
        result.transactions = sum(1 for m in members if m.shares)
    else:
        txs, result.errors = validate_transactions(session, table.rows, table.columns)
        result.transactions = len(txs)
    if result.errors:
        raise ImportRejected(result)
    if dry_run:
        return result
    actor_id = getattr(actor, "id", None)
    with _big_cache(session):
        if table.kind == "members":
            summary = _write_members(session, members, actor_id)
        else:
            summary = _write_transactions(session, txs, actor_id)
    record_event(
        session,
        event_type="register.imported",
        actor=actor,
        object_type="register",
        payload={
            "kind": table.kind,
            "filename": filename,
            "file_sha256": hashlib.sha256(data).hexdigest(),
            "rows": len(table.rows),
            **summary,
        },
    )
    result.imported = True
    return result


@contextmanager
def _big_cache(session: Session) -> Iterator[None]:
    """On SQLite, a large page cache while bulk inserting (the indexes stay in memory)."""
    if not is_sqlite(session):
        yield
        return
    before = session.execute(text("PRAGMA cache_size")).scalar_one()
    session.execute(text(f"PRAGMA cache_size = {IMPORT_CACHE_KIB}"))
    try:
        yield
    finally:
        session.execute(text(f"PRAGMA cache_size = {int(before)}"))


def _assign_numbers(session: Session, members: list[MemberRow]) -> None:
    highest = session.execute(select(Member.number).order_by(Member.number.desc())).first()
    taken = [int(m.number[2:]) for m in members if m.number]
    nxt = max([FIRST_NUMBER - 1, *taken, int(highest[0][2:]) if highest else 0]) + 1
    for member in members:
        if not member.number:
            member.number = f"M-{nxt:07d}"
            nxt += 1


def _member_values(row: MemberRow, now: Any) -> dict[str, Any]:
    values = row.fields()
    values.update(
        sort_name=sort_name(row.kind, row.last_name, row.first_names, row.firm),
        shares=0,
        created_at=now,
    )
    return values


def _ids_by_number(session: Session, numbers: list[str]) -> dict[str, int]:
    ids: dict[str, int] = {}
    for start in range(0, len(numbers), CHUNK):
        stmt = select(Member.number, Member.id).where(
            Member.number.in_(numbers[start : start + CHUNK])
        )
        ids.update((number, id_) for number, id_ in session.execute(stmt))
    return ids


def _write_members(
    session: Session, members: list[MemberRow], actor_id: int | None
) -> dict[str, Any]:
    _assign_numbers(session, members)
    now = utcnow()
    rows = [_member_values(m, now) for m in members]
    # A plain executemany (no RETURNING): SQLite would insert row by row otherwise.
    for start in range(0, len(rows), CHUNK):
        session.execute(insert(Member.__table__), rows[start : start + CHUNK])
    ids = _ids_by_number(session, [m.number for m in members])
    bookings = [
        TxRow(
            line=m.line,
            member_id=ids[m.number],
            kind=TransactionKind.SUBSCRIPTION,
            value_date=m.entry_date,
            share_count=m.shares,
            reference=m.reference or f"IMPORT {m.number}",
            comment="",
        )
        for m in members
        if m.shares
    ]
    tx_summary = _write_transactions(session, bookings, actor_id)
    numbers = sorted(ids)
    return {
        "members_created": len(numbers),
        "numbers": [numbers[0], numbers[-1]] if numbers else [],
        **tx_summary,
    }


def _write_transactions(session: Session, txs: list[TxRow], actor_id: int | None) -> dict[str, Any]:
    now = utcnow()
    last_before = session.execute(select(func.max(ShareTransaction.id))).scalar_one() or 0
    rows = [
        {
            "member_id": t.member_id,
            "kind": t.kind,
            "value_date": t.value_date,
            "share_count": t.share_count,
            "reference": t.reference,
            "reverses_id": t.reverses_id,
            "comment": t.comment,
            "created_at": now,
            "created_by": actor_id,
        }
        for t in txs
    ]
    for start in range(0, len(rows), CHUNK):
        session.execute(insert(ShareTransaction.__table__), rows[start : start + CHUNK])
    session.expire_all()
    last = session.execute(select(func.max(ShareTransaction.id))).scalar_one() or 0
    span = [last_before + 1, last] if txs else []
    return {"transactions_created": len(txs), "transaction_ids": span}
