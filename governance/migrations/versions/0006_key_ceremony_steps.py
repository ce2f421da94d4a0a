"""The key ceremony's steps as triggers (tellers/ddl.py "key_ceremony_steps"): a ceremony is
created in ROUND1 and moves on only when every teller has done the step (all round-1 entries;
all shares and n·(n−1) boxes; all n confirmations of the ceremony's fingerprint), or to VOID
while in progress; a teller's round 1, shares and confirmation are written only while the
ceremony is at that step, and boxes are relayed only during the shares.

Triggers only, copied as literal SQL; no table changes. Existing ceremonies are not touched.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 08:21:07
"""

from __future__ import annotations

from alembic import op

TRIGGERS_SQLITE = [
    "CREATE TRIGGER key_ceremony_starts BEFORE INSERT ON key_ceremony WHEN NEW.state IS NOT "
    "'ROUND1' BEGIN SELECT RAISE(ABORT, 'a key ceremony moves on only when every teller has "
    "done the step'); END",
    "CREATE TRIGGER key_ceremony_steps BEFORE UPDATE ON key_ceremony WHEN NEW.state IS NOT "
    "OLD.state AND NOT ((OLD.state = 'ROUND1' AND NEW.state = 'SHARES' AND (SELECT count(*) "
    "FROM teller x WHERE x.ceremony_id = NEW.id AND x.round1 IS NOT NULL) = NEW.n) OR "
    "(OLD.state = 'SHARES' AND NEW.state = 'CONFIRM' AND (SELECT count(*) FROM teller x WHERE "
    "x.ceremony_id = NEW.id AND x.shares_at IS NOT NULL) = NEW.n AND (SELECT count(*) FROM "
    "teller_share x WHERE x.ceremony_id = NEW.id) = NEW.n * (NEW.n - 1)) OR (OLD.state = "
    "'CONFIRM' AND NEW.state = 'READY' AND (SELECT count(*) FROM teller x WHERE x.ceremony_id ="
    " NEW.id AND x.confirmed_fingerprint = NEW.fingerprint) = NEW.n) OR (OLD.state IN "
    "('ROUND1', 'SHARES', 'CONFIRM') AND NEW.state = 'VOID')) BEGIN SELECT RAISE(ABORT, 'a key "
    "ceremony moves on only when every teller has done the step'); END",
    "CREATE TRIGGER teller_steps BEFORE UPDATE ON teller WHEN (NEW.round1 IS NOT OLD.round1 AND"
    " (SELECT k.state FROM key_ceremony k WHERE k.id = NEW.ceremony_id) IS NOT 'ROUND1') OR "
    "(NEW.shares_at IS NOT OLD.shares_at AND (SELECT k.state FROM key_ceremony k WHERE k.id = "
    "NEW.ceremony_id) IS NOT 'SHARES') OR (NEW.confirmed_at IS NOT OLD.confirmed_at AND (SELECT"
    " k.state FROM key_ceremony k WHERE k.id = NEW.ceremony_id) IS NOT 'CONFIRM') BEGIN SELECT "
    "RAISE(ABORT, 'a teller posts each step only while the ceremony is at it'); END",
    "CREATE TRIGGER teller_share_during_shares BEFORE INSERT ON teller_share WHEN (SELECT "
    "k.state FROM key_ceremony k WHERE k.id = NEW.ceremony_id) IS NOT 'SHARES' BEGIN SELECT "
    "RAISE(ABORT, 'a teller posts each step only while the ceremony is at it'); END",
]
TRIGGERS_POSTGRESQL = [
    "CREATE OR REPLACE FUNCTION key_ceremony_steps() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN IF TG_OP = 'INSERT' THEN IF NEW.state <> 'ROUND1' THEN RAISE EXCEPTION 'a key "
    "ceremony moves on only when every teller has done the step'; END IF; ELSIF NEW.state <> "
    "OLD.state AND NOT ((OLD.state = 'ROUND1' AND NEW.state = 'SHARES' AND (SELECT count(*) "
    "FROM teller x WHERE x.ceremony_id = NEW.id AND x.round1 IS NOT NULL) = NEW.n) OR "
    "(OLD.state = 'SHARES' AND NEW.state = 'CONFIRM' AND (SELECT count(*) FROM teller x WHERE "
    "x.ceremony_id = NEW.id AND x.shares_at IS NOT NULL) = NEW.n AND (SELECT count(*) FROM "
    "teller_share x WHERE x.ceremony_id = NEW.id) = NEW.n * (NEW.n - 1)) OR (OLD.state = "
    "'CONFIRM' AND NEW.state = 'READY' AND (SELECT count(*) FROM teller x WHERE x.ceremony_id ="
    " NEW.id AND x.confirmed_fingerprint = NEW.fingerprint) = NEW.n) OR (OLD.state IN "
    "('ROUND1', 'SHARES', 'CONFIRM') AND NEW.state = 'VOID')) THEN RAISE EXCEPTION 'a key "
    "ceremony moves on only when every teller has done the step'; END IF; RETURN NEW; END $$",
    "CREATE TRIGGER key_ceremony_steps BEFORE INSERT OR UPDATE ON key_ceremony FOR EACH ROW "
    "EXECUTE FUNCTION key_ceremony_steps()",
    "CREATE OR REPLACE FUNCTION teller_steps() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF "
    "(NEW.round1 IS DISTINCT FROM OLD.round1 AND (SELECT k.state FROM key_ceremony k WHERE k.id"
    " = NEW.ceremony_id) IS DISTINCT FROM 'ROUND1') OR (NEW.shares_at IS DISTINCT FROM "
    "OLD.shares_at AND (SELECT k.state FROM key_ceremony k WHERE k.id = NEW.ceremony_id) IS "
    "DISTINCT FROM 'SHARES') OR (NEW.confirmed_at IS DISTINCT FROM OLD.confirmed_at AND (SELECT"
    " k.state FROM key_ceremony k WHERE k.id = NEW.ceremony_id) IS DISTINCT FROM 'CONFIRM') "
    "THEN RAISE EXCEPTION 'a teller posts each step only while the ceremony is at it'; END IF; "
    "RETURN NEW; END $$",
    "CREATE TRIGGER teller_steps BEFORE UPDATE ON teller FOR EACH ROW EXECUTE FUNCTION "
    "teller_steps()",
    "CREATE OR REPLACE FUNCTION teller_share_during_shares() RETURNS trigger LANGUAGE plpgsql "
    "AS $$ BEGIN IF (SELECT k.state FROM key_ceremony k WHERE k.id = NEW.ceremony_id) IS "
    "DISTINCT FROM 'SHARES' THEN RAISE EXCEPTION 'a teller posts each step only while the "
    "ceremony is at it'; END IF; RETURN NEW; END $$",
    "CREATE TRIGGER teller_share_during_shares BEFORE INSERT ON teller_share FOR EACH ROW "
    "EXECUTE FUNCTION teller_share_during_shares()",
]

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in TRIGGERS_POSTGRESQL if dialect == "postgresql" else TRIGGERS_SQLITE:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for name, table in (
        ("key_ceremony_starts", "key_ceremony"),
        ("key_ceremony_steps", "key_ceremony"),
        ("teller_steps", "teller"),
        ("teller_share_during_shares", "teller_share"),
    ):
        on = f' ON "{table}"' if dialect == "postgresql" else ""
        op.execute(f'DROP TRIGGER IF EXISTS "{name}"{on}')
    if dialect == "postgresql":
        for function in ("key_ceremony_steps", "teller_steps", "teller_share_during_shares"):
            op.execute(f"DROP FUNCTION IF EXISTS {function}()")
