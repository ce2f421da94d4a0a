"""The circular resolutions' rules hold in the database itself: raw SQL on both databases."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError

from governance.bodies.models import Body
from governance.bodies.models_circulars import CircularChoice
from governance.db import new_session
from tests.bodies.factories_circulars import *  # noqa: F403  (fixtures)

NOW = "CURRENT_TIMESTAMP"


def add_vote(conn: Any, circular: int, seat: int, user: int, choice: str = "YES") -> None:
    conn.execute(
        text(
            "INSERT INTO circular_vote (circular_id, seat_id, user_id, choice, cast_at) "
            f"VALUES (:c, :s, :u, :ch, {NOW})"
        ),
        {"c": circular, "s": seat, "u": user, "ch": choice},
    )


def refused(engine: Any, match: str, action: Callable[[Any], Any]) -> None:
    with pytest.raises(DBAPIError, match=match), engine.begin() as conn:
        action(conn)


@pytest.fixture
def open_circular(session: Any, seated: Any, send: Any) -> tuple[int, list[Any]]:
    body, people = seated(3)
    circular = send(session, body, people[0])
    return int(circular.id), people


def test_one_vote_per_seat(engine: Any, open_circular: Any) -> None:
    cid, people = open_circular
    with engine.begin() as conn:
        add_vote(conn, cid, people[1].seat_id, people[1].id, "NO")
    with (
        pytest.raises(
            IntegrityError, match=r"uq_circular_vote|UNIQUE constraint failed: circular_vote"
        ),
        engine.begin() as conn,
    ):
        add_vote(conn, cid, people[1].seat_id, people[1].id, "YES")


def test_only_the_frozen_electorate_votes_and_only_in_person(
    engine: Any, open_circular: Any, make_seat: Any, session: Any
) -> None:
    cid, people = open_circular
    late = make_seat(_body(engine, cid))  # seated after the sending
    with (
        pytest.raises(IntegrityError, match=r"fk_circular_vote_seat|FOREIGN KEY"),
        engine.begin() as conn,
    ):
        add_vote(conn, cid, late.seat_id, late.id)  # not in circular_seat: the foreign key
    refused(
        engine,
        "only the person holding the seat votes",
        lambda c: add_vote(c, cid, people[1].seat_id, people[2].id),
    )


def _body(engine: Any, cid: int) -> Any:
    with new_session(engine) as s:
        body_id = s.execute(text("SELECT body_id FROM circular WHERE id = :i"), {"i": cid})
        return s.get(Body, body_id.scalar_one())


def test_votes_and_the_electorate_are_append_only(engine: Any, open_circular: Any) -> None:
    cid, people = open_circular
    with engine.begin() as conn:
        add_vote(conn, cid, people[0].seat_id, people[0].id)
    for table, statement in [
        ("circular_vote", "UPDATE circular_vote SET choice = 'NO'"),
        ("circular_vote", "DELETE FROM circular_vote"),
        ("circular_seat", "DELETE FROM circular_seat"),
        ("circular", "UPDATE circular SET title = 'anders'"),
        ("circular", "DELETE FROM circular"),
    ]:
        refused(engine, f"{table} is append-only", lambda c, s=statement: c.execute(text(s)))


def test_no_vote_after_the_conclusion_and_a_concluded_circular_never_changes(
    engine: Any, session: Any, seated: Any, send: Any, vote: Any
) -> None:
    body, people = seated(3)
    circular = send(session, body, people[0])
    vote(session, circular, people[0], CircularChoice.OBJECTION)  # stops it at once
    cid = int(circular.id)
    refused(
        engine,
        "no longer open",
        lambda c: add_vote(c, cid, people[1].seat_id, people[1].id),
    )
    refused(
        engine,
        "a concluded circular never changes",
        lambda c: c.execute(text("UPDATE circular SET state = 'ADOPTED'")),
    )
    refused(
        engine,
        "circular_record is append-only",
        lambda c: c.execute(text("UPDATE circular_record SET page_count = 9")),
    )
    refused(
        engine,
        "circular_seat: the electorate is frozen",
        lambda c: c.execute(
            text("INSERT INTO circular_seat (circular_id, seat_id) VALUES (:c, :s)"),
            {"c": cid, "s": people[0].seat_id},
        ),
    )


def test_no_vote_after_the_deadline_by_the_database_clock(engine: Any, open_circular: Any) -> None:
    cid, people = open_circular
    with engine.begin() as conn:  # a circular sent with a deadline already past
        conn.execute(
            text(
                "INSERT INTO circular (body_id, title, motion, reasoning, rule, state, sent_at, "
                "sent_by_id, deadline, seat_count, yes_count, no_count, abstain_count, "
                "objection_count) SELECT body_id, 'alt', 'alt', '', rule, 'OPEN', "
                "'2020-01-01 00:00:00', sent_by_id, '2020-01-02 00:00:00', 1, 0, 0, 0, 0 "
                "FROM circular WHERE id = :c"
            ),
            {"c": cid},
        )
        old = conn.execute(text("SELECT max(id) FROM circular")).scalar_one()
        conn.execute(
            text("INSERT INTO circular_seat (circular_id, seat_id) VALUES (:c, :s)"),
            {"c": old, "s": people[0].seat_id},
        )
    refused(
        engine,
        "the deadline has passed",
        lambda c: add_vote(c, old, people[0].seat_id, people[0].id),
    )


def test_the_record_keeps_its_hash(engine: Any, backend: str, open_circular: Any) -> None:
    cid, _people = open_circular
    if backend != "postgresql":
        pytest.skip("SQLite has no SHA-256 built in; the hash is checked on PostgreSQL")
    with pytest.raises(IntegrityError, match="ck_circular_record_bytes"), engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO circular_record (circular_id, pdf, pdf_sha256, page_count, "
                f"created_at) VALUES (:c, :p, :h, 1, {NOW})"
            ),
            {"c": cid, "p": b"%PDF-fake", "h": "0" * 64},
        )
