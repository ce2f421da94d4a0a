"""Helpers for the incremental revisions that follow the frozen initial migration.

The rules that protect the ledger, the ballot box and the audit log are triggers, registered
per domain in `governance.ddl`. On SQLite, Alembic's batch operations (`op.batch_alter_table`)
copy a table into a new one and drop the old one — and its triggers with it. A revision that
batch-alters a table therefore ends with `recreate_triggers(op, "<table>")`:

    with op.batch_alter_table("audit_event") as batch:
        batch.alter_column("event_type", type_=sa.String(80))
    recreate_triggers(op, "audit_event")

It drops and re-creates the table's triggers (on PostgreSQL with their functions) as the
registry states them now, on both dialects: PostgreSQL alters in place and keeps them, except
with `recreate="always"`, which copies the table there too (re-creating is harmless anyway). A revision that changes a trigger itself writes the new SQL
into the revision instead, so the revision means the same whenever it runs.
`trigger_differences` compares a database's triggers with the registry; the tests run it on a
migrated database and fail on any trigger missing, extra or different.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

_TRIGGER = re.compile(r'^CREATE TRIGGER (\w+)\s.*?\sON\s+"?(\w+)"?', re.S)
_FUNCTION = re.compile(r"^CREATE OR REPLACE FUNCTION (\w+)\(")
_EXECUTES = re.compile(r"EXECUTE FUNCTION (\w+)\(")
_BODY = re.compile(r"\$\$(.*)\$\$", re.S)


@dataclass(frozen=True)
class Trigger:
    name: str
    table: str
    statement: str
    function: str | None = None  # PostgreSQL: the trigger function it executes


def registered_triggers(dialect: str) -> dict[str, Trigger]:
    """The triggers of the registry (`governance.ddl`) for `dialect`, by name."""
    import governance.models  # noqa: F401  (every domain registers its rules on import)
    from governance import ddl

    found = {}
    for statement in ddl.statements(dialect):
        match = _TRIGGER.match(statement)
        if match:
            executes = _EXECUTES.search(statement)
            function = executes.group(1) if executes else None
            found[match.group(1)] = Trigger(match.group(1), match.group(2), statement, function)
    return found


def registered_functions() -> dict[str, str]:
    """PostgreSQL: the trigger functions of the registry, name → CREATE OR REPLACE statement."""
    import governance.models  # noqa: F401
    from governance import ddl

    functions = {}
    for statement in ddl.statements("postgresql"):
        match = _FUNCTION.match(statement)
        if match:
            functions[match.group(1)] = statement
    return functions


def recreate_triggers(op: Any, table: str) -> None:
    """Drop and re-create the registered triggers of `table` (after a batch operation)."""
    dialect = op.get_bind().dialect.name
    triggers = [t for t in registered_triggers(dialect).values() if t.table == table]
    if not triggers:
        raise LookupError(f"no trigger of table {table!r} is registered in governance.ddl")
    functions = registered_functions() if dialect == "postgresql" else {}
    for function in dict.fromkeys(t.function for t in triggers if t.function):
        op.execute(functions[function])
    for trigger in triggers:
        on = f' ON "{table}"' if dialect == "postgresql" else ""
        op.execute(f'DROP TRIGGER IF EXISTS "{trigger.name}"{on}')
        op.execute(trigger.statement)


def installed_triggers(connection: Connection) -> dict[str, tuple[str, str]]:
    """The triggers in the database: name → (table, definition to compare).

    SQLite keeps the CREATE statement as written; PostgreSQL's comparable definition is the
    body of the function the trigger executes.
    """
    if connection.dialect.name == "sqlite":
        rows = connection.execute(
            text("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")
        ).all()
        return {name: (table, sql) for name, table, sql in rows}
    rows = connection.execute(
        text(
            "SELECT t.tgname, c.relname, p.prosrc FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid "
            "WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace"
        )
    ).all()
    return {name: (table, source) for name, table, source in rows}


def trigger_differences(connection: Connection) -> list[str]:
    """Every difference between the database's triggers and the registry, one line each."""
    dialect = connection.dialect.name
    expected = registered_triggers(dialect)
    installed = installed_triggers(connection)
    functions = registered_functions() if dialect == "postgresql" else {}
    problems = [
        f"missing trigger {name} on {expected[name].table}"
        for name in sorted(expected.keys() - installed.keys())
    ]
    problems += [
        f"extra trigger {name} on {installed[name][0]} (not in governance.ddl)"
        for name in sorted(installed.keys() - expected.keys())
    ]
    for name in sorted(expected.keys() & installed.keys()):
        trigger, (table, definition) = expected[name], installed[name]
        if dialect == "postgresql":
            body = _BODY.search(functions.get(trigger.function or "", ""))
            wanted = body.group(1) if body else None
        else:
            wanted = trigger.statement
        if table != trigger.table or definition != wanted:
            problems.append(f"trigger {name} on {table} differs from governance.ddl")
    return problems
