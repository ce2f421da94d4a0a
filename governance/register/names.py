"""Members' names as they are sorted and searched: folded (lower case, no accents).

Pure functions of plain values, below the register's models (the models keep each member's
folded name with them) and its rules."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lower-case without accents (ä → a, ß → ss): how names are sorted and searched."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()


def sort_name(kind: str, last_name: str, first_names: str, firm: str) -> str:
    """The member's folded name for sorting and searching (`kind` a PersonKind: a legal
    person's is its firm)."""
    if kind == "LEGAL":
        return fold(firm)[:520]
    return fold(f"{last_name} {first_names}")[:520]
