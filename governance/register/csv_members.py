"""Validating the rows of a members CSV file (every bad row reported, with its line)."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from governance.i18n import _l, enum_label
from governance.register.csv_format import RowError, column, parse_date, parse_int
from governance.register.models import Member, MemberStatus, PersonKind
from governance.register.names import fold
from governance.register.services import NUMBER_RE

EMAIL_RE = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$")
KINDS = {
    "": PersonKind.NATURAL,
    "natural": PersonKind.NATURAL,
    "n": PersonKind.NATURAL,
    "naturlich": PersonKind.NATURAL,
    "naturliche person": PersonKind.NATURAL,
    "legal": PersonKind.LEGAL,
    "l": PersonKind.LEGAL,
    "juristisch": PersonKind.LEGAL,
    "juristische person": PersonKind.LEGAL,
}
STATUSES = {
    **{s.value.lower(): s for s in MemberStatus},
    "": MemberStatus.ACTIVE,
    "aktiv": MemberStatus.ACTIVE,
    "gekundigt": MemberStatus.CANCELLED,
    "ubertragen": MemberStatus.TRANSFERRED,
    "verstorben": MemberStatus.DECEASED,
    "aufgelost": MemberStatus.LIQUIDATED,
    "liquidiert": MemberStatus.LIQUIDATED,
    "ausgeschlossen": MemberStatus.EXPELLED,
    "ungultig": MemberStatus.INVALID,
}
MAX_LENGTHS = {
    "last_name": 200,
    "first_names": 200,
    "firm": 300,
    "street": 200,
    "postal_code": 20,
    "city": 200,
    "email": 254,
}
DATE_FIELDS = ("notice_date", "exit_date", "expulsion_letter_date", "death_date")
# The date each status needs besides the exit date, and which date it took effect.
STATUS_DATE = {
    MemberStatus.CANCELLED: "notice_date",
    MemberStatus.EXPELLED: "expulsion_letter_date",
    MemberStatus.DECEASED: "death_date",
    MemberStatus.TRANSFERRED: "exit_date",
    MemberStatus.LIQUIDATED: "exit_date",
}


@dataclass
class MemberRow:
    """A valid row of a members file."""

    line: int
    number: str
    kind: PersonKind
    last_name: str
    first_names: str
    firm: str
    street: str
    postal_code: str
    city: str
    country: str
    email: str | None
    entry_date: date
    shares: int
    reference: str
    status: MemberStatus
    notice_date: date | None
    exit_date: date | None
    expulsion_letter_date: date | None
    death_date: date | None
    note: str

    def fields(self) -> dict[str, Any]:
        """The member table's values of this row."""
        values = {name: getattr(self, name) for name in MEMBER_FIELDS}
        key = STATUS_DATE.get(self.status)
        values["status_date"] = values[key] if key else None
        return values


MEMBER_FIELDS = tuple(
    f.name for f in fields(MemberRow) if f.name not in ("line", "shares", "reference")
)


def _lookup(table: dict[str, Any], value: str, message: Any, errors: list[Any]) -> Any:
    found = table.get(fold(value))
    if found is None:
        errors.append(message)
    return found


def _date(
    values: dict[str, str], name: str, errors: list[Any], required: bool = False
) -> date | None:
    raw = values.get(name, "")
    if not raw:
        if required:
            errors.append(_l("%(column)s is missing.", column=column(name)))
        return None
    try:
        return parse_date(raw)
    except ValueError:
        errors.append(_l("%(column)s is not a date: “%(value)s”.", column=column(name), value=raw))
        return None


def _shares(values: dict[str, str], errors: list[Any]) -> int:
    raw = values.get("shares", "") or "0"
    try:
        count = parse_int(raw)
    except ValueError:
        count = -1
    if count < 0:
        errors.append(
            _l(
                "%(column)s must be a whole number ≥ 0: “%(value)s”.",
                column=column("shares"),
                value=raw,
            )
        )
        return 0
    return count


def _texts(values: dict[str, str], errors: list[Any]) -> None:
    for name, limit in MAX_LENGTHS.items():
        if len(values.get(name, "")) > limit:
            errors.append(_l("%(column)s is too long.", column=column(name)))
    number = values.get("number", "").upper()
    if number and not NUMBER_RE.match(number):
        errors.append(_l("A member number looks like M-1000100: “%(v)s”.", v=number))
    email = values.get("email", "")
    if email and not EMAIL_RE.match(email):
        errors.append(_l("Not an email address: “%(value)s”.", value=email))
    reference = values.get("reference", "")
    if reference and not 6 <= len(reference) <= 48:
        errors.append(_l("The reference must have 6 to 48 characters."))
    if len(values.get("country", "") or "DE") != 2:
        errors.append(_l("%(column)s is a two-letter code (DE).", column=column("country")))


def _status_needs(status: MemberStatus, needed: str) -> Any:
    if needed == "exit_date":
        return _l("Status “%(s)s” needs %(d)s.", s=enum_label(status), d=column(needed))
    return _l(
        "Status “%(s)s” needs %(exit)s and %(d)s.",
        s=enum_label(status),
        exit=column("exit_date"),
        d=column(needed),
    )


def _consistency(row: MemberRow, errors: list[Any]) -> None:
    if row.kind == PersonKind.NATURAL and not row.last_name:
        errors.append(_l("A natural person needs a surname."))
    if row.kind == PersonKind.LEGAL and not row.firm:
        errors.append(_l("A legal person needs a firm name."))
    needed = STATUS_DATE.get(row.status)
    if needed and (row.exit_date is None or getattr(row, needed) is None):
        errors.append(_status_needs(row.status, needed))
    if row.status == MemberStatus.ACTIVE and row.exit_date is not None:
        errors.append(_l("An active member has no exit date."))
    for name in DATE_FIELDS:
        value = getattr(row, name)
        if value is not None and value < row.entry_date:
            errors.append(_l("%(column)s is before the entry date.", column=column(name)))


def parse_member(line: int, values: dict[str, str]) -> tuple[MemberRow | None, list[Any]]:
    """One row of a members file: the row, or the reasons it is bad."""
    errors: list[Any] = []
    if values.get("__extra__"):
        errors.append(_l("The row has more cells than the header."))
    _texts(values, errors)
    kind = _lookup(
        KINDS,
        values.get("kind", ""),
        _l("%(column)s is “natural” or “legal”.", column=column("kind")),
        errors,
    )
    status = _lookup(STATUSES, values.get("status", ""), _l("Unknown status."), errors)
    entry = _date(values, "entry_date", errors, required=True)
    dates = {name: _date(values, name, errors) for name in DATE_FIELDS}
    shares = _shares(values, errors)
    if errors or entry is None:
        return None, errors
    row = MemberRow(
        line=line,
        number=values.get("number", "").upper(),
        kind=kind,
        last_name=values.get("last_name", ""),
        first_names=values.get("first_names", ""),
        firm=values.get("firm", ""),
        street=values.get("street", ""),
        postal_code=values.get("postal_code", ""),
        city=values.get("city", ""),
        country=(values.get("country", "") or "DE").upper(),
        email=values.get("email", "").lower() or None,
        entry_date=entry,
        shares=shares,
        reference=values.get("reference", ""),
        status=status,
        note=values.get("note", ""),
        **dates,
    )
    _consistency(row, errors)
    return (None if errors else row), errors


def _taken_numbers(session: Session, numbers: list[str]) -> set[str]:
    taken: set[str] = set()
    for start in range(0, len(numbers), 5000):
        chunk = numbers[start : start + 5000]
        stmt = select(Member.number).where(Member.number.in_(chunk))
        taken.update(session.execute(stmt).scalars())
    return taken


def validate_members(
    session: Session, rows: list[tuple[int, dict[str, str]]], columns: list[str]
) -> tuple[list[MemberRow], list[RowError]]:
    """Every row parsed and checked against the file and the register."""
    if "entry_date" not in columns:
        return [], [
            RowError(1, _l("The column %(column)s is missing.", column=column("entry_date")))
        ]
    good: list[MemberRow] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for line, values in rows:
        row, problems = parse_member(line, values)
        number = values.get("number", "").upper()
        if number and number in seen:
            again = _l("Number %(n)s appears on line %(l)d too.", n=number, l=seen[number])
            problems.append(again)
        elif number:
            seen[number] = line
        errors.extend(RowError(line, p) for p in problems)
        if row is not None and not problems:
            good.append(row)
    for number in sorted(_taken_numbers(session, sorted(seen))):
        errors.append(RowError(seen[number], _l("Number %(n)s exists already.", n=number)))
    errors.sort(key=lambda e: e.line)
    return good, errors
