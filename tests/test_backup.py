"""`governance backup` and `governance restore`: a populated instance (the demo cooperative, an
upload, the generated secret key) round-trips into a fresh empty database on SQLite and on
PostgreSQL and passes the audit; damaged archives, unfitting archives, non-empty targets and
backups while a poll's rows can be linked are refused."""

from __future__ import annotations

import gzip
import io
import json
import sqlite3
import tarfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import SQLModel

from governance import create_app
from governance.auditlog import record_event
from governance.ballots.models import Poll, PollState
from governance.ballots.services import close_poll
from governance.db import new_session, utcnow
from governance.migrations.runner import head_revision
from tests.databases import empty_database
from tests.factories_ballots import cast

UPLOADS = {"ab/cd/3f2a.pdf": b"%PDF-1.7 agenda\n" * 100, "readme.txt": b"Satzung\n"}


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"SECRET_KEY": None}  # development: the key is generated into instance/secret_key


@pytest.fixture
def demo(app: Flask) -> Flask:
    """The demo cooperative with its open election closed and every scrub verified, and two
    uploaded files."""
    runner = app.test_cli_runner()  # the app's context is active: no _run needed
    seeded = runner.invoke(args=["seed-demo"])
    assert seeded.exit_code == 0, seeded.output
    engine = app.extensions["governance.engine"]
    with new_session(engine) as s:
        for poll in s.scalars(select(Poll).where(Poll.state == PollState.OPEN)).all():
            close_poll(s, poll=poll, actor=None, now=utcnow())
        s.commit()
    scrubbed = runner.invoke(args=["ballots", "scrub"])
    assert scrubbed.exit_code == 0 and "waiting" not in scrubbed.output, scrubbed.output
    _upload(app)
    return app


def _upload(app: Flask) -> None:
    for name, body in UPLOADS.items():
        path = Path(app.config["UPLOAD_DIR"]) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)


def _run(app: Flask, *args: str, input: str | None = None) -> Any:
    """Run `governance <args>` against `app` (in its own app context: a command runs in the
    app whose context is active)."""
    with app.app_context():
        return app.test_cli_runner().invoke(args=list(args), input=input)


def _backup(app: Flask, tmp_path: Path, *args: str) -> Path:
    out = tmp_path / "backups"
    result = _run(app, "backup", "--output-dir", str(out), *args)
    assert result.exit_code == 0, result.output
    (archive,) = out.glob("governance-backup-*.tar.gz")
    assert archive.stat().st_mode & 0o077 == 0  # it holds the secret key: owner only
    return archive


@pytest.fixture
def target(backend: str, tmp_path: Path) -> Iterator[Flask]:
    """A second instance on a fresh empty database of the same backend."""
    with empty_database(backend, tmp_path) as url:
        app = create_app(
            {
                "TESTING": True,
                "DATABASE_URL": url,
                "SECRET_KEY": None,
                "SCHEMA_CHECK": False,
                "UPLOAD_DIR": str(tmp_path / "restored" / "uploads"),
                "INSTANCE_PATH": str(tmp_path / "restored" / "instance"),
                "BABEL_DEFAULT_LOCALE": "en",
            }
        )
        yield app
        app.extensions["governance.engine"].dispose()


def _counts(app: Flask) -> dict[str, int]:
    engine = app.extensions["governance.engine"]
    with engine.connect() as conn:
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in SQLModel.metadata.sorted_tables
        }


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _key(app: Flask) -> str:
    return (Path(app.instance_path) / "secret_key").read_text()


def test_backup_restores_into_an_empty_database_and_passes_the_audit(demo, target, tmp_path):
    archive = _backup(demo, tmp_path)
    before = _counts(demo)
    assert before["audit_event"] > 50 and before["ballot"] > 0 and before["minutes"] > 0
    assert _key(demo) != _key(target)  # each instance generated its own

    result = _run(target, "restore", str(archive))
    assert result.exit_code == 0, result.output
    assert "Restored the backup" in result.output

    assert _counts(target) == before
    restored = _files(Path(target.config["UPLOAD_DIR"]))
    assert restored == _files(Path(demo.config["UPLOAD_DIR"]))  # the demo's room papers too
    assert UPLOADS.items() <= restored.items()
    assert _key(target) == _key(demo) == demo.config["SECRET_KEY"]
    assert (Path(target.instance_path) / "secret_key").stat().st_mode & 0o077 == 0
    audit = _run(target, "audit", "verify")
    assert audit.exit_code == 0, audit.output
    assert "All checks passed." in audit.output
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
    assert manifest["schema_revision"] == head_revision()
    assert manifest["dialect"] == demo.extensions["governance.engine"].dialect.name
    assert manifest["secret_key_source"] == "instance" and manifest["during_poll"] == []
    assert {f["path"] for f in manifest["files"]} >= {"secret_key", "uploads/readme.txt"}


@pytest.fixture
def sqlite_only(backend: str) -> None:
    if backend != "sqlite":
        pytest.skip("the subject is the archive, not the database: SQLite suffices")


@pytest.fixture
def small(app: Flask, make_user: Any) -> Flask:
    """An instance with two users and the uploads: enough where the subject is not the data."""
    make_user(email="one@example.org")
    make_user(email="two@example.org")
    with new_session(app.extensions["governance.engine"]) as s:
        record_event(s, event_type="test.before_backup", actor=None, payload={"n": 1})
        s.commit()
    _upload(app)
    return app


def test_restore_over_a_database_in_use_needs_force_and_brings_back_the_backup(
    small, make_user, tmp_path
):
    archive = _backup(small, tmp_path)
    before = _counts(small)
    make_user(email="after-the-backup@example.org")
    (Path(small.config["UPLOAD_DIR"]) / "later.txt").write_text("after the backup")
    changed = _counts(small)

    error = _error(_run(small, "restore", str(archive)))
    tables = len(SQLModel.metadata.tables) + 1  # and Alembic's version table
    assert f"is not empty ({tables} tables in the database, 3 files in" in error
    assert "--force" in error
    assert _run(small, "restore", str(archive), "--force", input="n\n").exit_code == 1
    assert _counts(small) == changed

    result = _run(small, "restore", str(archive), "--force", "--yes")
    assert result.exit_code == 0, result.output
    assert _counts(small) == before
    assert _files(Path(small.config["UPLOAD_DIR"])) == UPLOADS
    engine = small.extensions["governance.engine"]
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_event"))  # the restored triggers hold


def _error(result: Any) -> str:
    assert result.exit_code == 1, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, result.output
    return errors[0]


def _untouched(target: Flask) -> None:
    assert inspect(target.extensions["governance.engine"]).get_table_names() == []
    assert not Path(target.config["UPLOAD_DIR"]).exists()


def test_a_damaged_archive_is_refused_before_anything_is_restored(backend, small, target, tmp_path):
    if backend != "sqlite":
        pytest.skip("the subject is the archive, not the database: SQLite suffices")
    archive = _backup(small, tmp_path)
    intact = archive.read_bytes()
    for where in (0.2, 0.5, 0.8, 0.99):
        data = bytearray(intact)
        data[int(len(data) * where)] ^= 0x01
        archive.write_bytes(bytes(data))
        error = _error(_run(target, "restore", str(archive)))
        assert "damaged" in error, (where, error)
        _untouched(target)


def _repack(archive: Path, change: Any) -> None:
    """Rewrite the archive with `change(name, body) -> body` applied and the old manifest."""
    with tarfile.open(archive) as tar:
        members = [(m, tar.extractfile(m).read()) for m in tar.getmembers()]  # type: ignore[union-attr]
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb") as gz, tarfile.open(fileobj=gz, mode="w") as tar:
        for member, body in members:
            body = change(member.name, body)
            member.size = len(body)
            tar.addfile(member, io.BytesIO(body))
    archive.write_bytes(buffer.getvalue())


def _manifest(change: dict[str, Any]) -> Any:
    def _apply(name: str, body: bytes) -> bytes:
        if name != "manifest.json":
            return body
        return json.dumps({**json.loads(body), **change}).encode()

    return _apply


def test_a_changed_file_or_an_archive_that_does_not_fit_is_refused(
    sqlite_only, small, target, tmp_path
):
    cases = [
        (
            lambda name, body: b"x" + body[1:] if name == "secret_key" else body,
            "checksum mismatch for secret_key",
        ),
        (_manifest({"schema_revision": "9999"}), "schema revision '9999' is unknown"),
        (_manifest({"dialect": "postgresql"}), "holds a postgresql database"),
        (_manifest({"format": "other"}), "not a governance backup"),
    ]
    for i, (change, message) in enumerate(cases):
        archive = _backup(small, tmp_path / str(i))
        _repack(archive, change)
        assert message in _error(_run(target, "restore", str(archive)))
        _untouched(target)


@contextmanager
def _snapshot_held(app: Flask) -> Iterator[None]:
    """A reader across the close, as a long backup would be: the scrub cannot be proven."""
    engine = app.extensions["governance.engine"]
    if engine.dialect.name == "sqlite":
        reader = sqlite3.connect(engine.url.database, isolation_level=None)
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM ballot").fetchone()
        try:
            yield
        finally:
            reader.rollback()
            reader.close()
        return
    with engine.connect() as holder:
        holder.execute(text("BEGIN ISOLATION LEVEL REPEATABLE READ"))
        holder.execute(text("SELECT count(*) FROM member")).scalar()
        yield
        holder.rollback()


def test_backup_is_refused_while_a_poll_is_open_or_its_scrub_unverified(
    app, vote_world, make_poll, tmp_path
):
    world = vote_world(members=3)
    poll = make_poll(world)
    cast(world, poll.id, 0, "YES")
    out = tmp_path / "backups"
    error = _error(_run(app, "backup", "--output-dir", str(out)))
    assert f"poll {poll.id} ('{poll.title}') is open" in error and "--during-poll" in error
    assert not out.exists() or not list(out.iterdir())

    with _snapshot_held(app), world.session() as s:
        close_poll(s, poll=s.get(Poll, poll.id), actor=world.chair, now=utcnow())
        s.commit()
    error = _error(_run(app, "backup", "--output-dir", str(out)))
    assert f"the scrub of sealed poll {poll.id}" in error and "not verified (waiting)" in error

    archive = _backup(app, tmp_path, "--during-poll")
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
    assert manifest["during_poll"] == [error.split(": ", 1)[1].split(": a backup", 1)[0]]
    archive.unlink()
    assert "scrub verified" in _run(app, "ballots", "scrub").output
    _backup(app, tmp_path)  # sealed and scrubbed: nothing stands in the way


def test_the_nightly_unit_runs_as_written(sqlite_only, small, tmp_path):
    """deploy/governance-backup.service: its command line is one the CLI accepts."""
    unit = (
        Path(__file__).resolve().parents[1] / "deploy" / "governance-backup.service"
    ).read_text()
    exec_start = next(line for line in unit.splitlines() if line.startswith("ExecStart="))
    args = exec_start.split()[1:]  # after /opt/governance/bin/governance
    assert args[:1] == ["backup"]
    out = tmp_path / "srv-backups"
    result = _run(small, *[str(out) if a == "/srv/governance/backups" else a for a in args])
    assert result.exit_code == 0, result.output
    assert len(list(out.glob("governance-backup-*.tar.gz"))) == 1
