"""seat offers (issue #15): the elected of a published election are offered their seat, and
the notification "seat offered" (#17)

The table and its triggers (bodies/ddl_offers.py "seat_offer_rules" and the append-only rules
of seat_offer), copied as literal SQL so that the revision stays what it was; the notification
kinds' CHECK constraint gains SEAT_OFFERED.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 16:15:00.871488
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

import governance.db

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

TRIGGERS_SQLITE = [
    "CREATE TRIGGER seat_offer_new BEFORE INSERT ON seat_offer WHEN NEW.state <> 'OFFERED' BEGIN SELECT RAISE(ABORT, 'seat_offer: an offer is made open, the answer comes later'); END",
    "CREATE TRIGGER seat_offer_election BEFORE INSERT ON seat_offer WHEN NOT EXISTS (SELECT 1 FROM poll p WHERE p.id = NEW.poll_id AND p.kind = 'ELECTION' AND p.state = 'PUBLISHED') BEGIN SELECT RAISE(ABORT, 'seat_offer: only the elected of a published election are offered a seat'); END",
    "CREATE TRIGGER seat_offer_decided BEFORE UPDATE ON seat_offer WHEN OLD.state <> 'OFFERED' BEGIN SELECT RAISE(ABORT, 'seat_offer: a decided offer never changes'); END",
    "CREATE TRIGGER seat_offer_seat BEFORE UPDATE ON seat_offer WHEN NEW.seat_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM seat s WHERE s.id = NEW.seat_id AND s.body_id = NEW.body_id AND s.member_id = NEW.member_id AND s.poll_id = NEW.poll_id AND s.origin = 'ELECTED') BEGIN SELECT RAISE(ABORT, 'seat_offer: the seat of an accepted offer is the elected seat it offered'); END",
    "CREATE TRIGGER seat_offer_no_update BEFORE UPDATE ON seat_offer WHEN NEW.id IS NOT OLD.id OR NEW.body_id IS NOT OLD.body_id OR NEW.member_id IS NOT OLD.member_id OR NEW.poll_id IS NOT OLD.poll_id OR NEW.candidate IS NOT OLD.candidate OR NEW.function IS NOT OLD.function OR NEW.starts_on IS NOT OLD.starts_on OR NEW.ends_on IS NOT OLD.ends_on OR NEW.created_by_id IS NOT OLD.created_by_id OR NEW.created_at IS NOT OLD.created_at BEGIN SELECT RAISE(ABORT, 'seat_offer is append-only'); END",
    "CREATE TRIGGER seat_offer_no_delete BEFORE DELETE ON seat_offer BEGIN SELECT RAISE(ABORT, 'seat_offer is append-only'); END",
]
TRIGGERS_POSTGRESQL = [
    "CREATE OR REPLACE FUNCTION seat_offer_rules() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF TG_OP = 'INSERT' THEN IF NEW.state <> 'OFFERED' THEN RAISE EXCEPTION 'seat_offer: an offer is made open, the answer comes later'; END IF; IF NOT EXISTS (SELECT 1 FROM poll p WHERE p.id = NEW.poll_id AND p.kind = 'ELECTION' AND p.state = 'PUBLISHED') THEN RAISE EXCEPTION 'seat_offer: only the elected of a published election are offered a seat'; END IF; ELSIF OLD.state <> 'OFFERED' THEN RAISE EXCEPTION 'seat_offer: a decided offer never changes'; END IF; IF NEW.seat_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM seat s WHERE s.id = NEW.seat_id AND s.body_id = NEW.body_id AND s.member_id = NEW.member_id AND s.poll_id = NEW.poll_id AND s.origin = 'ELECTED') THEN RAISE EXCEPTION 'seat_offer: the seat of an accepted offer is the elected seat it offered'; END IF; RETURN NEW; END $$",
    "CREATE TRIGGER seat_offer_rules BEFORE INSERT OR UPDATE ON seat_offer FOR EACH ROW EXECUTE FUNCTION seat_offer_rules()",
    "CREATE OR REPLACE FUNCTION seat_offer_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF TG_OP = 'UPDATE' AND (to_jsonb(NEW) - ARRAY['state', 'decided_at', 'decided_by_id', 'seat_id']) = (to_jsonb(OLD) - ARRAY['state', 'decided_at', 'decided_by_id', 'seat_id']) THEN RETURN NEW; END IF; RAISE EXCEPTION 'seat_offer is append-only'; END $$",
    "CREATE TRIGGER seat_offer_append_only BEFORE UPDATE OR DELETE ON seat_offer FOR EACH ROW EXECUTE FUNCTION seat_offer_append_only()",
]

FUNCTIONS = ("seat_offer_rules", "seat_offer_append_only")

KINDS = (
    "INVITATION",
    "SUPPLEMENT",
    "REMINDER",
    "STARTED",
    "PROPOSAL_RECEIVED",
    "PROPOSAL_DECIDED",
    "PROPOSAL_NEW",
    "DOCUMENTS",
    "RESULTS",
    "MINUTES",
)


def _notification_kinds(kinds: tuple[str, ...]) -> None:
    """The CHECK constraint of notification.kind (an enum stored as text) lists `kinds`."""
    with op.batch_alter_table("notification", recreate="always") as batch_op:
        batch_op.drop_constraint("notification_kind", type_="check")
        batch_op.create_check_constraint(
            "notification_kind", "kind IN (" + ", ".join(f"'{k}'" for k in kinds) + ")"
        )


def upgrade() -> None:
    op.create_table(
        "seat_offer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("candidate", sa.String(length=300), nullable=False),
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
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "OFFERED",
                "ACCEPTED",
                "DECLINED",
                "WITHDRAWN",
                name="seat_offer_state",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("decided_at", governance.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("seat_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", governance.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(state = 'ACCEPTED') = (seat_id IS NOT NULL)", name="ck_seat_offer_seat"
        ),
        sa.CheckConstraint(
            "(state = 'OFFERED') = (decided_at IS NULL)", name="ck_seat_offer_decided"
        ),
        sa.CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="ck_seat_offer_term"),
        sa.CheckConstraint("length(candidate) > 0", name="ck_seat_offer_candidate"),
        sa.ForeignKeyConstraint(["body_id"], ["body.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["decided_by_id"], ["user.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["poll_id"], ["poll.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["seat_id"], ["seat.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("seat_id"),
    )
    with op.batch_alter_table("seat_offer", schema=None) as batch_op:
        batch_op.create_index("ix_seat_offer_body", ["body_id", "created_at"], unique=False)
        batch_op.create_index("ix_seat_offer_member", ["member_id", "state"], unique=False)
        batch_op.create_index(
            "uq_seat_offer_open",
            ["body_id", "member_id", "poll_id"],
            unique=True,
            sqlite_where=sa.text("state = 'OFFERED'"),
            postgresql_where=sa.text("state = 'OFFERED'"),
        )
    dialect = op.get_bind().dialect.name
    for statement in TRIGGERS_POSTGRESQL if dialect == "postgresql" else TRIGGERS_SQLITE:
        op.execute(statement)
    _notification_kinds((*KINDS, "SEAT_OFFERED"))


def downgrade() -> None:
    op.execute("DELETE FROM notification WHERE kind = 'SEAT_OFFERED'")
    _notification_kinds(KINDS)
    with op.batch_alter_table("seat_offer", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_seat_offer_open",
            sqlite_where=sa.text("state = 'OFFERED'"),
            postgresql_where=sa.text("state = 'OFFERED'"),
        )
        batch_op.drop_index("ix_seat_offer_member")
        batch_op.drop_index("ix_seat_offer_body")
    op.drop_table("seat_offer")
    if op.get_bind().dialect.name == "postgresql":
        for function in FUNCTIONS:
            op.execute(f"DROP FUNCTION IF EXISTS {function}()")
