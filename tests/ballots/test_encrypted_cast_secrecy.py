"""No plaintext choice of an encrypted poll anywhere on the server: the SQLite file and its WAL,
PostgreSQL's pages (live and dead tuples, via pageinspect) and the captured logs hold none, and
the ballot rows have an empty choice and no named vote. A named (plaintext) poll cast in the
same way shows up in the same search, so the search can fail."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from governance import coopvote as cv
from governance.ballots.models import Ballot, NamedVote
from tests.ballots.test_encrypted_cast import encrypted_poll, post
from tests.ballots.test_scrub import _tuples

N = 6
VECTORS = {"YES": [[1, 0, 0]], "NO": [[0, 1, 0]], "ABSTAIN": [[0, 0, 1]]}
WORDS = (b"ABSTAIN", b"YES")  # "NO" is too short to search for


def _vote(world, login, poll, key) -> list[cv.Encrypted]:
    made = []
    for i in range(N):
        enc = cv.encrypt(key, VECTORS[("YES", "NO", "ABSTAIN")[i % 3]])
        r = post(login(world.users[i]), poll, world.member_ids[i], enc.wire)
        assert r.status_code == 200, r.json
        made.append(enc)
    return made


def _named_control(world, make_poll, login) -> None:
    """A named poll: its plaintext choice is stored (and must be found by the search)."""
    named = make_poll(world, secret=False, title="Entlastung des Vorstands")
    member = login(world.users[0])
    r = member.post(
        f"/polls/{named.id}/cast",
        data={"voter": world.member_ids[0], "choice": "ABSTAIN"},
        headers={"Accept": "application/json"},
    )
    assert r.status_code == 200


def _log_everything(caplog) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")


def _rows_have_no_choice(world, poll) -> None:
    with world.session() as s:
        assert set(s.scalars(select(Ballot.choice).where(Ballot.poll_id == poll.id))) == {""}
        assert s.scalar(select(func.count()).where(NamedVote.poll_id == poll.id)) == 0


def _logged(caplog) -> str:
    return "\n".join(f"{r.name} {r.getMessage()} {getattr(r, 'args', '')}" for r in caplog.records)


def _logs_hold_nothing(caplog, made: list[cv.Encrypted]) -> None:
    """Every record at DEBUG, with every SQL statement and its parameters (the engine's INFO)."""
    logged = _logged(caplog)
    assert "INSERT INTO ballot" in logged  # the casts' statements were logged
    for word in ("YES", "ABSTAIN", "[[1, 0, 0]]", "[[0, 1, 0]]", "[[0, 0, 1]]"):
        assert word not in logged
    for enc in made:
        assert cv.scalar_hex(enc.randomness[0][0]) not in logged


def test_sqlite_file_wal_and_logs_hold_no_plaintext_choice(
    backend, app, vote_world, make_poll, login, caplog
):
    if backend != "sqlite":
        pytest.skip("the file and WAL are SQLite's (PostgreSQL: the test below)")
    world = vote_world(members=N)
    poll, key = encrypted_poll(world, make_poll)
    db_file = Path(app.config["DATABASE_URL"].removeprefix("sqlite:///"))
    wal = Path(f"{db_file}-wal")

    def found() -> dict[bytes, int]:
        raw = db_file.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
        return {w: raw.count(w) for w in WORDS}

    before = found()
    _log_everything(caplog)
    made = _vote(world, login, poll, key)
    assert wal.exists() and wal.stat().st_size > 0
    assert found() == before
    _rows_have_no_choice(world, poll)
    _logs_hold_nothing(caplog, made)
    caplog.clear()
    _named_control(world, make_poll, login)
    assert found()[b"ABSTAIN"] > before[b"ABSTAIN"]
    assert "ABSTAIN" in _logged(caplog)


def _raw_pages(conn, table: str) -> bytes:
    pages = conn.execute(
        text(
            f"SELECT get_raw_page('{table}', b) FROM generate_series(0, "
            f"(pg_relation_size('{table}') / 8192)::int - 1) AS b"
        )
    ).scalars()
    return b"".join(bytes(p) for p in pages)


def test_postgresql_pages_and_logs_hold_no_plaintext_choice(
    backend, engine, vote_world, make_poll, login, caplog
):
    if backend != "postgresql":
        pytest.skip("pageinspect is PostgreSQL's (SQLite: the test above)")
    with engine.connect() as conn:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS pageinspect"))
        # The test database is emptied with DELETE between tests: earlier tests' ballots stay
        # in the pages as dead tuples until a vacuum. Fresh files, so the search sees this
        # test's tuples only.
        conn.execute(text("TRUNCATE ballot, named_vote, participation"))
        conn.commit()
    world = vote_world(members=N)
    poll, key = encrypted_poll(world, make_poll)
    _log_everything(caplog)
    made = _vote(world, login, poll, key)
    # A retry after the vote is in: refused ("already voted"), nothing of it stored.
    again = cv.encrypt(key, VECTORS["YES"]).wire
    assert post(login(world.users[0]), poll, world.member_ids[0], again).status_code == 409
    _rows_have_no_choice(world, poll)
    _logs_hold_nothing(caplog, made)
    with engine.connect() as conn:
        tuples = _tuples(conn, "ballot")
        assert len(tuples) >= N
        assert all(cols[2] == b"\x03" for _x, _m, cols in tuples)  # '' as a short varlena
        for table in ("ballot", "named_vote", "participation"):
            raw = _raw_pages(conn, table)
            assert not any(w in raw for w in WORDS), table
    caplog.clear()
    _named_control(world, make_poll, login)
    with engine.connect() as conn:
        assert b"ABSTAIN" in _raw_pages(conn, "ballot")
    assert "ABSTAIN" in _logged(caplog)
