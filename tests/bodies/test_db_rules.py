"""The seat rules hold in the database itself: raw SQL on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError

CREATED = "2024-01-01 00:00:00"


def add_body(conn: Any, kind: str, name: str) -> int:
    return int(
        conn.execute(
            text(
                "INSERT INTO body (kind, name, description, quorum_percent, notice_days, "
                "circular_rule, created_at) VALUES (:k, :n, '', 50, 7, "
                "'NO_OBJECTION_MAJORITY_OF_SEATS', :c) RETURNING id"
            ),
            {"k": kind, "n": name, "c": CREATED},
        ).scalar_one()
    )


def add_seat(
    conn: Any,
    body: int,
    starts: str,
    ends: str | None = None,
    *,
    member: int | None = None,
    user: int | None = None,
) -> int:
    return int(
        conn.execute(
            text(
                "INSERT INTO seat (body_id, member_id, user_id, function, origin, starts_on, "
                "ends_on, note, created_at) VALUES (:b, :m, :u, 'MEMBER', 'APPOINTED', :s, :e, "
                "'', :c) RETURNING id"
            ),
            {"b": body, "m": member, "u": user, "s": starts, "e": ends, "c": CREATED},
        ).scalar_one()
    )


@pytest.fixture
def bodies(engine: Any) -> dict[str, int]:
    with engine.begin() as conn:
        return {
            "board": add_body(conn, "BOARD", "Vorstand"),
            "supervisory": add_body(conn, "SUPERVISORY_BOARD", "Aufsichtsrat"),
            "committee": add_body(conn, "COMMITTEE", "Prüfungsausschuss"),
        }


def refused(engine: Any, match: str, action: Callable[[Any], Any]) -> None:
    with pytest.raises(DBAPIError, match=match), engine.begin() as conn:
        action(conn)


def test_overlapping_seats_of_one_person_in_one_body_are_refused(
    engine: Any, bodies: dict[str, int], make_member: Callable[..., Any]
) -> None:
    m = make_member().id
    with engine.begin() as conn:
        add_seat(conn, bodies["board"], "2024-01-01", "2024-12-31", member=m)
        add_seat(conn, bodies["board"], "2025-01-01", None, member=m)  # the next term
    refused(
        engine,
        "one person holds at most one seat",
        lambda c: add_seat(c, bodies["board"], "2024-12-31", "2025-01-01", member=m),
    )


def test_board_and_supervisory_board_exclude_each_other(
    engine: Any, bodies: dict[str, int], make_member: Callable[..., Any]
) -> None:
    m = make_member().id
    with engine.begin() as conn:
        add_seat(conn, bodies["board"], "2024-01-01", "2024-06-30", member=m)
        add_seat(conn, bodies["supervisory"], "2024-07-01", None, member=m)  # afterwards: fine
        add_seat(conn, bodies["committee"], "2024-01-01", None, member=m)  # a committee: fine
    refused(
        engine,
        "nobody sits on the board and the supervisory board",
        lambda c: add_seat(c, bodies["board"], "2025-01-01", None, member=m),
    )


def test_board_seats_need_a_member_and_committee_seats_do_not(
    engine: Any, bodies: dict[str, int], make_user: Callable[..., Any]
) -> None:
    u = make_user().id
    with engine.begin() as conn:
        add_seat(conn, bodies["committee"], "2024-01-01", None, user=u)
    refused(
        engine,
        "held by members",
        lambda c: add_seat(c, bodies["supervisory"], "2024-01-01", None, user=u),
    )


def test_seats_are_history(
    engine: Any, bodies: dict[str, int], make_member: Callable[..., Any]
) -> None:
    m = make_member().id
    with engine.begin() as conn:
        seat = add_seat(conn, bodies["board"], "2024-01-01", None, member=m)
        conn.execute(text("UPDATE seat SET ends_on = '2024-12-31' WHERE id = :i"), {"i": seat})
    refused(engine, "append-only", lambda c: c.execute(text("DELETE FROM seat")))
    refused(
        engine,
        "append-only",
        lambda c: c.execute(text("UPDATE seat SET starts_on = '2023-01-01'")),
    )
    with pytest.raises(IntegrityError, match="ck_seat_term"), engine.begin() as conn:
        conn.execute(text("UPDATE seat SET ends_on = '2023-12-31'"))
    refused(
        engine,
        "never deleted",
        lambda c: c.execute(text("DELETE FROM body WHERE id = :i"), {"i": bodies["committee"]}),
    )


def test_one_board_per_cooperative(engine: Any, bodies: dict[str, int]) -> None:
    with pytest.raises(IntegrityError), engine.begin() as conn:
        add_body(conn, "BOARD", "Zweiter Vorstand")
    with engine.begin() as conn:
        add_body(conn, "COMMITTEE", "Bauausschuss")
