"""Trigger DDL of the key ceremony, per dialect, registered with `governance.ddl`.

- key_ceremony: never deleted; n, t, its id and assembly never change; the round-1
  fingerprint and the poll key are written once; a READY or VOID ceremony never changes.
- teller: what a teller posted (round 1, the confirmation) is written once; who the teller is
  never changes; a teller is removed only before posting anything.
- teller_share: append-only.
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

register("key_ceremony", sqlite=SQLITE, postgresql=POSTGRESQL)
register_append_only("teller_share")
