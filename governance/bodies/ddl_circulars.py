"""Trigger DDL of the circular resolutions, per dialect, registered with `governance.ddl`.

- circular: never deleted; while OPEN only its state, conclusion time and counts may change,
  once concluded nothing does.
- circular_seat, circular_vote, circular_record: append-only (the electorate, the named votes
  and the minutes-book PDF are evidence).
- circular_seat: the electorate is only added to an open circular.
- circular_vote: only while the circular is open and, by the database's own clock, before its
  stored deadline; only by the login of the seat's person. One vote per seat is a unique key.
- circular_record: on PostgreSQL the stored bytes' SHA-256 must equal the recorded hash.
"""

from governance.ddl import register, register_append_only

MSG_CONCLUDED = "circular: a concluded circular never changes"
MSG_CLOSED = "circular_vote: the circular is no longer open"
MSG_DEADLINE = "circular_vote: the deadline has passed"
MSG_PERSON = "circular_vote: only the person holding the seat votes"
MSG_SEAT_CLOSED = "circular_seat: the electorate is frozen when the circular is sent"

_STATE = "(SELECT c.state FROM circular c WHERE c.id = NEW.circular_id)"
_DEADLINE = "(SELECT c.deadline FROM circular c WHERE c.id = NEW.circular_id)"
_PERSON = (
    'NOT EXISTS (SELECT 1 FROM seat s JOIN "user" u ON u.id = NEW.user_id '
    "WHERE s.id = NEW.seat_id AND (s.user_id = u.id OR s.member_id = u.member_id))"
)


def _sqlite() -> list[str]:
    def abort(name: str, event: str, table: str, when: str, msg: str) -> str:
        return (
            f"CREATE TRIGGER {name} BEFORE {event} ON {table} WHEN {when} "
            f"BEGIN SELECT RAISE(ABORT, '{msg}'); END"
        )

    return [
        abort("circular_concluded", "UPDATE", "circular", "OLD.state <> 'OPEN'", MSG_CONCLUDED),
        abort("circular_seat_open", "INSERT", "circular_seat", f"{_STATE} <> 'OPEN'",
              MSG_SEAT_CLOSED),
        abort("circular_vote_open", "INSERT", "circular_vote", f"{_STATE} <> 'OPEN'", MSG_CLOSED),
        abort("circular_vote_deadline", "INSERT", "circular_vote",
              f"datetime('now') > datetime({_DEADLINE})", MSG_DEADLINE),
        abort("circular_vote_person", "INSERT", "circular_vote", _PERSON, MSG_PERSON),
    ]  # fmt: skip


def _postgresql() -> list[str]:
    return [
        "CREATE OR REPLACE FUNCTION circular_concluded() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN IF OLD.state <> 'OPEN' THEN RAISE EXCEPTION '{MSG_CONCLUDED}'; END IF; "
        "RETURN NEW; END $$",
        "CREATE TRIGGER circular_concluded BEFORE UPDATE ON circular "
        "FOR EACH ROW EXECUTE FUNCTION circular_concluded()",
        "CREATE OR REPLACE FUNCTION circular_seat_open() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN IF {_STATE} <> 'OPEN' THEN RAISE EXCEPTION '{MSG_SEAT_CLOSED}'; END IF; "
        "RETURN NEW; END $$",
        "CREATE TRIGGER circular_seat_open BEFORE INSERT ON circular_seat "
        "FOR EACH ROW EXECUTE FUNCTION circular_seat_open()",
        # The circular's row is locked, so a vote and the conclusion are serialised.
        "CREATE OR REPLACE FUNCTION circular_vote_rules() RETURNS trigger LANGUAGE plpgsql AS "  # noqa: S608
        "$$ DECLARE st text; dl timestamptz; BEGIN "
        "SELECT c.state, c.deadline INTO st, dl FROM circular c WHERE c.id = NEW.circular_id "
        "FOR UPDATE; "
        f"IF st <> 'OPEN' THEN RAISE EXCEPTION '{MSG_CLOSED}'; END IF; "
        f"IF clock_timestamp() > dl THEN RAISE EXCEPTION '{MSG_DEADLINE}'; END IF; "
        f"IF {_PERSON} THEN RAISE EXCEPTION '{MSG_PERSON}'; END IF; "
        "RETURN NEW; END $$",
        "CREATE TRIGGER circular_vote_rules BEFORE INSERT ON circular_vote "
        "FOR EACH ROW EXECUTE FUNCTION circular_vote_rules()",
        "ALTER TABLE circular_record ADD CONSTRAINT ck_circular_record_bytes "
        "CHECK (encode(sha256(pdf), 'hex') = pdf_sha256)",
    ]


register("circular_rules", sqlite=_sqlite(), postgresql=_postgresql())
register_append_only(
    "circular",
    frozen_columns=(
        "id",
        "body_id",
        "title",
        "motion",
        "reasoning",
        "rule",
        "sent_at",
        "sent_by_id",
        "deadline",
        "seat_count",
    ),
    mutable_columns=(
        "state",
        "concluded_at",
        "yes_count",
        "no_count",
        "abstain_count",
        "objection_count",
    ),
)
register_append_only("circular_seat")
register_append_only("circular_vote")
register_append_only("circular_record")
