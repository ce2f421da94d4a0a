"""Validating the rows of a share-transactions CSV file against the register.

Rows are checked in file order on top of each member's existing ledger, with the same rules
the database enforces (rules.check_booking), so a file that validates also imports.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from governance.errors import DomainError
from governance.i18n import _l
from governance.register.csv_format import RowError, column, parse_date, parse_int
from governance.register.models import Member, ShareTransaction
from governance.register.models import TransactionKind as Kind
from governance.register.names import fold
from governance.register.rules import Booking, check_booking, is_member_at

TYPES = {
    **{k.value.lower(): k for k in Kind},
    "beteiligung": Kind.SUBSCRIPTION,
    "zeichnung": Kind.SUBSCRIPTION,
    "kundigung": Kind.CANCELLATION,
    "storno": Kind.REVERSAL,
    "stornierung": Kind.REVERSAL,
}
REQUIRED = ("member_number", "type", "value_date", "reference")
CHUNK = 5_000


@dataclass
class TxRow:
    """A valid row of a transactions file."""

    line: int
    member_id: int
    kind: Kind
    value_date: date
    share_count: int
    reference: str
    comment: str
    reverses_id: int | None = None


def _in_chunks(session: Session, stmt_for: Any, keys: list[Any]) -> list[Any]:
    rows: list[Any] = []
    for start in range(0, len(keys), CHUNK):
        rows.extend(session.execute(stmt_for(keys[start : start + CHUNK])).all())
    return rows


def _load(session: Session, numbers: list[str]) -> tuple[dict[str, Any], dict[int, list[Any]]]:
    members = _in_chunks(
        session,
        lambda chunk: select(
            Member.id, Member.number, Member.status, Member.entry_date, Member.exit_date
        ).where(Member.number.in_(chunk)),
        numbers,
    )
    by_number = {m.number: m for m in members}
    ledgers: dict[int, list[Any]] = defaultdict(list)
    rows = _in_chunks(
        session,
        lambda chunk: (
            select(
                ShareTransaction.id,
                ShareTransaction.member_id,
                ShareTransaction.kind,
                ShareTransaction.value_date,
                ShareTransaction.share_count,
                ShareTransaction.reverses_id,
            )
            .where(ShareTransaction.member_id.in_(chunk))
            .order_by(ShareTransaction.id)
        ),
        [m.id for m in members],
    )
    for r in rows:
        ledgers[r.member_id].append(
            Booking(r.kind, r.value_date, r.share_count, r.reverses_id, r.id)
        )
    return by_number, ledgers


def _count(kind: Kind, raw: str, ledger: list[Any], reverses_id: int | None) -> int:
    if kind == Kind.REVERSAL:
        original = next((e for e in ledger if e.id == reverses_id and e.id is not None), None)
        derived = -original.share_count if original else 0
        if raw and original and parse_int(raw) != derived:
            raise DomainError(_l("A reversal is the exact negative of the original."))
        return derived
    count = parse_int(raw)
    # A cancellation may be written with or without its minus sign.
    return -abs(count) if kind == Kind.CANCELLATION else count


def _booking(values: dict[str, str], member: Any, ledger: list[Any]) -> Booking:
    kind = TYPES.get(fold(values.get("type", "")))
    if kind is None:
        raise DomainError(
            _l(
                "%(column)s is “subscription”, “cancellation” or “reversal”.",
                column=column("type"),
            )
        )
    try:
        value_date = parse_date(values.get("value_date", ""))
    except ValueError:
        raise DomainError(_l("%(column)s is not a date.", column=column("value_date"))) from None
    reverses_id = None
    if kind == Kind.REVERSAL:
        try:
            reverses_id = parse_int(values.get("reverses", ""))
        except ValueError:
            raise DomainError(
                _l("A reversal names the id of the transaction it reverses.")
            ) from None
    try:
        count = _count(kind, values.get("share_count", ""), ledger, reverses_id)
    except ValueError:
        raise DomainError(
            _l("%(column)s is not a whole number.", column=column("share_count"))
        ) from None
    if value_date < member.entry_date:
        raise DomainError(_l("The value date is before the member's entry."))
    if kind == Kind.SUBSCRIPTION and not is_member_at(member, value_date):
        raise DomainError(_l("The member is not a member at the value date."))
    return Booking(kind, value_date, count, reverses_id)


def _row(line: int, values: dict[str, str], members: dict[str, Any], ledgers: Any) -> TxRow:
    if values.get("__extra__"):
        raise DomainError(_l("The row has more cells than the header."))
    number = values.get("member_number", "").upper()
    member = members.get(number)
    if member is None:
        raise DomainError(_l("No member with number “%(n)s”.", n=number))
    reference = values.get("reference", "")
    if not 6 <= len(reference) <= 48:
        raise DomainError(_l("The reference must have 6 to 48 characters."))
    ledger = ledgers[member.id]
    booking = _booking(values, member, ledger)
    check_booking(ledger, booking)
    ledger.append(booking)
    return TxRow(
        line,
        member.id,
        booking.kind,
        booking.value_date,
        booking.share_count,
        reference,
        values.get("comment", ""),
        booking.reverses_id,
    )


def validate_transactions(
    session: Session, rows: list[tuple[int, dict[str, str]]], columns: list[str]
) -> tuple[list[TxRow], list[RowError]]:
    """Every row checked, in file order, on top of the members' existing ledgers."""
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        return [], [
            RowError(1, _l("Columns missing: %(c)s.", c=", ".join(str(column(c)) for c in missing)))
        ]
    numbers = sorted({v.get("member_number", "").upper() for _line, v in rows})
    members, ledgers = _load(session, numbers)
    good: list[TxRow] = []
    errors: list[RowError] = []
    for line, values in rows:
        try:
            good.append(_row(line, values, members, ledgers))
        except DomainError as exc:
            errors.append(RowError(line, exc.message))
    return good, errors
