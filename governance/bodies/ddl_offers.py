"""Trigger DDL of the seat offers, per dialect, registered with `governance.ddl`.

- seat_offer: made open (OFFERED), only for a published election; once decided (accepted,
  declined, withdrawn) it never changes again; never deleted; who, where, which election and
  which term never change (append-only with the answer's columns mutable).
- The seat of an accepted offer is the offer's: same body, member and election, origin ELECTED.
"""

from governance.ddl import register, register_append_only

MSG_NEW = "seat_offer: an offer is made open, the answer comes later"
MSG_ELECTION = "seat_offer: only the elected of a published election are offered a seat"
MSG_DECIDED = "seat_offer: a decided offer never changes"
MSG_SEAT = "seat_offer: the seat of an accepted offer is the elected seat it offered"

_ELECTION = (
    "NOT EXISTS (SELECT 1 FROM poll p WHERE p.id = NEW.poll_id "
    "AND p.kind = 'ELECTION' AND p.state = 'PUBLISHED')"
)
_SEAT = (
    "NEW.seat_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM seat s WHERE s.id = NEW.seat_id "
    "AND s.body_id = NEW.body_id AND s.member_id = NEW.member_id AND s.poll_id = NEW.poll_id "
    "AND s.origin = 'ELECTED')"
)


def _sqlite() -> list[str]:
    def abort(name: str, event: str, when: str, msg: str) -> str:
        return (
            f"CREATE TRIGGER {name} BEFORE {event} ON seat_offer WHEN {when} "
            f"BEGIN SELECT RAISE(ABORT, '{msg}'); END"
        )

    return [
        abort("seat_offer_new", "INSERT", "NEW.state <> 'OFFERED'", MSG_NEW),
        abort("seat_offer_election", "INSERT", _ELECTION, MSG_ELECTION),
        abort("seat_offer_decided", "UPDATE", "OLD.state <> 'OFFERED'", MSG_DECIDED),
        abort("seat_offer_seat", "UPDATE", _SEAT, MSG_SEAT),
    ]


def _postgresql() -> list[str]:
    return [
        "CREATE OR REPLACE FUNCTION seat_offer_rules() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN IF TG_OP = 'INSERT' THEN "
        f"IF NEW.state <> 'OFFERED' THEN RAISE EXCEPTION '{MSG_NEW}'; END IF; "
        f"IF {_ELECTION} THEN RAISE EXCEPTION '{MSG_ELECTION}'; END IF; "
        f"ELSIF OLD.state <> 'OFFERED' THEN RAISE EXCEPTION '{MSG_DECIDED}'; END IF; "
        f"IF {_SEAT} THEN RAISE EXCEPTION '{MSG_SEAT}'; END IF; "
        "RETURN NEW; END $$",
        "CREATE TRIGGER seat_offer_rules BEFORE INSERT OR UPDATE ON seat_offer "
        "FOR EACH ROW EXECUTE FUNCTION seat_offer_rules()",
    ]


register("seat_offer_rules", sqlite=_sqlite(), postgresql=_postgresql())
register_append_only(
    "seat_offer",
    frozen_columns=(
        "id",
        "body_id",
        "member_id",
        "poll_id",
        "candidate",
        "function",
        "starts_on",
        "ends_on",
        "created_by_id",
        "created_at",
    ),
    mutable_columns=("state", "decided_at", "decided_by_id", "seat_id"),
)
