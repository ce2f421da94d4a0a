"""bodies and seats (issue #15): who sits on which body, since when and until when

The tables and their triggers (bodies/ddl.py "seat_rules", "seat_append_only"), copied as
literal SQL so that the revision stays what it was.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 12:14:08.030271
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

import governance.db

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


TRIGGERS_SQLITE = [
    "CREATE TRIGGER seat_overlap_insert AFTER INSERT ON seat WHEN EXISTS (SELECT 1 FROM seat x WHERE x.body_id = NEW.body_id AND x.id <> NEW.id AND ((NEW.member_id IS NOT NULL AND x.member_id = NEW.member_id) OR (NEW.user_id IS NOT NULL AND x.user_id = NEW.user_id)) AND x.starts_on <= COALESCE(NEW.ends_on, '9999-12-31') AND NEW.starts_on <= COALESCE(x.ends_on, '9999-12-31')) BEGIN SELECT RAISE(ABORT, 'seat: one person holds at most one seat in a body on any day'); END",
    "CREATE TRIGGER seat_exclusive_insert AFTER INSERT ON seat WHEN (SELECT b.kind FROM body b WHERE b.id = NEW.body_id) IN ('BOARD', 'SUPERVISORY_BOARD') AND EXISTS (SELECT 1 FROM seat x JOIN body b ON b.id = x.body_id WHERE x.member_id = NEW.member_id AND b.kind IN ('BOARD', 'SUPERVISORY_BOARD') AND b.kind <> (SELECT b.kind FROM body b WHERE b.id = NEW.body_id) AND x.starts_on <= COALESCE(NEW.ends_on, '9999-12-31') AND NEW.starts_on <= COALESCE(x.ends_on, '9999-12-31')) BEGIN SELECT RAISE(ABORT, 'seat: nobody sits on the board and the supervisory board at the same time'); END",
    "CREATE TRIGGER seat_members_only_insert BEFORE INSERT ON seat WHEN NEW.member_id IS NULL AND (SELECT b.kind FROM body b WHERE b.id = NEW.body_id) IN ('BOARD', 'SUPERVISORY_BOARD', 'REPRESENTATIVE_ASSEMBLY') BEGIN SELECT RAISE(ABORT, 'seat: the seats of this body are held by members'); END",
    "CREATE TRIGGER seat_overlap_update AFTER UPDATE ON seat WHEN EXISTS (SELECT 1 FROM seat x WHERE x.body_id = NEW.body_id AND x.id <> NEW.id AND ((NEW.member_id IS NOT NULL AND x.member_id = NEW.member_id) OR (NEW.user_id IS NOT NULL AND x.user_id = NEW.user_id)) AND x.starts_on <= COALESCE(NEW.ends_on, '9999-12-31') AND NEW.starts_on <= COALESCE(x.ends_on, '9999-12-31')) BEGIN SELECT RAISE(ABORT, 'seat: one person holds at most one seat in a body on any day'); END",
    "CREATE TRIGGER seat_exclusive_update AFTER UPDATE ON seat WHEN (SELECT b.kind FROM body b WHERE b.id = NEW.body_id) IN ('BOARD', 'SUPERVISORY_BOARD') AND EXISTS (SELECT 1 FROM seat x JOIN body b ON b.id = x.body_id WHERE x.member_id = NEW.member_id AND b.kind IN ('BOARD', 'SUPERVISORY_BOARD') AND b.kind <> (SELECT b.kind FROM body b WHERE b.id = NEW.body_id) AND x.starts_on <= COALESCE(NEW.ends_on, '9999-12-31') AND NEW.starts_on <= COALESCE(x.ends_on, '9999-12-31')) BEGIN SELECT RAISE(ABORT, 'seat: nobody sits on the board and the supervisory board at the same time'); END",
    "CREATE TRIGGER seat_members_only_update BEFORE UPDATE ON seat WHEN NEW.member_id IS NULL AND (SELECT b.kind FROM body b WHERE b.id = NEW.body_id) IN ('BOARD', 'SUPERVISORY_BOARD', 'REPRESENTATIVE_ASSEMBLY') BEGIN SELECT RAISE(ABORT, 'seat: the seats of this body are held by members'); END",
    "CREATE TRIGGER body_no_delete BEFORE DELETE ON body BEGIN SELECT RAISE(ABORT, 'body: a body is never deleted and keeps its kind'); END",
    "CREATE TRIGGER body_kind_fixed BEFORE UPDATE ON body WHEN NEW.kind IS NOT OLD.kind BEGIN SELECT RAISE(ABORT, 'body: a body is never deleted and keeps its kind'); END",
    "CREATE TRIGGER seat_no_update BEFORE UPDATE ON seat WHEN NEW.id IS NOT OLD.id OR NEW.body_id IS NOT OLD.body_id OR NEW.member_id IS NOT OLD.member_id OR NEW.user_id IS NOT OLD.user_id OR NEW.origin IS NOT OLD.origin OR NEW.poll_id IS NOT OLD.poll_id OR NEW.starts_on IS NOT OLD.starts_on OR NEW.created_by_id IS NOT OLD.created_by_id OR NEW.created_at IS NOT OLD.created_at BEGIN SELECT RAISE(ABORT, 'seat is append-only'); END",
    "CREATE TRIGGER seat_no_delete BEFORE DELETE ON seat BEGIN SELECT RAISE(ABORT, 'seat is append-only'); END",
]
TRIGGERS_POSTGRESQL = [
    "CREATE OR REPLACE FUNCTION seat_rules() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_advisory_xact_lock(hashtext('seat:' || COALESCE(NEW.member_id::text, 'u' || NEW.user_id::text))); IF NEW.member_id IS NULL AND (SELECT b.kind FROM body b WHERE b.id = NEW.body_id) IN ('BOARD', 'SUPERVISORY_BOARD', 'REPRESENTATIVE_ASSEMBLY') THEN RAISE EXCEPTION 'seat: the seats of this body are held by members'; END IF; IF EXISTS (SELECT 1 FROM seat x WHERE x.body_id = NEW.body_id AND x.id <> NEW.id AND ((NEW.member_id IS NOT NULL AND x.member_id = NEW.member_id) OR (NEW.user_id IS NOT NULL AND x.user_id = NEW.user_id)) AND x.starts_on <= COALESCE(NEW.ends_on, DATE '9999-12-31') AND NEW.starts_on <= COALESCE(x.ends_on, DATE '9999-12-31')) THEN RAISE EXCEPTION 'seat: one person holds at most one seat in a body on any day'; END IF; IF (SELECT b.kind FROM body b WHERE b.id = NEW.body_id) IN ('BOARD', 'SUPERVISORY_BOARD') AND EXISTS (SELECT 1 FROM seat x JOIN body b ON b.id = x.body_id WHERE x.member_id = NEW.member_id AND b.kind IN ('BOARD', 'SUPERVISORY_BOARD') AND b.kind <> (SELECT b.kind FROM body b WHERE b.id = NEW.body_id) AND x.starts_on <= COALESCE(NEW.ends_on, DATE '9999-12-31') AND NEW.starts_on <= COALESCE(x.ends_on, DATE '9999-12-31')) THEN RAISE EXCEPTION 'seat: nobody sits on the board and the supervisory board at the same time'; END IF; RETURN NEW; END $$",
    "CREATE TRIGGER seat_rules BEFORE INSERT OR UPDATE ON seat FOR EACH ROW EXECUTE FUNCTION seat_rules()",
    "CREATE OR REPLACE FUNCTION body_rules() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF TG_OP = 'DELETE' OR NEW.kind IS DISTINCT FROM OLD.kind THEN RAISE EXCEPTION 'body: a body is never deleted and keeps its kind'; END IF; RETURN NEW; END $$",
    "CREATE TRIGGER body_rules BEFORE UPDATE OR DELETE ON body FOR EACH ROW EXECUTE FUNCTION body_rules()",
    "CREATE OR REPLACE FUNCTION seat_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF TG_OP = 'UPDATE' AND (to_jsonb(NEW) - ARRAY['ends_on', 'function', 'note']) = (to_jsonb(OLD) - ARRAY['ends_on', 'function', 'note']) THEN RETURN NEW; END IF; RAISE EXCEPTION 'seat is append-only'; END $$",
    "CREATE TRIGGER seat_append_only BEFORE UPDATE OR DELETE ON seat FOR EACH ROW EXECUTE FUNCTION seat_append_only()",
]


def upgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table(
        "body",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "BOARD",
                "SUPERVISORY_BOARD",
                "COMMITTEE",
                "WORKING_GROUP",
                "REPRESENTATIVE_ASSEMBLY",
                name="body_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=2000), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("quorum_percent", sa.Integer(), server_default="50", nullable=False),
        sa.Column("notice_days", sa.Integer(), server_default="7", nullable=False),
        sa.Column(
            "circular_rule",
            sa.Enum(
                "NO_OBJECTION_MAJORITY_OF_SEATS",
                "UNANIMOUS",
                name="circular_rule",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            server_default="NO_OBJECTION_MAJORITY_OF_SEATS",
            nullable=False,
        ),
        sa.Column("dissolved_on", sa.Date(), nullable=True),
        sa.Column("created_at", governance.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("length(name) > 0", name="ck_body_name"),
        sa.CheckConstraint("notice_days >= 0 AND notice_days <= 60", name="ck_body_notice_days"),
        sa.CheckConstraint("parent_id IS NULL OR parent_id <> id", name="ck_body_parent"),
        sa.CheckConstraint(
            "quorum_percent >= 0 AND quorum_percent < 100", name="ck_body_quorum_percent"
        ),
        sa.ForeignKeyConstraint(["parent_id"], ["body.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("body", schema=None) as batch_op:
        batch_op.create_index("uq_body_name", ["name"], unique=True)
        batch_op.create_index(
            "uq_body_single_kind",
            ["kind"],
            unique=True,
            sqlite_where=sa.text(
                "kind IN ('BOARD', 'SUPERVISORY_BOARD', 'REPRESENTATIVE_ASSEMBLY')"
            ),
            postgresql_where=sa.text(
                "kind IN ('BOARD', 'SUPERVISORY_BOARD', 'REPRESENTATIVE_ASSEMBLY')"
            ),
        )

    op.create_table(
        "seat",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column(
            "function",
            sa.Enum(
                "CHAIR",
                "DEPUTY",
                "MEMBER",
                name="seat_function",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "origin",
            sa.Enum(
                "ELECTED",
                "APPOINTED",
                "CO_OPTED",
                name="seat_origin",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("poll_id", sa.Integer(), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", governance.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "origin <> 'ELECTED' OR poll_id IS NOT NULL", name="ck_seat_elected_poll"
        ),
        sa.CheckConstraint("(member_id IS NULL) <> (user_id IS NULL)", name="ck_seat_one_person"),
        sa.CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="ck_seat_term"),
        sa.ForeignKeyConstraint(["body_id"], ["body.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["poll_id"], ["poll.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("seat", schema=None) as batch_op:
        batch_op.create_index("ix_seat_body", ["body_id", "starts_on"], unique=False)
        batch_op.create_index("ix_seat_member", ["member_id"], unique=False)
        batch_op.create_index("ix_seat_user", ["user_id"], unique=False)

    # ### end Alembic commands ###
    dialect = op.get_bind().dialect.name
    for statement in TRIGGERS_POSTGRESQL if dialect == "postgresql" else TRIGGERS_SQLITE:
        op.execute(statement)


def downgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table("seat", schema=None) as batch_op:
        batch_op.drop_index("ix_seat_user")
        batch_op.drop_index("ix_seat_member")
        batch_op.drop_index("ix_seat_body")

    op.drop_table("seat")
    with op.batch_alter_table("body", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_body_single_kind",
            sqlite_where=sa.text(
                "kind IN ('BOARD', 'SUPERVISORY_BOARD', 'REPRESENTATIVE_ASSEMBLY')"
            ),
            postgresql_where=sa.text(
                "kind IN ('BOARD', 'SUPERVISORY_BOARD', 'REPRESENTATIVE_ASSEMBLY')"
            ),
        )
        batch_op.drop_index("uq_body_name")

    # A committee points at its parent body: SQLite's implicit DELETE of DROP TABLE checks
    # that self-reference row by row.
    op.execute("UPDATE body SET parent_id = NULL")
    op.drop_table("body")
    # ### end Alembic commands ###
    if op.get_bind().dialect.name == "postgresql":
        for function in ("seat_rules", "body_rules", "seat_append_only"):
            op.execute(f"DROP FUNCTION IF EXISTS {function}()")
