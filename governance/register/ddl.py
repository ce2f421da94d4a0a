"""Trigger DDL of the share ledger, per dialect registered with `governance.ddl`.

- A reversal must be the exact negative of one earlier (lower id, not later value date)
  non-reversal transaction of the same member; `reverses_id` is unique (one per transaction).
- A negative booking may not make the member's running total negative at any value date.
- `member.shares` is the booked total: the ledger trigger adds each booking, and a guard
  refuses any other value (insert with shares ≠ 0, update to a value ≠ the ledger's sum).
On PostgreSQL the ledger trigger first locks the member row: concurrent bookings of one
member are checked one after the other. The total is set to the ledger's sum (not
incremented): PostgreSQL fires row triggers of a multi-row INSERT after all its rows.
"""

from governance.ddl import register, register_append_only

MSG_REVERSAL = (
    "share_transaction: a reversal must be the exact negative of one earlier transaction "
    "of the same member"
)
MSG_NEGATIVE = "share_transaction: the member''s share total would become negative"
MSG_SHARES = "member.shares is kept by the share ledger"

_REVERSAL_OK = (
    "EXISTS (SELECT 1 FROM share_transaction o WHERE o.id = NEW.reverses_id "
    "AND o.id < NEW.id AND o.member_id = NEW.member_id AND o.kind <> 'REVERSAL' "
    "AND o.share_count = -NEW.share_count AND o.value_date <= NEW.value_date)"
)
_GOES_NEGATIVE = (
    "EXISTS (SELECT 1 FROM share_transaction t WHERE t.member_id = NEW.member_id "
    "AND t.value_date >= NEW.value_date AND (SELECT SUM(u.share_count) FROM share_transaction u "
    "WHERE u.member_id = NEW.member_id AND u.value_date <= t.value_date) < 0)"
)
_LEDGER_SUM = (
    "(SELECT COALESCE(SUM(share_count), 0) FROM share_transaction WHERE member_id = NEW.id)"
)
_SET_TOTAL = (
    "UPDATE member SET shares = (SELECT COALESCE(SUM(u.share_count), 0) "
    "FROM share_transaction u WHERE u.member_id = NEW.member_id) WHERE id = NEW.member_id; "
)

SQLITE = [
    "CREATE TRIGGER member_shares_insert BEFORE INSERT ON member WHEN NEW.shares <> 0 "
    f"BEGIN SELECT RAISE(ABORT, '{MSG_SHARES}'); END",
    "CREATE TRIGGER member_shares_update BEFORE UPDATE OF shares ON member "
    f"WHEN NEW.shares IS NOT {_LEDGER_SUM} "
    f"BEGIN SELECT RAISE(ABORT, '{MSG_SHARES}'); END",
    "CREATE TRIGGER share_transaction_rules AFTER INSERT ON share_transaction BEGIN "
    f"SELECT RAISE(ABORT, '{MSG_REVERSAL}') "
    f"WHERE NEW.kind = 'REVERSAL' AND NOT {_REVERSAL_OK}; "
    f"SELECT RAISE(ABORT, '{MSG_NEGATIVE}') WHERE NEW.share_count < 0 AND {_GOES_NEGATIVE}; "
    f"{_SET_TOTAL}END",
]

POSTGRESQL = [
    "CREATE OR REPLACE FUNCTION member_shares_guard() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN "
    "IF TG_OP = 'INSERT' THEN "
    f"IF NEW.shares <> 0 THEN RAISE EXCEPTION '{MSG_SHARES}'; END IF; "
    f"ELSIF NEW.shares IS DISTINCT FROM OLD.shares AND NEW.shares <> {_LEDGER_SUM} THEN "
    f"RAISE EXCEPTION '{MSG_SHARES}'; "
    "END IF; "
    "RETURN NEW; END $$",
    "CREATE TRIGGER member_shares_guard BEFORE INSERT OR UPDATE ON member "
    "FOR EACH ROW EXECUTE FUNCTION member_shares_guard()",
    "CREATE OR REPLACE FUNCTION share_transaction_rules() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN "
    "PERFORM 1 FROM member WHERE id = NEW.member_id FOR UPDATE; "
    f"IF NEW.kind = 'REVERSAL' AND NOT {_REVERSAL_OK} THEN "
    f"RAISE EXCEPTION '{MSG_REVERSAL}'; END IF; "
    f"IF NEW.share_count < 0 AND {_GOES_NEGATIVE} THEN "
    f"RAISE EXCEPTION '{MSG_NEGATIVE}'; END IF; "
    f"{_SET_TOTAL}"
    "RETURN NULL; END $$",
    "CREATE TRIGGER share_transaction_rules AFTER INSERT ON share_transaction "
    "FOR EACH ROW EXECUTE FUNCTION share_transaction_rules()",
]


register("register_share_ledger", sqlite=SQLITE, postgresql=POSTGRESQL)
register_append_only(
    "share_transaction",
    frozen_columns=(
        "id",
        "member_id",
        "kind",
        "value_date",
        "share_count",
        "reference",
        "reverses_id",
        "created_at",
        "created_by",
    ),
    mutable_columns=("comment",),
)
