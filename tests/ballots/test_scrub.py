"""The scrub after the seal (issue #14): never blocks the close, proven before it says so.

The attacks of the issue, exactly: a reader (SQLite) or a snapshot (PostgreSQL, as pg_dump
holds one) open across the close. While it is open the old row versions stay and re-link
every voter to their choice; the close still answers at once and the scrub says what it
waits for. Once the reader is gone the worker proves the scrub, and the attack finds nothing.
"""

from __future__ import annotations

import random
import shutil
import sqlite3
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from governance.audit.verify import Status, verify
from governance.auditlog import AuditEvent
from governance.ballots.models import Poll, PollState
from governance.ballots.models_scrub import ScrubJob, ScrubState
from governance.ballots.scrub import CLAIM_TIMEOUT, claim
from governance.ballots.services import close_poll
from governance.db import utcnow
from tests.ballots import walreplay
from tests.factories_ballots import cast

N = 25
CHOICES = ("YES", "NO", "ABSTAIN")


def _vote(world, poll_id: int) -> dict[int, str]:
    """All N members vote in a random order; member id → choice."""
    order = list(range(N))
    random.Random(14).shuffle(order)
    for i in order:
        cast(world, poll_id, i, CHOICES[i % 3])
    return {world.member_ids[i]: CHOICES[i % 3] for i in range(N)}


def _close_quickly(client, poll_id: int) -> None:
    started = time.monotonic()
    response = client.post(f"/polls/{poll_id}/close")
    assert response.status_code == 302, response.status_code
    assert time.monotonic() - started < 5  # before: busy_timeout (30 s), then a 500
    with_page = client.get(f"/polls/{poll_id}").get_data(as_text=True)
    assert "Scrub of the ballot box waiting for:" in with_page


def _job(world, poll_id: int) -> ScrubJob:
    with world.session() as s:
        poll = s.get(Poll, poll_id)
        assert poll.state == PollState.SEALED  # sealed, whatever the scrub waits for
        return s.scalars(select(ScrubJob).where(ScrubJob.poll_id == poll_id)).one()


def _scrub(app, client, world, poll_id: int) -> None:
    result = app.test_cli_runner().invoke(args=["ballots", "scrub"])
    assert result.exit_code == 0
    assert f"poll {poll_id}: sealed, scrub verified" in result.output, result.output
    job = _job(world, poll_id)
    assert job.state == ScrubState.VERIFIED and job.verified_at is not None
    with world.session() as s:
        events = s.scalars(
            select(AuditEvent).where(AuditEvent.event_type == "poll.scrub_verified")
        ).all()
        assert [e.object_id for e in events] == [str(poll_id)]
    assert "sealed — scrub verified" in client.get(f"/polls/{poll_id}").get_data(as_text=True)


def test_sqlite_reader_across_the_close(backend, app, login, vote_world, make_poll, tmp_path):
    if backend != "sqlite":
        pytest.skip("the WAL file is SQLite's (PostgreSQL: the test below)")
    world = vote_world(members=N)
    poll = make_poll(world)
    truth = _vote(world, poll.id)
    chair = login(world.chair)
    db_file = Path(app.config["DATABASE_URL"].removeprefix("sqlite:///"))
    wal = Path(f"{db_file}-wal")
    reader = sqlite3.connect(db_file, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM ballot").fetchone()  # holds its snapshot (read mark)
    try:
        _close_quickly(chair, poll.id)
        job = _job(world, poll.id)
        assert (job.state, job.reason) == (ScrubState.WAITING, "sqlite_reader")
        # The attacker copies the database and its WAL now and replays the WAL commit by
        # commit: each cast's commit holds its participation and its ballot.
        stolen = tmp_path / "stolen"
        stolen.mkdir()
        shutil.copy(db_file, stolen / "db")
        shutil.copy(wal, stolen / "db-wal")
        assert walreplay.relink(stolen / "db-wal", poll.id) == truth  # 25 of 25
    finally:
        reader.rollback()
        reader.close()
    _scrub(app, chair, world, poll.id)
    assert wal.stat().st_size == 0
    assert walreplay.commits(wal) == [] and walreplay.relink(wal, poll.id) == {}


_PAGES = (
    "SELECT lp, t_xmin::text::bigint AS xmin, t_xmax::text::bigint AS xmax, "
    "tuple_data_split('{t}'::regclass, t_data, t_infomask, t_infomask2, t_bits) AS cols "
    "FROM generate_series(0, (pg_relation_size('{t}') / 8192)::int - 1) AS blk, "
    "heap_page_items(get_raw_page('{t}', blk)) WHERE t_data IS NOT NULL"
)


def _tuples(conn, table: str) -> list[tuple[int, int, list[bytes | None]]]:
    """Every tuple in the table's pages, dead or alive: (xmin, xmax, raw columns; None is NULL)."""
    rows = conn.execute(text(_PAGES.format(t=table))).all()
    return [(r.xmin, r.xmax, [None if c is None else bytes(c) for c in r.cols]) for r in rows]


def _pg_relink(conn, poll_id: int) -> dict[int, str]:
    """Dead participation and ballot tuples paired by their xmin (the cast's transaction)."""
    members = {}
    for xmin, xmax, cols in _tuples(conn, "participation"):
        if xmax and int.from_bytes(cols[0], "little") == poll_id:
            members[xmin] = int.from_bytes(cols[1], "little")
    choices = {}
    for xmin, xmax, cols in _tuples(conn, "ballot"):
        if xmax:
            choices[xmin] = cols[2][1:].decode()  # a short varlena: one header byte
    return {members[x]: choices[x] for x in members.keys() & choices.keys()}


def test_postgresql_snapshot_across_the_close(backend, app, engine, login, vote_world, make_poll):
    if backend != "postgresql":
        pytest.skip("xmin, snapshots and VACUUM are PostgreSQL's (SQLite: the test above)")
    with engine.connect() as conn:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS pageinspect"))
        conn.commit()
    world = vote_world(members=N)
    poll = make_poll(world)
    truth = _vote(world, poll.id)
    chair = login(world.chair)
    holder = engine.connect()  # as pg_dump does: one snapshot for the whole run
    holder.execute(text("BEGIN ISOLATION LEVEL REPEATABLE READ"))
    holder.execute(text("SELECT count(*) FROM member")).scalar()
    pid = holder.execute(text("SELECT pg_backend_pid()")).scalar()
    try:
        _close_quickly(chair, poll.id)
        job = _job(world, poll.id)
        assert (job.state, job.reason, job.detail) == (ScrubState.WAITING, "pg_snapshot", str(pid))
        page = chair.get(f"/polls/{poll.id}").get_data(as_text=True)
        assert f"a PostgreSQL snapshot older than the seal (pid {pid})" in page
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ballot, participation"))  # what an admin might try
        with engine.connect() as conn:
            assert _pg_relink(conn, poll.id) == truth  # 25 of 25 through the dead tuples
    finally:
        holder.rollback()
        holder.close()
    _scrub(app, chair, world, poll.id)
    with engine.connect() as conn:
        assert _pg_relink(conn, poll.id) == {}
        for table in ("ballot", "participation"):
            tuples = _tuples(conn, table)
            assert tuples and all(xmax == 0 for _x, xmax, _c in tuples)  # no dead tuple
            assert {xmin for xmin, _x, _c in tuples} == {job.seal_xid}  # only the seal's xmin
        # Not even the bytes of a dead tuple are left in the pages' free space.
        raw = b"".join(
            bytes(p)
            for p in conn.execute(
                text(
                    "SELECT get_raw_page('ballot', b) FROM generate_series(0, "
                    "(pg_relation_size('ballot') / 8192)::int - 1) AS b"
                )
            ).scalars()
        )
        trackers = [cols[0][1:] for _x, _m, cols in _tuples(conn, "ballot")]
        assert len(trackers) == N and all(raw.count(t) == 1 for t in trackers)


def test_a_crashed_worker_s_job_is_claimed_again(app, vote_world, make_poll):
    world = vote_world(members=2)
    poll = make_poll(world)
    cast(world, poll.id, 0, "YES")
    with world.session() as s:
        close_poll(s, poll=s.get(Poll, poll.id), actor=None, now=utcnow())
        s.info.pop("governance.scrub_polls")  # no quick attempt: the worker's turn
        s.commit()
        job = s.scalars(select(ScrubJob).where(ScrubJob.poll_id == poll.id)).one()
        now = utcnow()
        assert claim(s, job_id=job.id, now=now)
        s.commit()
        assert not claim(s, job_id=job.id, now=now + timedelta(minutes=1))  # it is running
        assert claim(s, job_id=job.id, now=now + CLAIM_TIMEOUT + timedelta(seconds=1))
        s.rollback()
        # Meanwhile the secretary's audit reports the unverified scrub.
        report = verify(s, assembly_id=world.assembly_id)
        scrub = next(c for sec in report.sections for c in sec.checks if c.code == "poll.scrub")
        assert scrub.status == Status.FAIL and not report.ok
        assert "not verified yet, waiting for: the scrub worker" in str(scrub.differences[0])


def test_database_keeps_a_verified_scrub_final(app, engine, vote_world, make_poll):
    world = vote_world(members=2)
    poll = make_poll(world)
    with world.session() as s:
        with pytest.raises((IntegrityError, DBAPIError), match="only for a sealed poll"):
            s.execute(
                text(
                    "INSERT INTO poll_scrub (poll_id, state, detail, attempts, queued_at) "
                    "VALUES (:p, 'QUEUED', '', 0, CURRENT_TIMESTAMP)"
                ),
                {"p": poll.id},
            )
        s.rollback()
    cast(world, poll.id, 0, "YES")
    with world.session() as s:
        close_poll(s, poll=s.get(Poll, poll.id), actor=None, now=utcnow())
        s.commit()
    assert _job(world, poll.id).state == ScrubState.VERIFIED  # nobody read: the close did it
    for statement in (
        "UPDATE poll_scrub SET state = 'WAITING', reason = 'error', verified_at = NULL",
        "DELETE FROM poll_scrub",
    ):
        with engine.connect() as conn, pytest.raises(DBAPIError, match="is final"):
            conn.execute(text(statement))
