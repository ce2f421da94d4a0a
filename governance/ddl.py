"""Database rules that SQLAlchemy's table DDL cannot express (triggers), per dialect.

Each domain's models module calls `register()` with its statements; the migrations execute
`statements(dialect)` so the same rules hold on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Sequence

_REGISTRY: dict[str, dict[str, list[str]]] = {}


def register(name: str, *, sqlite: list[str], postgresql: list[str]) -> None:
    """Register named trigger DDL for both dialects (idempotent by name)."""
    _REGISTRY[name] = {"sqlite": sqlite, "postgresql": postgresql}


def statements(dialect: str, names: Sequence[str] | None = None) -> list[str]:
    """All registered statements for `dialect`, in registration order."""
    chosen = list(names) if names is not None else list(_REGISTRY)
    return [stmt for name in chosen for stmt in _REGISTRY[name][dialect]]


def names() -> list[str]:
    """Names of all registered rule sets."""
    return list(_REGISTRY)


def register_append_only(
    table: str, *, frozen_columns: Sequence[str] = (), mutable_columns: Sequence[str] = ()
) -> None:
    """Refuse DELETE on `table`, and UPDATE unless only `mutable_columns` change.

    With no mutable columns every UPDATE is refused. With mutable columns, `frozen_columns`
    must name every other column (SQLite compares them one by one).
    """
    msg = f"{table} is append-only"
    if mutable_columns:
        changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in frozen_columns)
        sqlite_when = f"WHEN {changed} "
        keep = ", ".join(f"'{c}'" for c in mutable_columns)
        pg_allow = (
            f"IF TG_OP = 'UPDATE' AND (to_jsonb(NEW) - ARRAY[{keep}]) = "
            f"(to_jsonb(OLD) - ARRAY[{keep}]) THEN RETURN NEW; END IF; "
        )
    else:
        sqlite_when, pg_allow = "", ""
    register(
        f"{table}_append_only",
        sqlite=[
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} {sqlite_when}"
            f"BEGIN SELECT RAISE(ABORT, '{msg}'); END",
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{msg}'); END",
        ],
        postgresql=[
            f"CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger "
            f"LANGUAGE plpgsql AS $$ BEGIN {pg_allow}RAISE EXCEPTION '{msg}'; END $$",
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()",
        ],
    )
