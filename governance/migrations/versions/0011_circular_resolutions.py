"""circular resolutions of the bodies (issue #15): the motion, its frozen electorate, the named
votes and the minutes-book PDF

The tables and their triggers (bodies/ddl_circulars.py "circular_rules" and the append-only
rules), copied as literal SQL so that the revision stays what it was.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 12:24:10.519456
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

import governance.db

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


TRIGGERS_SQLITE = [
    "CREATE TRIGGER circular_concluded BEFORE UPDATE ON circular WHEN OLD.state <> 'OPEN' BEGIN SELECT RAISE(ABORT, 'circular: a concluded circular never changes'); END",
    "CREATE TRIGGER circular_seat_open BEFORE INSERT ON circular_seat WHEN (SELECT c.state FROM circular c WHERE c.id = NEW.circular_id) <> 'OPEN' BEGIN SELECT RAISE(ABORT, 'circular_seat: the electorate is frozen when the circular is sent'); END",
    "CREATE TRIGGER circular_vote_open BEFORE INSERT ON circular_vote WHEN (SELECT c.state FROM circular c WHERE c.id = NEW.circular_id) <> 'OPEN' BEGIN SELECT RAISE(ABORT, 'circular_vote: the circular is no longer open'); END",
    "CREATE TRIGGER circular_vote_deadline BEFORE INSERT ON circular_vote WHEN datetime('now') > datetime((SELECT c.deadline FROM circular c WHERE c.id = NEW.circular_id)) BEGIN SELECT RAISE(ABORT, 'circular_vote: the deadline has passed'); END",
    "CREATE TRIGGER circular_vote_person BEFORE INSERT ON circular_vote WHEN NOT EXISTS (SELECT 1 FROM seat s JOIN \"user\" u ON u.id = NEW.user_id WHERE s.id = NEW.seat_id AND (s.user_id = u.id OR s.member_id = u.member_id)) BEGIN SELECT RAISE(ABORT, 'circular_vote: only the person holding the seat votes'); END",
    "CREATE TRIGGER circular_no_update BEFORE UPDATE ON circular WHEN NEW.id IS NOT OLD.id OR NEW.body_id IS NOT OLD.body_id OR NEW.title IS NOT OLD.title OR NEW.motion IS NOT OLD.motion OR NEW.reasoning IS NOT OLD.reasoning OR NEW.rule IS NOT OLD.rule OR NEW.sent_at IS NOT OLD.sent_at OR NEW.sent_by_id IS NOT OLD.sent_by_id OR NEW.deadline IS NOT OLD.deadline OR NEW.seat_count IS NOT OLD.seat_count BEGIN SELECT RAISE(ABORT, 'circular is append-only'); END",
    "CREATE TRIGGER circular_no_delete BEFORE DELETE ON circular BEGIN SELECT RAISE(ABORT, 'circular is append-only'); END",
    "CREATE TRIGGER circular_seat_no_update BEFORE UPDATE ON circular_seat BEGIN SELECT RAISE(ABORT, 'circular_seat is append-only'); END",
    "CREATE TRIGGER circular_seat_no_delete BEFORE DELETE ON circular_seat BEGIN SELECT RAISE(ABORT, 'circular_seat is append-only'); END",
    "CREATE TRIGGER circular_vote_no_update BEFORE UPDATE ON circular_vote BEGIN SELECT RAISE(ABORT, 'circular_vote is append-only'); END",
    "CREATE TRIGGER circular_vote_no_delete BEFORE DELETE ON circular_vote BEGIN SELECT RAISE(ABORT, 'circular_vote is append-only'); END",
    "CREATE TRIGGER circular_record_no_update BEFORE UPDATE ON circular_record BEGIN SELECT RAISE(ABORT, 'circular_record is append-only'); END",
    "CREATE TRIGGER circular_record_no_delete BEFORE DELETE ON circular_record BEGIN SELECT RAISE(ABORT, 'circular_record is append-only'); END",
]
TRIGGERS_POSTGRESQL = [
    "CREATE OR REPLACE FUNCTION circular_concluded() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF OLD.state <> 'OPEN' THEN RAISE EXCEPTION 'circular: a concluded circular never changes'; END IF; RETURN NEW; END $$",
    "CREATE TRIGGER circular_concluded BEFORE UPDATE ON circular FOR EACH ROW EXECUTE FUNCTION circular_concluded()",
    "CREATE OR REPLACE FUNCTION circular_seat_open() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF (SELECT c.state FROM circular c WHERE c.id = NEW.circular_id) <> 'OPEN' THEN RAISE EXCEPTION 'circular_seat: the electorate is frozen when the circular is sent'; END IF; RETURN NEW; END $$",
    "CREATE TRIGGER circular_seat_open BEFORE INSERT ON circular_seat FOR EACH ROW EXECUTE FUNCTION circular_seat_open()",
    "CREATE OR REPLACE FUNCTION circular_vote_rules() RETURNS trigger LANGUAGE plpgsql AS $$ DECLARE st text; dl timestamptz; BEGIN SELECT c.state, c.deadline INTO st, dl FROM circular c WHERE c.id = NEW.circular_id FOR UPDATE; IF st <> 'OPEN' THEN RAISE EXCEPTION 'circular_vote: the circular is no longer open'; END IF; IF clock_timestamp() > dl THEN RAISE EXCEPTION 'circular_vote: the deadline has passed'; END IF; IF NOT EXISTS (SELECT 1 FROM seat s JOIN \"user\" u ON u.id = NEW.user_id WHERE s.id = NEW.seat_id AND (s.user_id = u.id OR s.member_id = u.member_id)) THEN RAISE EXCEPTION 'circular_vote: only the person holding the seat votes'; END IF; RETURN NEW; END $$",
    "CREATE TRIGGER circular_vote_rules BEFORE INSERT ON circular_vote FOR EACH ROW EXECUTE FUNCTION circular_vote_rules()",
    "ALTER TABLE circular_record ADD CONSTRAINT ck_circular_record_bytes CHECK (encode(sha256(pdf), 'hex') = pdf_sha256)",
    "CREATE OR REPLACE FUNCTION circular_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF TG_OP = 'UPDATE' AND (to_jsonb(NEW) - ARRAY['state', 'concluded_at', 'yes_count', 'no_count', 'abstain_count', 'objection_count']) = (to_jsonb(OLD) - ARRAY['state', 'concluded_at', 'yes_count', 'no_count', 'abstain_count', 'objection_count']) THEN RETURN NEW; END IF; RAISE EXCEPTION 'circular is append-only'; END $$",
    "CREATE TRIGGER circular_append_only BEFORE UPDATE OR DELETE ON circular FOR EACH ROW EXECUTE FUNCTION circular_append_only()",
    "CREATE OR REPLACE FUNCTION circular_seat_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'circular_seat is append-only'; END $$",
    "CREATE TRIGGER circular_seat_append_only BEFORE UPDATE OR DELETE ON circular_seat FOR EACH ROW EXECUTE FUNCTION circular_seat_append_only()",
    "CREATE OR REPLACE FUNCTION circular_vote_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'circular_vote is append-only'; END $$",
    "CREATE TRIGGER circular_vote_append_only BEFORE UPDATE OR DELETE ON circular_vote FOR EACH ROW EXECUTE FUNCTION circular_vote_append_only()",
    "CREATE OR REPLACE FUNCTION circular_record_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'circular_record is append-only'; END $$",
    "CREATE TRIGGER circular_record_append_only BEFORE UPDATE OR DELETE ON circular_record FOR EACH ROW EXECUTE FUNCTION circular_record_append_only()",
]


def upgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table(
        "circular",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("motion", sa.Text(), nullable=False),
        sa.Column("reasoning", sa.Text(), nullable=False),
        sa.Column(
            "rule",
            sa.Enum(
                "NO_OBJECTION_MAJORITY_OF_SEATS",
                "UNANIMOUS",
                name="circular_rule",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "state",
            sa.Enum(
                "OPEN",
                "ADOPTED",
                "REJECTED",
                "STOPPED",
                name="circular_state",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("sent_at", governance.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_by_id", sa.Integer(), nullable=False),
        sa.Column("deadline", governance.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("seat_count", sa.Integer(), nullable=False),
        sa.Column("concluded_at", governance.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("yes_count", sa.Integer(), nullable=False),
        sa.Column("no_count", sa.Integer(), nullable=False),
        sa.Column("abstain_count", sa.Integer(), nullable=False),
        sa.Column("objection_count", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(state = 'OPEN') = (concluded_at IS NULL)", name="ck_circular_concluded"
        ),
        sa.CheckConstraint("deadline > sent_at", name="ck_circular_deadline"),
        sa.CheckConstraint("length(motion) > 0", name="ck_circular_motion"),
        sa.CheckConstraint("length(title) > 0", name="ck_circular_title"),
        sa.CheckConstraint("seat_count > 0", name="ck_circular_seat_count"),
        sa.CheckConstraint(
            "yes_count >= 0 AND no_count >= 0 AND abstain_count >= 0 AND objection_count >= 0 AND yes_count + no_count + abstain_count + objection_count <= seat_count",
            name="ck_circular_counts",
        ),
        sa.ForeignKeyConstraint(["body_id"], ["body.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["sent_by_id"], ["user.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("circular", schema=None) as batch_op:
        batch_op.create_index("ix_circular_body", ["body_id", "sent_at"], unique=False)
        batch_op.create_index("ix_circular_open", ["state", "deadline"], unique=False)

    op.create_table(
        "circular_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("circular_id", sa.Integer(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=False),
        sa.Column("page_count", sa.Integer(), nullable=False),
        sa.Column("created_at", governance.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("length(pdf_sha256) = 64", name="ck_circular_record_sha"),
        sa.CheckConstraint("page_count > 0", name="ck_circular_record_pages"),
        sa.ForeignKeyConstraint(["circular_id"], ["circular.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("circular_id"),
    )
    op.create_table(
        "circular_seat",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("circular_id", sa.Integer(), nullable=False),
        sa.Column("seat_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["circular_id"], ["circular.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["seat_id"], ["seat.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("circular_id", "seat_id", name="uq_circular_seat"),
    )
    op.create_table(
        "circular_vote",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("circular_id", sa.Integer(), nullable=False),
        sa.Column("seat_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "choice",
            sa.Enum(
                "YES",
                "NO",
                "ABSTAIN",
                "OBJECTION",
                name="circular_choice",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("cast_at", governance.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["circular_id", "seat_id"],
            ["circular_seat.circular_id", "circular_seat.seat_id"],
            name="fk_circular_vote_seat",
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(["circular_id"], ["circular.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("circular_id", "seat_id", name="uq_circular_vote"),
    )
    # ### end Alembic commands ###
    dialect = op.get_bind().dialect.name
    for statement in TRIGGERS_POSTGRESQL if dialect == "postgresql" else TRIGGERS_SQLITE:
        op.execute(statement)


def downgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    op.drop_table("circular_vote")
    op.drop_table("circular_seat")
    op.drop_table("circular_record")
    with op.batch_alter_table("circular", schema=None) as batch_op:
        batch_op.drop_index("ix_circular_open")
        batch_op.drop_index("ix_circular_body")

    op.drop_table("circular")
    # ### end Alembic commands ###
    if op.get_bind().dialect.name == "postgresql":
        for function in (
            "circular_concluded",
            "circular_seat_open",
            "circular_vote_rules",
            "circular_append_only",
            "circular_seat_append_only",
            "circular_vote_append_only",
            "circular_record_append_only",
        ):
            op.execute(f"DROP FUNCTION IF EXISTS {function}()")
