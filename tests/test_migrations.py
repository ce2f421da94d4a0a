"""Alembic: empty → head → base on SQLite and PostgreSQL, models in sync with the migrations,
and the app's refusal to serve an outdated schema."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from governance import create_app
from governance.db import make_engine
from governance.migrations.runner import current_revision, downgrade, head_revision, upgrade
from tests.databases import empty_database


@pytest.fixture
def empty_url(backend: str, tmp_path) -> Iterator[str]:
    """A brand-new empty database of the current backend (a throwaway PG database)."""
    with empty_database(backend, tmp_path) as url:
        yield url


@pytest.fixture
def empty_engine(empty_url: str) -> Iterator[Engine]:
    engine = make_engine(empty_url)
    yield engine
    engine.dispose()


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def test_upgrade_from_empty_to_head_and_down_to_base(empty_engine):
    model_tables = {t.name for t in SQLModel.metadata.sorted_tables}
    assert current_revision(empty_engine) is None
    upgrade(empty_engine)
    assert current_revision(empty_engine) == head_revision()
    assert model_tables <= _tables(empty_engine)
    downgrade(empty_engine, "base")
    assert current_revision(empty_engine) is None
    assert _tables(empty_engine) == {"alembic_version"}
    upgrade(empty_engine)  # and up again: nothing left behind gets in the way
    assert current_revision(empty_engine) == head_revision()


def test_models_match_the_migrations(empty_engine):
    """Autogenerate finds nothing to do: every model change has its migration."""
    upgrade(empty_engine)
    with empty_engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == [], "models and migrations differ; run tools/make_initial_migration.py"


def test_sqlite_pragmas(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'pragmas.sqlite3'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    engine.dispose()


def _app_on(url: str, tmp_path):
    return create_app(
        {
            "TESTING": True,
            "DATABASE_URL": url,
            "SECRET_KEY": "test-secret-key",
            "SERVER_NAME": "localhost",
            "RATELIMIT_ENABLED": False,
            "INSTANCE_PATH": str(tmp_path / "instance"),
        }
    )


def test_outdated_schema_is_refused_with_the_command_to_run(empty_url, tmp_path):
    app = _app_on(empty_url, tmp_path)
    engine = app.extensions["governance.engine"]
    try:
        client = app.test_client()
        page = client.get("/login")
        assert page.status_code == 503
        assert b"governance db upgrade" in page.data
        for probe in ("/healthz", "/readyz"):
            health = client.get(probe)
            assert health.status_code == 503
            assert health.json == {
                "status": "error",
                "database": "ok",
                "schema": "outdated",
                "run": "governance db upgrade",
            }
        result = app.test_cli_runner().invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
        assert f"Database schema at {head_revision()}" in result.output
        # The running app notices the upgrade: no restart needed.
        assert client.get("/login").status_code == 200
        assert client.get("/healthz").json["schema"] == "ok"
        assert client.get("/readyz").status_code == 200
    finally:
        engine.dispose()


def test_db_current_and_downgrade_commands(empty_url, tmp_path):
    app = _app_on(empty_url, tmp_path)
    runner = app.test_cli_runner()
    try:
        assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
        current = runner.invoke(args=["db", "current"])
        assert f"database: {head_revision()}" in current.output
        assert runner.invoke(args=["db", "downgrade", "base", "--yes"]).exit_code == 0
        assert current_revision(app.extensions["governance.engine"]) is None
    finally:
        app.extensions["governance.engine"].dispose()


@pytest.mark.parametrize("answer", [None, "\n", "n\n"])
def test_downgrade_asks_and_keeps_everything_unless_confirmed(empty_url, tmp_path, answer):
    """`db downgrade` drops tables with their data, the audit log too: it asks first."""
    app = _app_on(empty_url, tmp_path)
    engine = app.extensions["governance.engine"]
    runner = app.test_cli_runner()
    try:
        assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
        result = runner.invoke(args=["db", "downgrade", "base"], input=answer)
        assert result.exit_code == 1 and "audit log included" in result.output
        errors = [line for line in result.output.splitlines() if line.startswith("Error: ")]
        assert errors == ["Error: not confirmed, nothing changed (--yes confirms without asking)"]
        assert current_revision(engine) == head_revision()
        assert "audit_event" in _tables(engine)
        confirmed = runner.invoke(args=["db", "downgrade", "base"], input="y\n")
        assert confirmed.exit_code == 0, confirmed.output
        assert current_revision(engine) is None
    finally:
        engine.dispose()
