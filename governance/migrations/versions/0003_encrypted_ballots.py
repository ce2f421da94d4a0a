"""Encrypted ballots (docs/coopvote.md): the key ceremony and its tellers, the ids of assemblies
and polls in the transcripts, ciphertexts in the ballot box, the sums and partial decryptions.

New tables and triggers copied as literal SQL; `assembly.uuid` and `poll.uuid` are filled for
existing rows, indexed unique and required by triggers from then on. No table is copied.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 22:10:00
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

import governance.db

# Trigger DDL as of this revision (assemblies/ddl.py assembly_uuid, tellers/ddl.py,
# ballots/ddl.py poll_encrypted).
TRIGGERS_SQLITE = [
    "CREATE TRIGGER assembly_uuid_insert BEFORE INSERT ON assembly WHEN NEW.uuid IS NULL BEGIN "
    "SELECT RAISE(ABORT, 'an assembly has an id that never changes'); END",
    "CREATE TRIGGER assembly_uuid_update BEFORE UPDATE ON assembly WHEN NEW.uuid IS NULL OR "
    "NEW.uuid IS NOT OLD.uuid BEGIN SELECT RAISE(ABORT, 'an assembly has an id that never "
    "changes'); END",
    "CREATE TRIGGER key_ceremony_frozen BEFORE UPDATE ON key_ceremony WHEN OLD.state IN ('READY',"
    " 'VOID') OR NEW.n IS NOT OLD.n OR NEW.t IS NOT OLD.t OR NEW.uuid IS NOT OLD.uuid OR "
    "NEW.assembly_id IS NOT OLD.assembly_id OR (OLD.fingerprint IS NOT NULL AND NEW.fingerprint "
    "IS NOT OLD.fingerprint) OR (OLD.public_key IS NOT NULL AND NEW.public_key IS NOT "
    "OLD.public_key) BEGIN SELECT RAISE(ABORT, 'a key ceremony keeps its history: a ready or void"
    " ceremony never changes'); END",
    "CREATE TRIGGER key_ceremony_no_delete BEFORE DELETE ON key_ceremony BEGIN SELECT "
    "RAISE(ABORT, 'a key ceremony keeps its history: a ready or void ceremony never changes'); "
    "END",
    "CREATE TRIGGER teller_once BEFORE UPDATE ON teller WHEN NEW.user_id IS NOT OLD.user_id OR "
    "NEW.idx IS NOT OLD.idx OR NEW.ceremony_id IS NOT OLD.ceremony_id OR (OLD.round1 IS NOT NULL "
    "AND NEW.round1 IS NOT OLD.round1) OR (OLD.shares_at IS NOT NULL AND NEW.shares_at IS NOT "
    "OLD.shares_at) OR (OLD.confirmed_fingerprint IS NOT NULL AND NEW.confirmed_fingerprint IS "
    "NOT OLD.confirmed_fingerprint) BEGIN SELECT RAISE(ABORT, 'what a teller posted is written "
    "once'); END",
    "CREATE TRIGGER teller_no_delete BEFORE DELETE ON teller WHEN OLD.round1 IS NOT NULL BEGIN "
    "SELECT RAISE(ABORT, 'what a teller posted is written once'); END",
    "CREATE TRIGGER teller_share_no_update BEFORE UPDATE ON teller_share BEGIN SELECT "
    "RAISE(ABORT, 'teller_share is append-only'); END",
    "CREATE TRIGGER teller_share_no_delete BEFORE DELETE ON teller_share BEGIN SELECT "
    "RAISE(ABORT, 'teller_share is append-only'); END",
    "CREATE TRIGGER poll_shape_insert BEFORE INSERT ON poll WHEN NEW.uuid IS NULL OR "
    "(NEW.ceremony_id IS NOT NULL AND NOT NEW.secret) OR (NEW.sums IS NOT NULL AND "
    "NEW.ceremony_id IS NULL) BEGIN SELECT RAISE(ABORT, 'a poll has an id; only a secret poll has"
    " a key; only a poll with a key has sums'); END",
    "CREATE TRIGGER poll_shape_update BEFORE UPDATE ON poll WHEN NEW.uuid IS NULL OR "
    "(NEW.ceremony_id IS NOT NULL AND NOT NEW.secret) OR (NEW.sums IS NOT NULL AND "
    "NEW.ceremony_id IS NULL) BEGIN SELECT RAISE(ABORT, 'a poll has an id; only a secret poll has"
    " a key; only a poll with a key has sums'); END",
    "CREATE TRIGGER poll_key_fixed BEFORE UPDATE ON poll WHEN NEW.uuid IS NOT OLD.uuid OR "
    "(OLD.state <> 'DRAFT' AND NEW.ceremony_id IS NOT OLD.ceremony_id) OR (OLD.sums IS NOT NULL "
    "AND NEW.sums IS NOT OLD.sums) BEGIN SELECT RAISE(ABORT, 'the key, the id and the sums of a "
    "poll never change once it is open'); END",
    "CREATE TRIGGER poll_key_ready BEFORE UPDATE OF state ON poll WHEN NEW.ceremony_id IS NOT "
    "NULL AND NEW.state <> 'DRAFT' AND OLD.state = 'DRAFT' AND NOT EXISTS (SELECT 1 FROM "
    "key_ceremony k WHERE k.id = NEW.ceremony_id AND k.state = 'READY' AND k.assembly_id = "
    "NEW.assembly_id) BEGIN SELECT RAISE(ABORT, 'a poll opens with a key only when the key "
    "ceremony of its assembly is ready'); END",
    "CREATE TRIGGER ballot_cipher BEFORE INSERT ON ballot WHEN ((SELECT ceremony_id FROM poll "
    "WHERE id = NEW.poll_id) IS NULL) <> (NEW.cipher IS NULL) OR (NEW.cipher IS NOT NULL AND "
    "NEW.choice <> '') BEGIN SELECT RAISE(ABORT, 'a poll with a key takes only encrypted ballots "
    "(no choice), a poll without one only plaintext'); END",
    "CREATE TRIGGER decryption_share_insert BEFORE INSERT ON decryption_share WHEN NOT EXISTS "
    "(SELECT 1 FROM poll p WHERE p.id = NEW.poll_id AND p.state = 'SEALED' AND p.ceremony_id IS "
    "NOT NULL) BEGIN SELECT RAISE(ABORT, 'partial decryptions are posted only for a sealed poll "
    "with a key, and never changed'); END",
    "CREATE TRIGGER decryption_share_no_update BEFORE UPDATE ON decryption_share BEGIN SELECT "
    "RAISE(ABORT, 'partial decryptions are posted only for a sealed poll with a key, and never "
    "changed'); END",
    "CREATE TRIGGER decryption_share_no_delete BEFORE DELETE ON decryption_share BEGIN SELECT "
    "RAISE(ABORT, 'partial decryptions are posted only for a sealed poll with a key, and never "
    "changed'); END",
]

TRIGGERS_POSTGRESQL = [
    "CREATE OR REPLACE FUNCTION assembly_uuid() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF "
    "NEW.uuid IS NULL OR (TG_OP = 'UPDATE' AND NEW.uuid IS DISTINCT FROM OLD.uuid) THEN RAISE "
    "EXCEPTION 'an assembly has an id that never changes'; END IF; RETURN NEW; END $$",
    "CREATE TRIGGER assembly_uuid BEFORE INSERT OR UPDATE ON assembly FOR EACH ROW EXECUTE "
    "FUNCTION assembly_uuid()",
    "CREATE OR REPLACE FUNCTION key_ceremony_frozen() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN IF TG_OP = 'DELETE' THEN RAISE EXCEPTION 'a key ceremony keeps its history: a ready or"
    " void ceremony never changes'; END IF; IF OLD.state IN ('READY', 'VOID') OR NEW.n IS "
    "DISTINCT FROM OLD.n OR NEW.t IS DISTINCT FROM OLD.t OR NEW.uuid IS DISTINCT FROM OLD.uuid OR"
    " NEW.assembly_id IS DISTINCT FROM OLD.assembly_id OR (OLD.fingerprint IS DISTINCT FROM NULL "
    "AND NEW.fingerprint IS DISTINCT FROM OLD.fingerprint) OR (OLD.public_key IS DISTINCT FROM "
    "NULL AND NEW.public_key IS DISTINCT FROM OLD.public_key) THEN RAISE EXCEPTION 'a key "
    "ceremony keeps its history: a ready or void ceremony never changes'; END IF; RETURN NEW; END"
    " $$",
    "CREATE TRIGGER key_ceremony_frozen BEFORE UPDATE OR DELETE ON key_ceremony FOR EACH ROW "
    "EXECUTE FUNCTION key_ceremony_frozen()",
    "CREATE OR REPLACE FUNCTION teller_once() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF "
    "TG_OP = 'DELETE' THEN IF OLD.round1 IS NOT NULL THEN RAISE EXCEPTION 'what a teller posted "
    "is written once'; END IF; RETURN OLD; END IF; IF NEW.user_id IS DISTINCT FROM OLD.user_id OR"
    " NEW.idx IS DISTINCT FROM OLD.idx OR NEW.ceremony_id IS DISTINCT FROM OLD.ceremony_id OR "
    "(OLD.round1 IS DISTINCT FROM NULL AND NEW.round1 IS DISTINCT FROM OLD.round1) OR "
    "(OLD.shares_at IS DISTINCT FROM NULL AND NEW.shares_at IS DISTINCT FROM OLD.shares_at) OR "
    "(OLD.confirmed_fingerprint IS DISTINCT FROM NULL AND NEW.confirmed_fingerprint IS DISTINCT "
    "FROM OLD.confirmed_fingerprint) THEN RAISE EXCEPTION 'what a teller posted is written once';"
    " END IF; RETURN NEW; END $$",
    "CREATE TRIGGER teller_once BEFORE UPDATE OR DELETE ON teller FOR EACH ROW EXECUTE FUNCTION "
    "teller_once()",
    "CREATE OR REPLACE FUNCTION teller_share_append_only() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN RAISE EXCEPTION 'teller_share is append-only'; END $$",
    "CREATE TRIGGER teller_share_append_only BEFORE UPDATE OR DELETE ON teller_share FOR EACH ROW"
    " EXECUTE FUNCTION teller_share_append_only()",
    "CREATE OR REPLACE FUNCTION poll_key_fixed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF "
    "NEW.uuid IS NULL OR (NEW.ceremony_id IS NOT NULL AND NOT NEW.secret) OR (NEW.sums IS NOT "
    "NULL AND NEW.ceremony_id IS NULL) THEN RAISE EXCEPTION 'a poll has an id; only a secret poll"
    " has a key; only a poll with a key has sums'; END IF; IF TG_OP = 'UPDATE' THEN IF NEW.uuid "
    "IS DISTINCT FROM OLD.uuid OR (OLD.state <> 'DRAFT' AND NEW.ceremony_id IS DISTINCT FROM "
    "OLD.ceremony_id) OR (OLD.sums IS DISTINCT FROM NULL AND NEW.sums IS DISTINCT FROM OLD.sums) "
    "THEN RAISE EXCEPTION 'the key, the id and the sums of a poll never change once it is open'; "
    "END IF; IF NEW.ceremony_id IS NOT NULL AND NEW.state <> 'DRAFT' AND OLD.state = 'DRAFT' AND "
    "NOT EXISTS (SELECT 1 FROM key_ceremony k WHERE k.id = NEW.ceremony_id AND k.state = 'READY' "
    "AND k.assembly_id = NEW.assembly_id) THEN RAISE EXCEPTION 'a poll opens with a key only when"
    " the key ceremony of its assembly is ready'; END IF; END IF; RETURN NEW; END $$",
    "CREATE TRIGGER poll_key_fixed BEFORE INSERT OR UPDATE ON poll FOR EACH ROW EXECUTE FUNCTION "
    "poll_key_fixed()",
    "CREATE OR REPLACE FUNCTION ballot_cipher() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF "
    "EXISTS (SELECT 1 FROM new_rows n JOIN poll p ON p.id = n.poll_id WHERE (p.ceremony_id IS "
    "NULL) <> (n.cipher IS NULL) OR (n.cipher IS NOT NULL AND n.choice <> '')) THEN RAISE "
    "EXCEPTION 'a poll with a key takes only encrypted ballots (no choice), a poll without one "
    "only plaintext'; END IF; RETURN NULL; END $$",
    "CREATE TRIGGER ballot_cipher AFTER INSERT ON ballot REFERENCING NEW TABLE AS new_rows FOR "
    "EACH STATEMENT EXECUTE FUNCTION ballot_cipher()",
    "CREATE OR REPLACE FUNCTION decryption_share_rules() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN IF TG_OP <> 'INSERT' OR NOT EXISTS (SELECT 1 FROM poll p WHERE p.id = NEW.poll_id AND "
    "p.state = 'SEALED' AND p.ceremony_id IS NOT NULL) THEN RAISE EXCEPTION 'partial decryptions "
    "are posted only for a sealed poll with a key, and never changed'; END IF; RETURN NEW; END $$",
    "CREATE TRIGGER decryption_share_rules BEFORE INSERT OR UPDATE OR DELETE ON decryption_share "
    "FOR EACH ROW EXECUTE FUNCTION decryption_share_rules()",
]


revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _fill_uuids(table: str) -> None:
    bind = op.get_bind()
    ids = [row[0] for row in bind.execute(sa.text(f"SELECT id FROM {table}"))]  # noqa: S608
    for row_id in ids:
        bind.execute(
            sa.text(f"UPDATE {table} SET uuid = :u WHERE id = :i"),  # noqa: S608
            {"u": str(uuid.uuid4()), "i": row_id},
        )


def upgrade() -> None:
    op.create_table(
        "key_ceremony",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("assembly_id", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("t", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "ROUND1",
                "SHARES",
                "CONFIRM",
                "READY",
                "VOID",
                name="ceremony_state",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("fingerprint", sa.String(length=64), nullable=True),
        sa.Column("public_key", sa.String(length=64), nullable=True),
        sa.Column("key_fingerprint", sa.String(length=32), nullable=True),
        sa.Column("created_at", governance.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("ready_at", governance.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("voided_at", governance.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("void_reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "state <> 'READY' OR (public_key IS NOT NULL AND key_fingerprint IS NOT NULL"
            " AND ready_at IS NOT NULL)",
            name="ck_key_ceremony_ready",
        ),
        sa.CheckConstraint(
            "state <> 'VOID' OR (void_reason IS NOT NULL AND voided_at IS NOT NULL)",
            name="ck_key_ceremony_void",
        ),
        sa.CheckConstraint(
            "state NOT IN ('SHARES', 'CONFIRM', 'READY') OR fingerprint IS NOT NULL",
            name="ck_key_ceremony_fingerprint",
        ),
        sa.CheckConstraint("n >= 1 AND n <= 9", name="ck_key_ceremony_n"),
        sa.CheckConstraint("t >= 1 AND t <= n", name="ck_key_ceremony_t"),
        sa.ForeignKeyConstraint(["assembly_id"], ["assembly.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("uuid"),
    )
    op.create_index(
        "uq_key_ceremony_live",
        "key_ceremony",
        ["assembly_id"],
        unique=True,
        sqlite_where=sa.text("state <> 'VOID'"),
        postgresql_where=sa.text("state <> 'VOID'"),
    )
    op.create_table(
        "teller",
        sa.Column("ceremony_id", sa.Integer(), nullable=False),
        sa.Column("idx", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("round1", sa.Text(), nullable=True),
        sa.Column("round1_at", governance.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("shares_at", governance.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("confirmed_fingerprint", sa.String(length=64), nullable=True),
        sa.Column("confirmed_at", governance.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(confirmed_fingerprint IS NULL) = (confirmed_at IS NULL)", name="ck_teller_confirmed"
        ),
        sa.CheckConstraint("(round1 IS NULL) = (round1_at IS NULL)", name="ck_teller_round1"),
        sa.CheckConstraint("idx >= 1 AND idx <= 9", name="ck_teller_index"),
        sa.ForeignKeyConstraint(["ceremony_id"], ["key_ceremony.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("ceremony_id", "idx"),
        sa.UniqueConstraint("ceremony_id", "user_id", name="uq_teller_user"),
    )
    op.create_table(
        "teller_share",
        sa.Column("ceremony_id", sa.Integer(), nullable=False),
        sa.Column("from_idx", sa.Integer(), nullable=False),
        sa.Column("to_idx", sa.Integer(), nullable=False),
        sa.Column("nonce", sa.String(length=48), nullable=False),
        sa.Column("box", sa.String(length=200), nullable=False),
        sa.CheckConstraint("from_idx <> to_idx", name="ck_teller_share_other"),
        sa.CheckConstraint("length(nonce) = 48", name="ck_teller_share_nonce"),
        sa.ForeignKeyConstraint(["ceremony_id"], ["key_ceremony.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("ceremony_id", "from_idx", "to_idx"),
    )
    op.create_table(
        "decryption_share",
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("teller_idx", sa.Integer(), nullable=False),
        sa.Column("shares", sa.Text(), nullable=False),
        sa.Column("created_at", governance.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["poll_id"], ["poll.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("poll_id", "teller_idx"),
        sqlite_with_rowid=False,
    )
    # Plain ADD COLUMN on both dialects, no table copy: the ballot box keeps WITHOUT ROWID
    # and every table its triggers. The uuids are filled, then indexed unique; triggers
    # require them from now on (SQLite cannot add NOT NULL or CHECK without a copy).
    op.add_column("ballot", sa.Column("cipher", sa.Text(), nullable=True))
    for table in ("assembly", "poll"):
        op.add_column(table, sa.Column("uuid", sa.String(length=36), nullable=True))
        _fill_uuids(table)
        op.create_index(f"uq_{table}_uuid", table, ["uuid"], unique=True)
    dialect = op.get_bind().dialect.name
    # No foreign key (SQLite cannot drop a referencing column without copying the table):
    # a poll opens with a key only if that ceremony exists, is ready and is its assembly's
    # (trigger poll_key_ready), and no ceremony is ever deleted (key_ceremony_no_delete).
    op.add_column("poll", sa.Column("ceremony_id", sa.Integer(), nullable=True))
    op.add_column("poll", sa.Column("sums", sa.Text(), nullable=True))
    for statement in TRIGGERS_POSTGRESQL if dialect == "postgresql" else TRIGGERS_SQLITE:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for name, table in (
        ("assembly_uuid", "assembly"),
        ("assembly_uuid_insert", "assembly"),
        ("assembly_uuid_update", "assembly"),
        ("ballot_cipher", "ballot"),
        ("poll_key_fixed", "poll"),
        ("poll_key_ready", "poll"),
        ("poll_shape_insert", "poll"),
        ("poll_shape_update", "poll"),
    ):
        on = f' ON "{table}"' if dialect == "postgresql" else ""
        op.execute(f'DROP TRIGGER IF EXISTS "{name}"{on}')
    op.drop_table("decryption_share")
    op.drop_table("teller_share")
    op.drop_table("teller")
    op.drop_index("uq_key_ceremony_live", table_name="key_ceremony")
    op.drop_table("key_ceremony")
    for table in ("assembly", "poll"):
        op.drop_index(f"uq_{table}_uuid", table_name=table)
    # SQLite 3.35+ drops a column without copying the table.
    for table, column in (
        ("poll", "sums"),
        ("poll", "ceremony_id"),
        ("poll", "uuid"),
        ("assembly", "uuid"),
        ("ballot", "cipher"),
    ):
        op.drop_column(table, column)
    if dialect == "postgresql":
        for function in (
            "assembly_uuid",
            "ballot_cipher",
            "poll_key_fixed",
            "decryption_share_rules",
            "key_ceremony_frozen",
            "teller_once",
            "teller_share_append_only",
        ):
            op.execute(f"DROP FUNCTION IF EXISTS {function}()")
