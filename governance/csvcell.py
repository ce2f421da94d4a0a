"""CSV files for spreadsheets: every export writes through `writer`, so no cell is a formula.

A spreadsheet evaluates a cell that starts with = + - @ (CSV or formula injection: a member's
name "=HYPERLINK(…)" becomes a link or a command when the board opens the export), and Excel
and LibreOffice also skip a leading TAB, CR or LF before doing so. Such a cell gets a leading
apostrophe, which spreadsheets show as text; plain numbers (-3, +2, 12.50) stay numbers.
Files are semicolon-separated with CRLF line ends, as Excel in Germany opens them.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from datetime import date
from typing import Any

# What makes a spreadsheet read a cell as a formula (also after leading blanks).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
_NUMBER = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]+)?")


def cell(value: Any) -> str:
    """`value` as the text of one cell, never a formula (None: empty; dates ISO 8601)."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    text = str(getattr(value, "value", value))  # an Enum by its value
    if text.lstrip(" ").startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


class SafeWriter:
    """A csv writer whose every cell goes through `cell`."""

    def __init__(self, out: Any) -> None:
        self._writer = csv.writer(out, delimiter=";", lineterminator="\r\n")

    def writerow(self, row: Iterable[Any]) -> None:
        """Write one row."""
        self._writer.writerow([cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        """Write the rows."""
        self._writer.writerows([cell(v) for v in row] for row in rows)


def writer(out: Any) -> SafeWriter:
    """The writer for every CSV export of the app (semicolons, CRLF, no formulas)."""
    return SafeWriter(out)
