"""Trigger DDL of the key ceremony, per dialect, registered with `governance.ddl`.

- key_ceremony: never deleted; n, t, its id and assembly never change; the round-1
  fingerprint and the poll key are written once; a READY or VOID ceremony never changes.
- teller: what a teller posted (round 1, the confirmation) is written once; who the teller is
  never changes; a teller is removed only before posting anything.
- teller_share: append-only.
- (revision 0006) the steps: a ceremony is created in ROUND1 and moves ROUND1 → SHARES →
  CONFIRM → READY only when every one of its n tellers has done the step (all round-1 entries
  in; all shares sent, n·(n−1) boxes; all n confirmed the ceremony's fingerprint), or to VOID
  while in progress; a teller's round 1, shares and confirmation are written only while the
  ceremony is at that step, and boxes are relayed only during the shares.
"""

from governance.ddl import register, register_append_only

MSG_CEREMONY = "a key ceremony keeps its history: a ready or void ceremony never changes"
MSG_TELLER = "what a teller posted is written once"

_CEREMONY_FROZEN = (
    "OLD.state IN ('READY', 'VOID') OR NEW.n IS NOT OLD.n OR NEW.t IS NOT OLD.t"
    " OR NEW.uuid IS NOT OLD.uuid OR NEW.assembly_id IS NOT OLD.assembly_id"
    " OR (OLD.fingerprint IS NOT NULL AND NEW.fingerprint IS NOT OLD.fingerprint)"
    " OR (OLD.public_key IS NOT NULL AND NEW.public_key IS NOT OLD.public_key)"
)
_TELLER_FROZEN = (
    "NEW.user_id IS NOT OLD.user_id OR NEW.idx IS NOT OLD.idx"
    " OR NEW.ceremony_id IS NOT OLD.ceremony_id"
    " OR (OLD.round1 IS NOT NULL AND NEW.round1 IS NOT OLD.round1)"
    " OR (OLD.shares_at IS NOT NULL AND NEW.shares_at IS NOT OLD.shares_at)"
    " OR (OLD.confirmed_fingerprint IS NOT NULL"
    " AND NEW.confirmed_fingerprint IS NOT OLD.confirmed_fingerprint)"
)
_PG = _CEREMONY_FROZEN.replace(" IS NOT ", " IS DISTINCT FROM ")
_PG_TELLER = _TELLER_FROZEN.replace(" IS NOT ", " IS DISTINCT FROM ")

SQLITE = [
    "CREATE TRIGGER key_ceremony_frozen BEFORE UPDATE ON key_ceremony "
    f"WHEN {_CEREMONY_FROZEN} BEGIN SELECT RAISE(ABORT, '{MSG_CEREMONY}'); END",
    "CREATE TRIGGER key_ceremony_no_delete BEFORE DELETE ON key_ceremony "
    f"BEGIN SELECT RAISE(ABORT, '{MSG_CEREMONY}'); END",
    f"CREATE TRIGGER teller_once BEFORE UPDATE ON teller WHEN {_TELLER_FROZEN} "
    f"BEGIN SELECT RAISE(ABORT, '{MSG_TELLER}'); END",
    "CREATE TRIGGER teller_no_delete BEFORE DELETE ON teller WHEN OLD.round1 IS NOT NULL "
    f"BEGIN SELECT RAISE(ABORT, '{MSG_TELLER}'); END",
]
POSTGRESQL = [
    "CREATE OR REPLACE FUNCTION key_ceremony_frozen() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN IF TG_OP = 'DELETE' THEN RAISE EXCEPTION '{MSG_CEREMONY}'; END IF; "
    f"IF {_PG} THEN RAISE EXCEPTION '{MSG_CEREMONY}'; END IF; RETURN NEW; END $$",
    "CREATE TRIGGER key_ceremony_frozen BEFORE UPDATE OR DELETE ON key_ceremony "
    "FOR EACH ROW EXECUTE FUNCTION key_ceremony_frozen()",
    "CREATE OR REPLACE FUNCTION teller_once() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN IF TG_OP = 'DELETE' THEN IF OLD.round1 IS NOT NULL THEN "
    f"RAISE EXCEPTION '{MSG_TELLER}'; END IF; RETURN OLD; END IF; "
    f"IF {_PG_TELLER} THEN RAISE EXCEPTION '{MSG_TELLER}'; END IF; RETURN NEW; END $$",
    "CREATE TRIGGER teller_once BEFORE UPDATE OR DELETE ON teller "
    "FOR EACH ROW EXECUTE FUNCTION teller_once()",
]

MSG_STEP = "a key ceremony moves on only when every teller has done the step"
MSG_TELLER_STEP = "a teller posts each step only while the ceremony is at it"

_COUNT = "(SELECT count(*) FROM {table} x WHERE x.ceremony_id = NEW.id{extra})"
_STEP_OK = (
    "(OLD.state = 'ROUND1' AND NEW.state = 'SHARES' AND "
    + _COUNT.format(table="teller", extra=" AND x.round1 IS NOT NULL")
    + " = NEW.n) OR (OLD.state = 'SHARES' AND NEW.state = 'CONFIRM' AND "
    + _COUNT.format(table="teller", extra=" AND x.shares_at IS NOT NULL")
    + " = NEW.n AND "
    + _COUNT.format(table="teller_share", extra="")
    + " = NEW.n * (NEW.n - 1)) OR (OLD.state = 'CONFIRM' AND NEW.state = 'READY' AND "
    + _COUNT.format(table="teller", extra=" AND x.confirmed_fingerprint = NEW.fingerprint")
    + " = NEW.n) OR (OLD.state IN ('ROUND1', 'SHARES', 'CONFIRM') AND NEW.state = 'VOID')"
)
_AT = "(SELECT k.state FROM key_ceremony k WHERE k.id = NEW.ceremony_id)"
_TELLER_STEP = (
    f"(NEW.round1 IS NOT OLD.round1 AND {_AT} IS NOT 'ROUND1')"
    f" OR (NEW.shares_at IS NOT OLD.shares_at AND {_AT} IS NOT 'SHARES')"
    f" OR (NEW.confirmed_at IS NOT OLD.confirmed_at AND {_AT} IS NOT 'CONFIRM')"
)
_PG_TELLER_STEP = _TELLER_STEP.replace(" IS NOT ", " IS DISTINCT FROM ")

SQLITE_STEPS = [
    "CREATE TRIGGER key_ceremony_starts BEFORE INSERT ON key_ceremony "
    f"WHEN NEW.state IS NOT 'ROUND1' BEGIN SELECT RAISE(ABORT, '{MSG_STEP}'); END",
    "CREATE TRIGGER key_ceremony_steps BEFORE UPDATE ON key_ceremony "
    f"WHEN NEW.state IS NOT OLD.state AND NOT ({_STEP_OK}) "
    f"BEGIN SELECT RAISE(ABORT, '{MSG_STEP}'); END",
    f"CREATE TRIGGER teller_steps BEFORE UPDATE ON teller WHEN {_TELLER_STEP} "
    f"BEGIN SELECT RAISE(ABORT, '{MSG_TELLER_STEP}'); END",
    f"CREATE TRIGGER teller_share_during_shares BEFORE INSERT ON teller_share WHEN {_AT} "
    f"IS NOT 'SHARES' BEGIN SELECT RAISE(ABORT, '{MSG_TELLER_STEP}'); END",
]
POSTGRESQL_STEPS = [
    "CREATE OR REPLACE FUNCTION key_ceremony_steps() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN IF TG_OP = 'INSERT' THEN IF NEW.state <> 'ROUND1' THEN RAISE EXCEPTION '{MSG_STEP}';"
    f" END IF; ELSIF NEW.state <> OLD.state AND NOT ({_STEP_OK}) THEN "
    f"RAISE EXCEPTION '{MSG_STEP}'; END IF; RETURN NEW; END $$",
    "CREATE TRIGGER key_ceremony_steps BEFORE INSERT OR UPDATE ON key_ceremony "
    "FOR EACH ROW EXECUTE FUNCTION key_ceremony_steps()",
    "CREATE OR REPLACE FUNCTION teller_steps() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN IF {_PG_TELLER_STEP} THEN RAISE EXCEPTION '{MSG_TELLER_STEP}'; END IF; "
    "RETURN NEW; END $$",
    "CREATE TRIGGER teller_steps BEFORE UPDATE ON teller "
    "FOR EACH ROW EXECUTE FUNCTION teller_steps()",
    "CREATE OR REPLACE FUNCTION teller_share_during_shares() RETURNS trigger LANGUAGE plpgsql "
    f"AS $$ BEGIN IF {_AT} IS DISTINCT FROM 'SHARES' THEN RAISE EXCEPTION '{MSG_TELLER_STEP}'; "
    "END IF; RETURN NEW; END $$",
    "CREATE TRIGGER teller_share_during_shares BEFORE INSERT ON teller_share "
    "FOR EACH ROW EXECUTE FUNCTION teller_share_during_shares()",
]

register("key_ceremony", sqlite=SQLITE, postgresql=POSTGRESQL)
register("key_ceremony_steps", sqlite=SQLITE_STEPS, postgresql=POSTGRESQL_STEPS)
register_append_only("teller_share")
