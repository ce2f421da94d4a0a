"""The seat offers' rules hold in the database itself: raw SQL on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from governance.bodies.models import BodyKind
from tests.bodies.offers_factories import *  # noqa: F403  (fixtures)

NOW = "2026-01-01 00:00:00"


def add_offer(conn: Any, body: int, member: int, poll: int, state: str = "OFFERED") -> int:
    return int(
        conn.execute(
            text(
                "INSERT INTO seat_offer (body_id, member_id, poll_id, candidate, function, "
                "starts_on, state, created_at) VALUES (:b, :m, :p, 'Hanna Berger', 'MEMBER', "
                "'2026-01-01', :s, :c) RETURNING id"
            ),
            {"b": body, "m": member, "p": poll, "s": state, "c": NOW},
        ).scalar_one()
    )


def add_seat(conn: Any, body: int, member: int, poll: int | None, origin: str = "ELECTED") -> int:
    return int(
        conn.execute(
            text(
                "INSERT INTO seat (body_id, member_id, function, origin, poll_id, starts_on, "
                "note, created_at) VALUES (:b, :m, 'MEMBER', :o, :p, '2026-01-01', '', :c) "
                "RETURNING id"
            ),
            {"b": body, "m": member, "o": origin, "p": poll, "c": NOW},
        ).scalar_one()
    )


def refused(engine: Any, match: str, action: Callable[[Any], Any]) -> None:
    with pytest.raises(DBAPIError, match=match), engine.begin() as conn:
        action(conn)


@pytest.fixture
def setting(
    engine: Any, make_body: Any, elected: Any, make_member: Any, vote_world: Any, make_poll: Any
) -> dict[str, int]:
    poll = elected(["Hanna Berger"])
    # (worlds before members: the worlds number their members themselves)
    draft = make_poll(vote_world(members=1), open=False, kind="ELECTION", candidates=["X"])
    return {
        "draft": draft.id,
        "sb": make_body(BodyKind.SUPERVISORY_BOARD, "Aufsichtsrat").id,
        "committee": make_body(BodyKind.COMMITTEE, "Ausschuss").id,
        "poll": poll,
        "member": make_member().id,
        "other": make_member().id,
    }


def test_an_offer_is_made_open_and_only_for_a_published_election(
    engine: Any, setting: dict[str, int]
) -> None:
    sb, m, poll = setting["sb"], setting["member"], setting["poll"]
    refused(engine, "made open", lambda c: add_offer(c, sb, m, poll, state="ACCEPTED"))
    refused(engine, "published election", lambda c: add_offer(c, sb, m, setting["draft"]))
    with engine.begin() as conn:
        add_offer(conn, sb, m, poll)
    # One open offer per body, member and election.
    refused(engine, r"(?i)unique|duplicate", lambda c: add_offer(c, sb, m, poll))
    with engine.begin() as conn:
        add_offer(conn, setting["committee"], m, poll)  # another body: another offer


def test_a_decided_offer_never_changes_and_no_offer_is_deleted(
    engine: Any, setting: dict[str, int]
) -> None:
    sb, m, poll = setting["sb"], setting["member"], setting["poll"]
    with engine.begin() as conn:
        offer = add_offer(conn, sb, m, poll)
    decline = "UPDATE seat_offer SET state = 'DECLINED', decided_at = :c WHERE id = :i"
    refused(engine, "append-only", lambda c: c.execute(text("DELETE FROM seat_offer")))
    refused(
        engine, "append-only",
        lambda c: c.execute(text("UPDATE seat_offer SET member_id = :o"), {"o": setting["other"]}),
    )  # fmt: skip
    refused(
        engine, "ck_seat_offer_decided",
        lambda c: c.execute(text("UPDATE seat_offer SET state = 'DECLINED' WHERE id = :i"), {"i": offer}),
    )  # fmt: skip
    with engine.begin() as conn:
        conn.execute(text(decline), {"i": offer, "c": NOW})
        add_offer(conn, sb, m, poll)  # declined: a new open offer may be made
    refused(
        engine, "decided offer never changes",
        lambda c: c.execute(text("UPDATE seat_offer SET state = 'OFFERED', decided_at = NULL WHERE id = :i"), {"i": offer}),
    )  # fmt: skip


def test_the_seat_of_an_accepted_offer_is_the_elected_seat_it_offered(
    engine: Any, setting: dict[str, int]
) -> None:
    sb, m, poll = setting["sb"], setting["member"], setting["poll"]
    accept = "UPDATE seat_offer SET state = 'ACCEPTED', decided_at = :c, seat_id = :s WHERE id = :i"
    with engine.begin() as conn:
        offer = add_offer(conn, sb, m, poll)
        wrong_body = add_seat(conn, setting["committee"], m, poll)
        appointed = add_seat(conn, sb, setting["other"], None, origin="APPOINTED")
    refused(
        engine, "ck_seat_offer_seat",
        lambda c: c.execute(text("UPDATE seat_offer SET state = 'ACCEPTED', decided_at = :c WHERE id = :i"), {"i": offer, "c": NOW}),
    )  # fmt: skip
    for seat in (wrong_body, appointed):
        refused(
            engine, "the elected seat it offered",
            lambda c, seat=seat: c.execute(text(accept), {"i": offer, "c": NOW, "s": seat}),
        )  # fmt: skip
    with engine.begin() as conn:
        seat = add_seat(conn, sb, m, poll)
        conn.execute(text(accept), {"i": offer, "c": NOW, "s": seat})
        state = conn.execute(text("SELECT state FROM seat_offer WHERE id = :i"), {"i": offer})
        assert state.scalar_one() == "ACCEPTED"
