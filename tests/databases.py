"""Test databases: a migrated template per backend, a fresh copy for every test.

SQLite: the template file is copied per test. PostgreSQL: each test run (and xdist worker) gets
its own database, emptied between tests: DELETE with triggers off (session_replication_role =
replica, which lets it pass the append-only triggers) and sequences restarted — ten times faster
than TRUNCATE; TRUNCATE remains the fallback for a role that may not switch triggers off. With CI=true an unreachable PostgreSQL fails the run; elsewhere
the PostgreSQL tests skip and say why.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import SQLModel

from governance.db import make_engine
from governance.migrations.runner import upgrade

PG_ADMIN_URL = os.environ.get(
    "GOVERNANCE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


class SqliteDatabase:
    backend = "sqlite"

    def __init__(self, root: Path) -> None:
        self.root = root
        self.template = root / "template.sqlite3"
        engine = make_engine(f"sqlite:///{self.template}")
        upgrade(engine)
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()

    def fresh_url(self) -> str:
        target = self.root / f"t-{uuid.uuid4().hex}.sqlite3"
        shutil.copyfile(self.template, target)
        return f"sqlite:///{target}"

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


class PostgresDatabase:
    backend = "postgresql"

    def __init__(self, name: str) -> None:
        self.name = name
        self.admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        base = PG_ADMIN_URL.rsplit("/", 1)[0]
        self.url = f"{base}/{name}"
        engine = make_engine(self.url)
        upgrade(engine)
        tables = [t.name for t in SQLModel.metadata.sorted_tables]
        self._truncate = (
            "TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"
        )
        with engine.connect() as conn:
            sequences = conn.execute(
                text("SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()")
            ).scalars()
            self._delete = [
                "SET LOCAL session_replication_role = replica",
                *(f'DELETE FROM "{t}"' for t in reversed(tables)),
                *(f'ALTER SEQUENCE "{seq}" RESTART' for seq in sequences),
            ]
        engine.dispose()
        self._engine = create_engine(self.url, pool_size=1)
        self._fast = True

    def fresh_url(self) -> str:
        if self._fast:
            try:
                with self._engine.begin() as conn:
                    for statement in self._delete:
                        conn.execute(text(statement))
                return self.url
            except DBAPIError:  # not allowed to switch triggers off: truncate instead
                self._fast = False
        with self._engine.begin() as conn:
            conn.execute(text(self._truncate))
        return self.url

    def close(self) -> None:
        self._engine.dispose()
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self.admin.dispose()


def postgres_available() -> str | None:
    """None when PostgreSQL answers, else the reason it does not."""
    try:
        engine = create_engine(PG_ADMIN_URL)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:
        return f"PostgreSQL at {PG_ADMIN_URL} is not reachable ({type(exc).__name__})"
    return None


def open_database(backend: str, tmp_root: Path, worker: str) -> SqliteDatabase | PostgresDatabase:
    if backend == "sqlite":
        return SqliteDatabase(tmp_root)
    reason = postgres_available()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(reason + " and CI=true requires it", pytrace=False)
        pytest.skip(reason)
    return PostgresDatabase(f"governance_test_{worker}_{os.getpid()}_{uuid.uuid4().hex[:6]}")


@contextmanager
def empty_database(backend: str, tmp_path: Path) -> Iterator[str]:
    """The URL of a brand-new empty database of `backend` (a throwaway PostgreSQL database)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / f'empty-{uuid.uuid4().hex[:8]}.sqlite3'}"
        return
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"governance_empty_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
