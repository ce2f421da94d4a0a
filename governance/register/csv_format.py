"""Reading register CSV files: encoding, delimiter, headers and cell values.

Accepted: UTF-8 with or without BOM, and Excel's Windows-1252 export; comma, semicolon or tab
as delimiter (detected from the header line). Headers may be the English column names of
the export or the usual German ones (Mitgliedsnummer, Nachname, PLZ, ...).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from governance.errors import DomainError
from governance.i18n import _l
from governance.register.names import fold

MEMBER_COLUMNS: dict[str, tuple[str, ...]] = {
    "number": ("number", "membernumber", "mitgliedsnummer", "mitgliednr", "nr"),
    "kind": ("kind", "personkind", "art", "personenart"),
    "last_name": ("lastname", "surname", "nachname", "name"),
    "first_names": ("firstnames", "firstname", "vorname", "vornamen"),
    "firm": ("firm", "company", "firma"),
    "street": ("street", "address", "strasse", "anschrift"),
    "postal_code": ("postalcode", "zip", "plz", "postleitzahl"),
    "city": ("city", "ort", "stadt", "wohnort"),
    "country": ("country", "land"),
    "email": ("email", "mail", "emailadresse"),
    "entry_date": ("entrydate", "entry", "eintritt", "eintrittsdatum"),
    "shares": ("shares", "anteile", "geschaftsanteile"),
    "reference": ("reference", "referenz", "beleg"),
    "status": ("status",),
    "notice_date": ("noticedate", "kundigungsdatum", "kundigung"),
    "exit_date": ("exitdate", "austritt", "austrittsdatum"),
    "expulsion_letter_date": ("expulsionletterdate", "ausschlussdatum", "ausschluss"),
    "death_date": ("deathdate", "sterbedatum", "todesdatum"),
    "note": ("note", "notiz", "bemerkung"),
}
TRANSACTION_COLUMNS: dict[str, tuple[str, ...]] = {
    "member_number": ("membernumber", "number", "mitgliedsnummer", "mitgliednr", "nr"),
    "type": ("type", "transactiontype", "buchungsart", "typ", "art"),
    "value_date": ("valuedate", "valuta", "wertstellung", "datum"),
    "share_count": ("sharecount", "shares", "anteile", "anzahl"),
    "reference": ("reference", "referenz", "beleg"),
    "comment": ("comment", "kommentar", "bemerkung"),
    "reverses": ("reverses", "reversesid", "storno", "stornierttransaktion"),
}
# The columns as a person names them in an error message ("Eintrittsdatum ist kein Datum").
COLUMN_LABELS = {
    "number": _l("Member number"),
    "kind": _l("Kind of person"),
    "last_name": _l("Surname"),
    "first_names": _l("First names"),
    "firm": _l("Firm"),
    "street": _l("Street"),
    "postal_code": _l("Postal code"),
    "city": _l("City"),
    "country": _l("Country"),
    "email": _l("Email"),
    "entry_date": _l("Date of entry"),
    "shares": _l("Shares"),
    "reference": _l("Reference"),
    "status": _l("Status"),
    "notice_date": _l("Date of notice"),
    "exit_date": _l("Date of exit"),
    "expulsion_letter_date": _l("Date of the expulsion letter"),
    "death_date": _l("Date of death"),
    "note": _l("Note"),
    "member_number": _l("Member number"),
    "type": _l("Kind of booking"),
    "value_date": _l("Value date"),
    "share_count": _l("Number of shares"),
    "comment": _l("Comment"),
    "reverses": _l("Reverses"),
}


def column(name: str) -> Any:
    """A column's name as the reader's language says it."""
    return COLUMN_LABELS.get(name, name)


# Columns of the export that an import ignores.
IGNORED = {"id", "amount", "eligible", "sharesat", "createdat", "betrag", "stimmberechtigt"}
TRANSACTION_MARKERS = {"valuedate", "valuta", "wertstellung"}

_DE_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class RowError:
    """A bad row: its line in the file and why."""

    line: int
    message: Any  # a (lazily) translated text


@dataclass
class CsvTable:
    """A decoded file: its kind ("members" or "transactions"), rows with their line numbers."""

    kind: str
    encoding: str
    delimiter: str
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]]


def decode(data: bytes) -> tuple[str, str]:
    """The text of the file and the encoding found (UTF-8 with/without BOM, Windows-1252)."""
    try:
        if data.startswith(codecs.BOM_UTF8):
            return data[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8-sig"
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        raise DomainError(_l("The file is neither UTF-8 nor Windows-1252 text.")) from None


def sniff_delimiter(text: str) -> str:
    """The delimiter used in the header line: semicolon, tab or comma."""
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in (";", "\t", ",")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _key(header: str) -> str:
    return re.sub(r"[\s_\-./]", "", fold(header))


def _map_headers(headers: list[str], spec: dict[str, tuple[str, ...]]) -> list[str | None]:
    aliases = {alias: name for name, names in spec.items() for alias in names}
    mapped: list[str | None] = []
    for header in headers:
        key = _key(header)
        if key in aliases:
            mapped.append(aliases[key])
        elif key in IGNORED or not key:
            mapped.append(None)
        else:
            raise DomainError(_l("Line 1: unknown column “%(name)s”.", name=header.strip()))
    found = [m for m in mapped if m]
    duplicates = sorted({m for m in found if found.count(m) > 1})
    if duplicates:
        raise DomainError(_l("Line 1: column %(name)s appears twice.", name=duplicates[0]))
    return mapped


def _records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = 1
    for record in reader:
        if any(cell.strip() for cell in record):
            yield start, record
        start = reader.line_num + 1


def read_table(data: bytes) -> CsvTable:
    """Decode and split a register CSV file; header problems raise DomainError."""
    text, encoding = decode(data)
    delimiter = sniff_delimiter(text)
    try:
        records = list(_records(text, delimiter))
    except csv.Error as exc:
        raise DomainError(_l("The file is not valid CSV: %(error)s", error=str(exc))) from None
    if not records:
        raise DomainError(_l("The file is empty."))
    (_line, headers), body = records[0], records[1:]
    keys = {_key(h) for h in headers}
    kind = "transactions" if keys & TRANSACTION_MARKERS else "members"
    spec = TRANSACTION_COLUMNS if kind == "transactions" else MEMBER_COLUMNS
    mapped = _map_headers(headers, spec)
    rows = []
    for line, record in body:
        values = {
            name: (record[i].strip() if i < len(record) else "")
            for i, name in enumerate(mapped)
            if name
        }
        if len(record) > len(mapped) and any(c.strip() for c in record[len(mapped) :]):
            values["__extra__"] = "1"
        rows.append((line, values))
    return CsvTable(kind, encoding, delimiter, [m for m in mapped if m], rows)


def parse_date(value: str) -> date:
    """An ISO date (2024-03-31) or a German one (31.03.2024); ValueError otherwise."""
    match = _DE_DATE.match(value)
    if match:
        day, month, year = (int(g) for g in match.groups())
        return date(year, month, day)
    if not _ISO_DATE.match(value):
        raise ValueError(value)
    return date.fromisoformat(value)


def parse_int(value: str) -> int:
    """An integer, optionally with a sign; ValueError otherwise."""
    if not re.fullmatch(r"[+-]?\d{1,9}", value):
        raise ValueError(value)
    return int(value)
