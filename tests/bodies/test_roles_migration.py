"""Revision 0014 (issue #15, roles follow seats): stored BOARD / SUPERVISORY_BOARD grants of a
database at 0013 become APPOINTED seats; grants that cannot be seated are dropped with a
warning naming the user; no BOARD / SUPERVISORY_BOARD row stays in user_role."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from governance.db import make_engine
from governance.migrations.runner import downgrade, upgrade
from tests.databases import empty_database


@pytest.fixture
def engine_at_0013(backend: str, tmp_path: Path) -> Iterator[Engine]:
    with empty_database(backend, tmp_path) as url:
        engine = make_engine(url)
        upgrade(engine, "0013")
        yield engine
        engine.dispose()


def _member(conn, n: int) -> int:
    conn.execute(
        text(
            "INSERT INTO member (number, kind, last_name, first_names, firm, sort_name, street, "
            "postal_code, city, country, entry_date, status, shares, note, created_at) VALUES "
            "(:number, 'NATURAL', :name, 'Test', '', :name, '', '', '', 'DE', '2020-01-01', "
            "'ACTIVE', 0, '', CURRENT_TIMESTAMP)"
        ),
        {"number": f"M-{1_000_000 + n:07d}", "name": f"Person{n}"},
    )
    return conn.execute(text("SELECT max(id) FROM member")).scalar_one()


def _user(conn, name: str, member_id: int | None, *roles: str, active: bool = True) -> int:
    conn.execute(
        text(
            'INSERT INTO "user" (email, display_name, active, member_id, created_at, '
            "security_stamp) VALUES (:e, :e, :a, :m, CURRENT_TIMESTAMP, 0)"
        ),
        {"e": f"{name}@example.org", "a": active, "m": member_id},
    )
    user_id = conn.execute(text('SELECT max(id) FROM "user"')).scalar_one()
    for role in roles:
        conn.execute(
            text("INSERT INTO user_role (user_id, role) VALUES (:u, :r)"), {"u": user_id, "r": role}
        )
    return user_id


def test_grants_become_seats_and_the_check_refuses_them(engine_at_0013, capsys):
    with engine_at_0013.begin() as conn:
        board = _member(conn, 1)
        _user(conn, "board", board, "BOARD", "MEMBER")
        sb = _member(conn, 2)
        _user(conn, "sb", sb, "SUPERVISORY_BOARD")
        both = _member(conn, 3)
        both_user = _user(conn, "both", both, "BOARD", "SUPERVISORY_BOARD")
        loose = _user(conn, "loose", None, "BOARD")
        gone = _user(conn, "gone", _member(conn, 4), "BOARD", active=False)
        _user(conn, "secretary", _member(conn, 5), "SECRETARY", "MEMBER")

    upgrade(engine_at_0013, "head")

    with engine_at_0013.connect() as conn:
        seats = conn.execute(
            text(
                "SELECT b.kind, b.name, s.member_id, s.origin, s.function, s.starts_on, "
                "s.ends_on FROM seat s JOIN body b ON b.id = s.body_id ORDER BY s.id"
            )
        ).all()
        roles = conn.execute(text("SELECT role FROM user_role ORDER BY role")).scalars().all()
    today = date.today()
    assert [(k, n, m, o, f, str(s)[:10], e) for k, n, m, o, f, s, e in seats] == [
        ("BOARD", "Vorstand", board, "APPOINTED", "MEMBER", today.isoformat(), None),
        ("BOARD", "Vorstand", both, "APPOINTED", "MEMBER", today.isoformat(), None),
        ("SUPERVISORY_BOARD", "Aufsichtsrat", sb, "APPOINTED", "MEMBER", today.isoformat(), None),
    ]
    assert roles == ["MEMBER", "MEMBER", "SECRETARY"]  # no BOARD / SUPERVISORY_BOARD stays
    out = capsys.readouterr().out
    assert f"user {both_user}: the role SUPERVISORY_BOARD was not migrated" in out
    assert f"user {loose}: the role BOARD was not migrated (no member is linked" in out
    assert f"user {gone}: the role BOARD was not migrated (the account is inactive" in out

    with pytest.raises(DBAPIError, match="ck_user_role_stored"), engine_at_0013.begin() as conn:
        conn.execute(
            text("INSERT INTO user_role (user_id, role) VALUES (:u, 'BOARD')"), {"u": loose}
        )

    downgrade(engine_at_0013, "0013")  # drops the CHECK; the seats stay, the grants do not return
    with engine_at_0013.begin() as conn:
        conn.execute(
            text("INSERT INTO user_role (user_id, role) VALUES (:u, 'BOARD')"), {"u": loose}
        )
        assert conn.execute(text("SELECT count(*) FROM seat")).scalar_one() == 3


def test_an_existing_seat_is_kept_and_a_later_term_is_not_overlapped(engine_at_0013, capsys):
    with engine_at_0013.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO body (kind, name, description, quorum_percent, notice_days, "
                "circular_rule, created_at) VALUES ('BOARD', 'Der Vorstand', '', 50, 3, "
                "'NO_OBJECTION_MAJORITY_OF_SEATS', CURRENT_TIMESTAMP)"
            )
        )
        body = conn.execute(text("SELECT id FROM body")).scalar_one()
        seated, later = _member(conn, 1), _member(conn, 2)
        for member, starts in ((seated, "2020-01-01"), (later, "2999-01-01")):
            conn.execute(
                text(
                    "INSERT INTO seat (body_id, member_id, function, origin, starts_on, note, "
                    "created_at) VALUES (:b, :m, 'CHAIR', 'APPOINTED', :s, '', CURRENT_TIMESTAMP)"
                ),
                {"b": body, "m": member, "s": starts},
            )
        _user(conn, "seated", seated, "BOARD")
        _user(conn, "later", later, "BOARD")

    upgrade(engine_at_0013, "head")

    with engine_at_0013.connect() as conn:
        seats = conn.execute(
            text("SELECT member_id, starts_on, ends_on FROM seat ORDER BY member_id, starts_on")
        ).all()
        bodies = conn.execute(text("SELECT count(*) FROM body")).scalar_one()
    assert bodies == 1  # the existing board is used
    got = [(m, str(s)[:10], str(e)[:10] if e else None) for m, s, e in seats]
    assert got == [
        (seated, "2020-01-01", None),  # seated today already: nothing added
        (later, date.today().isoformat(), "2998-12-31"),  # up to the later term
        (later, "2999-01-01", None),
    ]
    assert "warning" not in capsys.readouterr().out
