"""Tampering as an attacker with the database would: raw SQL past the append-only triggers.

SQLite: the triggers are dropped for the statements and re-created afterwards (and foreign
keys are off). PostgreSQL: `SET LOCAL session_replication_role = replica` switches off every
trigger (including foreign keys) for the one transaction; it needs a superuser, as tampering does.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Engine


def _sqlite(engine: Engine, statements: tuple[str, ...], params: dict[str, Any]) -> None:
    # The raw connection is in autocommit mode (see governance.db): PRAGMA takes effect here.
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("PRAGMA foreign_keys=OFF")
        cur.execute("BEGIN IMMEDIATE")
        triggers = cur.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
        ).fetchall()
        for name, _sql in triggers:
            cur.execute(f'DROP TRIGGER "{name}"')
        for stmt in statements:
            cur.execute(stmt, params)
        for _name, sql in triggers:
            cur.execute(sql)
        cur.execute("COMMIT")
        cur.execute("PRAGMA foreign_keys=ON")
    finally:
        raw.close()


def _postgres(engine: Engine, statements: tuple[str, ...], params: dict[str, Any]) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        for stmt in statements:
            conn.execute(text(stmt), params)


def tamper(engine: Engine, *statements: str, **params: Any) -> None:
    """Run `statements` in one transaction with every trigger bypassed."""
    if engine.dialect.name == "sqlite":
        _sqlite(engine, statements, params)
    else:
        _postgres(engine, statements, params)
