"""CSV injection: no cell of any export starts a spreadsheet formula (governance/csvcell.py).

Every export of the app is tried with the same payloads in the fields users can fill: the
register (web and CLI), the share ledger (web and CLI) and the attendance list.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import update

from governance.accounts.models import Role
from governance.assemblies.models import AssemblyState
from governance.csvcell import FORMULA_STARTS, cell
from governance.db import new_session
from governance.register.models import Member
from governance.register.services import book_subscription

PACKAGE = Path(__file__).resolve().parents[1] / "governance"

PAYLOADS = [
    "=1+1",
    '=HYPERLINK("https://evil.example","x")',
    "+1+1",
    "-1+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    " =1+1",
]


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), delimiter=";"))


def _assert_inert(text: str, expected: list[str]) -> None:
    """No cell is a formula, and each payload is there, as text (with its apostrophe)."""
    cells = [c for row in _rows(text) for c in row]
    for c in cells:
        assert not c.lstrip(" ").startswith(FORMULA_STARTS) or c.lstrip("+-").isdigit(), repr(c)
    for payload in expected:
        assert "'" + payload in cells, (payload, cells)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_cell_is_never_a_formula(payload):
    assert cell(payload) == "'" + payload


@pytest.mark.parametrize("value", ["-3", "+2", "12.50", "-64,00", "Müller", "a=b", "", None])
def test_numbers_and_text_stay_as_they_are(value):
    assert cell(value) == (value or "")


def test_every_export_writes_through_the_guard():
    """A new export cannot forget it: csv.writer is used in csvcell.py only."""
    users = [
        str(p.relative_to(PACKAGE))
        for p in PACKAGE.rglob("*.py")
        if "csv.writer(" in p.read_text() or "DictWriter(" in p.read_text()
    ]
    assert users == ["csvcell.py"]


def _hostile_members(app, make_member) -> tuple[list[Member], list[str]]:
    """One member per payload, in their name, city and a booking's reference and comment;
    with the texts of the bookings as stored (the service trims a reference)."""
    members = [make_member(shares=1, entry_date=date(2020, 1, 1)) for _ in PAYLOADS]
    with new_session(app.extensions["governance.engine"]) as s:
        booked = []
        for n, (m, payload) in enumerate(zip(members, PAYLOADS, strict=True)):
            # Straight into the table: whatever a form or an import lets through, the export
            # is the last line of defence.
            s.execute(
                update(Member).where(Member.id == m.id).values(last_name=payload, city=payload)
            )
            tx = book_subscription(
                s,
                member=s.get(Member, m.id),
                share_count=1,
                value_date=date(2021, 1, 1),
                reference=f"{payload}{n:06d}",
                comment=payload,
                actor=None,
            )
            booked += [tx.reference, tx.comment]
        s.commit()
    return members, booked


def test_register_and_ledger_exports_on_the_web(app, make_member, login):
    _members, booked = _hostile_members(app, make_member)
    board = login(roles=[Role.BOARD])
    members = board.get("/register/export?at=2024-01-01")
    assert members.status_code == 200
    _assert_inert(members.get_data(as_text=True), PAYLOADS)
    ledger = board.get("/register/export?at=2024-01-01&what=transactions")
    assert ledger.status_code == 200
    _assert_inert(ledger.get_data(as_text=True), booked)


def test_register_and_ledger_exports_on_the_command_line(app, make_member, tmp_path):
    _members, booked = _hostile_members(app, make_member)
    runner = app.test_cli_runner()
    for extra, expected in (([], PAYLOADS), (["--transactions"], booked)):
        out = tmp_path / "export.csv"
        args = ["register", "export", "--at", "2024-01-01", "-o", str(out), *extra]
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
        _assert_inert(out.read_bytes().decode("utf-8"), expected)


def test_attendance_export(app, make_member, make_assembly, login):
    members, _booked = _hostile_members(app, make_member)
    assembly = make_assembly(state=AssemblyState.IN_SESSION, members=members)
    board = login(roles=[Role.BOARD])
    r = board.get(f"/assemblies/{assembly.id}/attendance.csv")
    assert r.status_code == 200
    with new_session(app.extensions["governance.engine"]) as s:
        names = [s.get(Member, m.id).display_name for m in members]
    assert all(n.lstrip(" ").startswith(FORMULA_STARTS) for n in names), names
    _assert_inert(r.get_data(as_text=True), [])
    cells = {c for row in _rows(r.get_data(as_text=True)) for c in row}
    assert all("'" + n in cells for n in names), cells
