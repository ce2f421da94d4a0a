"""Dump and restore the database, per dialect.

SQLite in WAL mode cannot be copied with `cp` (committed pages may still sit in the WAL):
`VACUUM INTO` writes a consistent snapshot into a fresh, compact file (without the free pages
that may still hold deleted rows), read in one read transaction that never blocks the app's
writers. The restore writes it into the target through SQLite's online backup API.
PostgreSQL: `pg_dump --format=custom` and `pg_restore --single-transaction` (the client tools
of the server's major version or newer must be installed), with the connection from the app's
database URL passed in libpq's environment variables, never on the command line.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine, make_url

from governance.backup.archive import DATABASE_FILES, BackupError

# libpq environment variables for the query parameters a database URL may carry.
PG_QUERY_ENV = {
    "host": "PGHOST",
    "port": "PGPORT",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "passfile": "PGPASSFILE",
    "connect_timeout": "PGCONNECT_TIMEOUT",
}


def dump(*, engine: Engine, into: Path) -> Path:
    """Write a consistent dump of the database into the directory `into`; return its path."""
    target = into / DATABASE_FILES[_dialect(engine)]
    if engine.dialect.name == "sqlite":
        source = _sqlite_path(engine)
        if not source.is_file():
            raise BackupError(f"there is no database file {source}")
        with _sqlite(source) as conn:
            conn.execute("VACUUM INTO ?", (str(target),))
        with _sqlite(target) as conn:
            conn.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    else:
        _run("pg_dump", ["--format=custom", "--no-password", f"--file={target}"], engine)
    return target


def restore(*, engine: Engine, dump_file: Path) -> None:
    """Write the dump into the database of `engine` (which `wipe` emptied, or was empty)."""
    engine.dispose()  # no pooled connection of ours may hold the old database open
    if engine.dialect.name == "sqlite":
        target = _sqlite_path(engine)
        target.parent.mkdir(parents=True, exist_ok=True)
        with _sqlite(dump_file) as source, _sqlite(target) as conn:
            source.backup(conn)
            conn.execute("PRAGMA journal_mode=WAL")
        return
    name = make_url(engine.url).database or ""
    args = ["--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error"]
    _run("pg_restore", [*args, "--no-password", f"--dbname={name}", str(dump_file)], engine)


def contents(*, engine: Engine) -> list[str]:
    """The tables the database holds (empty: a fresh database)."""
    return sorted(inspect(engine).get_table_names())


def wipe(*, engine: Engine) -> None:
    """Drop every table, view, sequence and function of the app's schema (PostgreSQL; on
    SQLite the backup API replaces the whole file anyway)."""
    if engine.dialect.name == "sqlite":
        return
    queries = [
        "SELECT format('DROP VIEW IF EXISTS %I CASCADE', viewname) FROM pg_views "
        "WHERE schemaname = current_schema()",
        "SELECT format('DROP TABLE IF EXISTS %I CASCADE', tablename) FROM pg_tables "
        "WHERE schemaname = current_schema()",
        "SELECT format('DROP SEQUENCE IF EXISTS %I CASCADE', sequencename) FROM pg_sequences "
        "WHERE schemaname = current_schema()",
        "SELECT format('DROP FUNCTION IF EXISTS %s CASCADE', p.oid::regprocedure) FROM pg_proc p "
        "WHERE p.pronamespace = current_schema()::regnamespace AND p.prokind = 'f' "
        # An extension's functions (pageinspect, say) belong to the extension, not the app.
        "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass "
        "AND d.objid = p.oid AND d.deptype = 'e')",
    ]
    with engine.begin() as conn:
        for query in queries:
            for statement in conn.execute(text(query)).scalars().all():
                conn.execute(text(statement))


def _dialect(engine: Engine) -> str:
    name = engine.dialect.name
    if name not in DATABASE_FILES:
        raise BackupError(f"backups of {name} databases are not supported")
    return name


def _sqlite_path(engine: Engine) -> Path:
    database = make_url(engine.url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupError(f"cannot back up or restore the SQLite database {database!r}")
    return Path(database)


class _sqlite:
    """A plain sqlite3 connection (no app locking) that is closed, not only committed."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, timeout=30, isolation_level=None)

    def __enter__(self) -> sqlite3.Connection:
        return self.conn

    def __exit__(self, *_exc: object) -> None:
        self.conn.close()


def _run(tool: str, args: list[str], engine: Engine) -> None:
    executable = shutil.which(tool)
    if executable is None:
        raise BackupError(
            f"{tool} is not installed: install the PostgreSQL client tools (Debian: "
            "postgresql-client) of the server's major version or newer"
        )
    result = subprocess.run(  # noqa: S603  (a fixed tool, arguments as a list)
        [executable, *args], env=_pg_env(engine), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        raise BackupError(f"{tool} failed: {lines[-1] if lines else f'exit {result.returncode}'}")


def _pg_env(engine: Engine) -> dict[str, str]:
    url = make_url(engine.url)
    env = dict(os.environ)
    for key, value in {
        "PGHOST": url.host,
        "PGPORT": str(url.port) if url.port else None,
        "PGUSER": url.username,
        "PGPASSWORD": url.password,
        "PGDATABASE": url.database,
    }.items():
        if value:
            env[key] = str(value)
    for key, var in PG_QUERY_ENV.items():
        value = url.query.get(key)
        if value:
            env[var] = value if isinstance(value, str) else value[0]
    return env
