"""meetings of a body (issue #15): an assembly names the body it is a meeting of, and guests

`assembly.body_id` (required for every body but the general assembly, by trigger) and
the table `meeting_guest`. Existing meetings of a board, supervisory board, representative
assembly or committee are given the body of that kind (created if there is none yet; its
seats come with the role grants migrated to seats). The triggers of assemblies/ddl.py
"assembly_body" are copied below as literal SQL. The column is added in place: copying
`assembly` on SQLite would cascade into the append-only tables that reference it.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 12:26:44.499006
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

import governance.db

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

TRIGGERS_SQLITE = [
    "CREATE TRIGGER assembly_body_insert BEFORE INSERT ON assembly WHEN (NEW.body = 'GENERAL_ASSEMBLY') <> (NEW.body_id IS NULL) OR (NEW.body_id IS NOT NULL AND NEW.body <> (SELECT CASE WHEN b.kind = 'WORKING_GROUP' THEN 'COMMITTEE' ELSE b.kind END FROM body b WHERE b.id = NEW.body_id)) BEGIN SELECT RAISE(ABORT, 'a meeting names its body, keeps it and states its kind'); END",
    "CREATE TRIGGER assembly_body_update BEFORE UPDATE ON assembly WHEN NEW.body_id IS NOT OLD.body_id OR (NEW.body = 'GENERAL_ASSEMBLY') <> (NEW.body_id IS NULL) OR (NEW.body_id IS NOT NULL AND NEW.body <> (SELECT CASE WHEN b.kind = 'WORKING_GROUP' THEN 'COMMITTEE' ELSE b.kind END FROM body b WHERE b.id = NEW.body_id)) BEGIN SELECT RAISE(ABORT, 'a meeting names its body, keeps it and states its kind'); END",
    "CREATE TRIGGER meeting_guest_body BEFORE INSERT ON meeting_guest WHEN NOT EXISTS (SELECT 1 FROM assembly a WHERE a.id = NEW.assembly_id AND a.body_id IS NOT NULL) BEGIN SELECT RAISE(ABORT, 'guests are invited to meetings of a body only'); END",
    "CREATE TRIGGER meeting_guest_fixed BEFORE UPDATE ON meeting_guest BEGIN SELECT RAISE(ABORT, 'guests are invited to meetings of a body only'); END",
]
TRIGGERS_POSTGRESQL = [
    "CREATE OR REPLACE FUNCTION assembly_body() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF (TG_OP = 'UPDATE' AND NEW.body_id IS DISTINCT FROM OLD.body_id) OR ((NEW.body = 'GENERAL_ASSEMBLY') <> (NEW.body_id IS NULL) OR (NEW.body_id IS NOT NULL AND NEW.body <> (SELECT CASE WHEN b.kind = 'WORKING_GROUP' THEN 'COMMITTEE' ELSE b.kind END FROM body b WHERE b.id = NEW.body_id))) THEN RAISE EXCEPTION 'a meeting names its body, keeps it and states its kind'; END IF; RETURN NEW; END $$",
    "CREATE TRIGGER assembly_body BEFORE INSERT OR UPDATE ON assembly FOR EACH ROW EXECUTE FUNCTION assembly_body()",
    "CREATE OR REPLACE FUNCTION meeting_guest_body() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF TG_OP = 'UPDATE' OR NOT EXISTS (SELECT 1 FROM assembly a WHERE a.id = NEW.assembly_id AND a.body_id IS NOT NULL) THEN RAISE EXCEPTION 'guests are invited to meetings of a body only'; END IF; RETURN NEW; END $$",
    "CREATE TRIGGER meeting_guest_body BEFORE INSERT OR UPDATE ON meeting_guest FOR EACH ROW EXECUTE FUNCTION meeting_guest_body()",
]
# The bodies existing meetings are given (kind, name); a working group met as a committee.
BODIES = (
    ("BOARD", "Vorstand"),
    ("SUPERVISORY_BOARD", "Aufsichtsrat"),
    ("REPRESENTATIVE_ASSEMBLY", "Vertreterversammlung"),
    ("COMMITTEE", "Ausschuss"),
)


def _give_bodies() -> None:
    bind = op.get_bind()
    for kind, name in BODIES:
        if not bind.execute(
            sa.text("SELECT 1 FROM assembly WHERE body = :k LIMIT 1"), {"k": kind}
        ).first():
            continue
        row = bind.execute(
            sa.text("SELECT id FROM body WHERE kind = :k ORDER BY id LIMIT 1"), {"k": kind}
        ).first()
        if row is None:
            bind.execute(
                sa.text(
                    "INSERT INTO body (kind, name, description, quorum_percent, notice_days, "
                    "circular_rule, created_at) VALUES (:k, :n, '', 50, 7, "
                    "'NO_OBJECTION_MAJORITY_OF_SEATS', CURRENT_TIMESTAMP)"
                ),
                {"k": kind, "n": name},
            )
            row = bind.execute(
                sa.text("SELECT id FROM body WHERE kind = :k ORDER BY id LIMIT 1"), {"k": kind}
            ).first()
        bind.execute(
            sa.text("UPDATE assembly SET body_id = :b WHERE body = :k"), {"b": row[0], "k": kind}
        )


def _create_triggers() -> None:
    dialect = op.get_bind().dialect.name
    for statement in TRIGGERS_SQLITE if dialect == "sqlite" else TRIGGERS_POSTGRESQL:
        op.execute(statement)


def upgrade() -> None:
    op.create_table(
        "meeting_guest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assembly_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("invited_by_id", sa.Integer(), nullable=True),
        sa.Column("invited_at", governance.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["assembly_id"], ["assembly.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["invited_by_id"], ["user.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("assembly_id", "user_id", name="uq_meeting_guest"),
    )
    # Added in place (no table copy: `assembly` is referenced by append-only tables).
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE assembly ADD COLUMN body_id INTEGER REFERENCES body (id)")
    else:
        op.add_column("assembly", sa.Column("body_id", sa.Integer(), nullable=True))
        op.create_foreign_key("fk_assembly_body", "assembly", "body", ["body_id"], ["id"])
    _give_bodies()
    _create_triggers()


def _drop_triggers() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in TRIGGERS_SQLITE:
            op.execute(f"DROP TRIGGER IF EXISTS {statement.split()[2]}")
        return
    for name, table in (("assembly_body", "assembly"), ("meeting_guest_body", "meeting_guest")):
        op.execute(f'DROP TRIGGER IF EXISTS {name} ON "{table}"')
        op.execute(f"DROP FUNCTION IF EXISTS {name}()")


def downgrade() -> None:
    _drop_triggers()
    op.drop_table("meeting_guest")
    if op.get_bind().dialect.name == "sqlite":
        # In place too (SQLite 3.35+): no copy of `assembly`, no cascade.
        op.execute("ALTER TABLE assembly DROP COLUMN body_id")
    else:
        op.drop_constraint("fk_assembly_body", "assembly", type_="foreignkey")
        op.drop_column("assembly", "body_id")
