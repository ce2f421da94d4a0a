"""`governance register import FILE [--dry-run]` and `governance register export`."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from governance.db import new_session
from governance.register.models import Member

GOOD = (
    "last_name;first_names;entry_date;shares\nMüller;Jörg;01.02.2020;2\nSchulz;Eva;2021-03-04;1\n"
)


def members(engine) -> int:
    with new_session(engine) as s:
        return s.execute(select(func.count()).select_from(Member)).scalar_one()


def test_import_dry_run_then_real(app, engine, tmp_path):
    path = tmp_path / "mitglieder.csv"
    path.write_bytes(GOOD.encode("cp1252"))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["register", "import", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "would import 2 members and 2 share transactions" in result.output
    assert "cp1252" in result.output and members(engine) == 0
    result = runner.invoke(args=["register", "import", str(path)])
    assert result.exit_code == 0 and "imported 2 members" in result.output
    assert members(engine) == 2


def test_bad_file_one_line_error_and_nothing_imported(app, engine, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(GOOD + "Kaputt;;gestern;1\n;Ohne;2020-01-01;1\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["register", "import", str(path)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Error: 2 bad row(s), nothing imported: line 4:")
    assert "line 5:" in lines[0] and members(engine) == 0


def test_unreadable_file_is_one_line(app, tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"\x81\x8d\n")
    result = app.test_cli_runner().invoke(args=["register", "import", str(path)])
    assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1


def test_export(app, make_member, tmp_path):
    make_member(shares=2, entry_date=date(2020, 1, 1), last_name="Ausgabe")
    out = tmp_path / "register.csv"
    runner = app.test_cli_runner()
    result = runner.invoke(args=["register", "export", "--at", "2024-01-01", "-o", str(out)])
    assert result.exit_code == 0
    body = out.read_bytes().decode("utf-8-sig")
    assert "Ausgabe" in body and body.splitlines()[1].endswith(";2;128.00;yes")
    result = runner.invoke(args=["register", "export", "--transactions"])
    assert result.exit_code == 0 and "SUBSCRIPTION" in result.output
