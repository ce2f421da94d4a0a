"""Trigger DDL of the bodies, per dialect, registered with `governance.ddl`.

- seat: history. Never deleted; who, where, since when and why never change; only the end
  of the term, the function and the note may be changed.
- seat_overlap: one person holds at most one seat in one body on any day.
- seat_exclusive: nobody sits on the board and the supervisory board on the same day (§37 GenG).
- seat_members_only: the board's, the supervisory board's and the representative assembly's
  seats are held by members (§9(2) GenG), not by users outside the register.
- body: never deleted (its seats and papers are history); its kind never changes.
"""

from governance.ddl import register, register_append_only

MSG_OVERLAP = "seat: one person holds at most one seat in a body on any day"
MSG_EXCLUSIVE = "seat: nobody sits on the board and the supervisory board at the same time"
MSG_MEMBERS = "seat: the seats of this body are held by members"
MSG_BODY = "body: a body is never deleted and keeps its kind"

_FAR = {"sqlite": "'9999-12-31'", "postgresql": "DATE '9999-12-31'"}


def _overlap(dialect: str) -> str:
    far = _FAR[dialect]
    return (
        f"x.starts_on <= COALESCE(NEW.ends_on, {far}) "
        f"AND NEW.starts_on <= COALESCE(x.ends_on, {far})"
    )


def _conflicts(dialect: str) -> tuple[str, str, str]:
    same_person = (
        "((NEW.member_id IS NOT NULL AND x.member_id = NEW.member_id) OR "
        "(NEW.user_id IS NOT NULL AND x.user_id = NEW.user_id))"
    )
    overlap = (
        "EXISTS (SELECT 1 FROM seat x WHERE x.body_id = NEW.body_id AND x.id <> NEW.id "  # noqa: S608
        f"AND {same_person} AND {_overlap(dialect)})"
    )
    kind = "(SELECT b.kind FROM body b WHERE b.id = NEW.body_id)"
    exclusive = (
        f"{kind} IN ('BOARD', 'SUPERVISORY_BOARD') AND EXISTS (SELECT 1 FROM seat x "  # noqa: S608
        "JOIN body b ON b.id = x.body_id WHERE x.member_id = NEW.member_id "
        f"AND b.kind IN ('BOARD', 'SUPERVISORY_BOARD') AND b.kind <> {kind} "
        f"AND {_overlap(dialect)})"
    )
    members = (
        f"NEW.member_id IS NULL AND {kind} IN ('BOARD', 'SUPERVISORY_BOARD', "
        "'REPRESENTATIVE_ASSEMBLY')"
    )
    return overlap, exclusive, members


def _sqlite() -> list[str]:
    overlap, exclusive, members = _conflicts("sqlite")
    out = []
    for op in ("INSERT", "UPDATE"):
        low = op.lower()
        out += [
            f"CREATE TRIGGER seat_overlap_{low} AFTER {op} ON seat WHEN {overlap} "
            f"BEGIN SELECT RAISE(ABORT, '{MSG_OVERLAP}'); END",
            f"CREATE TRIGGER seat_exclusive_{low} AFTER {op} ON seat WHEN {exclusive} "
            f"BEGIN SELECT RAISE(ABORT, '{MSG_EXCLUSIVE}'); END",
            f"CREATE TRIGGER seat_members_only_{low} BEFORE {op} ON seat WHEN {members} "
            f"BEGIN SELECT RAISE(ABORT, '{MSG_MEMBERS}'); END",
        ]
    out += [
        "CREATE TRIGGER body_no_delete BEFORE DELETE ON body "
        f"BEGIN SELECT RAISE(ABORT, '{MSG_BODY}'); END",
        "CREATE TRIGGER body_kind_fixed BEFORE UPDATE ON body WHEN NEW.kind IS NOT OLD.kind "
        f"BEGIN SELECT RAISE(ABORT, '{MSG_BODY}'); END",
    ]
    return out


def _postgresql() -> list[str]:
    overlap, exclusive, members = _conflicts("postgresql")
    return [
        "CREATE OR REPLACE FUNCTION seat_rules() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        # Concurrent seats of one person are checked one after the other.
        "PERFORM pg_advisory_xact_lock(hashtext('seat:' || "
        "COALESCE(NEW.member_id::text, 'u' || NEW.user_id::text))); "
        f"IF {members} THEN RAISE EXCEPTION '{MSG_MEMBERS}'; END IF; "
        f"IF {overlap} THEN RAISE EXCEPTION '{MSG_OVERLAP}'; END IF; "
        f"IF {exclusive} THEN RAISE EXCEPTION '{MSG_EXCLUSIVE}'; END IF; "
        "RETURN NEW; END $$",
        "CREATE TRIGGER seat_rules BEFORE INSERT OR UPDATE ON seat "
        "FOR EACH ROW EXECUTE FUNCTION seat_rules()",
        "CREATE OR REPLACE FUNCTION body_rules() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP = 'DELETE' OR NEW.kind IS DISTINCT FROM OLD.kind THEN "
        f"RAISE EXCEPTION '{MSG_BODY}'; END IF; RETURN NEW; END $$",
        "CREATE TRIGGER body_rules BEFORE UPDATE OR DELETE ON body "
        "FOR EACH ROW EXECUTE FUNCTION body_rules()",
    ]


register("seat_rules", sqlite=_sqlite(), postgresql=_postgresql())
register_append_only(
    "seat",
    frozen_columns=(
        "id",
        "body_id",
        "member_id",
        "user_id",
        "origin",
        "poll_id",
        "starts_on",
        "created_by_id",
        "created_at",
    ),
    mutable_columns=("ends_on", "function", "note"),
)
