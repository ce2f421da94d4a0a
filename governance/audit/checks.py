"""The audit's checks and their report: each check passes, fails or is skipped, and on failure
says what differs (the bottom of the audit: verify.py, verify_polls.py and minutes_link.py
build on it)."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from governance.i18n import _l

# A tampered database may differ in thousands of rows; the first ones say enough.
MAX_DIFFERENCES = 25


class Status(enum.StrEnum):
    PASS = "PASS"  # noqa: S105  (a check status, not a password)
    FAIL = "FAIL"
    SKIP = "SKIP"


@dataclass(frozen=True)
class Check:
    """One check: a stable `code`, what it checks, its status and what differs."""

    code: str
    label: Any
    status: Status
    differences: tuple[Any, ...] = ()
    note: Any = ""  # what was found when nothing differs (counts, the root)

    @property
    def ok(self) -> bool:
        return self.status != Status.FAIL


def check(
    code: str, label: Any, differences: Iterable[Any], *, skip: bool = False, note: Any = ""
) -> Check:
    """A check that passes when there are no differences."""
    diffs = list(differences)
    if len(diffs) > MAX_DIFFERENCES:
        rest = len(diffs) - MAX_DIFFERENCES
        diffs = [*diffs[:MAX_DIFFERENCES], _l("… and %(n)d more", n=rest)]
    status = Status.SKIP if skip else (Status.FAIL if diffs else Status.PASS)
    return Check(code=code, label=label, status=status, differences=tuple(diffs), note=note)


@dataclass
class Section:
    """The checks of one subject: the chain, an assembly's roll, one poll."""

    key: str
    title: Any
    checks: list[Check] = field(default_factory=list)
    poll_id: int | None = None

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)


@dataclass
class Report:
    """The whole audit; `ok` only when no check failed."""

    sections: list[Section] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.sections)

    @property
    def failures(self) -> list[tuple[Section, Check]]:
        return [(s, c) for s in self.sections for c in s.checks if not c.ok]

    def codes(self, status: Status = Status.FAIL) -> set[str]:
        """`section-key:check-code` of every check with `status` (tests and the CLI use it)."""
        return {f"{s.key}:{c.code}" for s in self.sections for c in s.checks if c.status == status}
