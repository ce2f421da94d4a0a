"""Unlinkability of participation and ballot (ballots.md, "Sealing at close").

What this documents:
- Always: the ballot has no member, user, timestamp or id; neither table has a hidden rowid
  on SQLite (WITHOUT ROWID): the ballot table is a B-tree keyed by its random tracker.
- Before sealing, on PostgreSQL, the two rows of a cast are linkable: they share the xmin of
  their transaction (a join on xmin re-links every voter to their choice), and physical order
  (ctid) follows the order of casting. On SQLite the WAL file holds the pages in order of
  casting until it is checkpointed. These are the known limits before the seal.
- After sealing: every row of the poll carries the same xmin (the seal's), ballots lie in a
  random order, participations in member order, and the SQLite WAL is truncated.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from sqlalchemy import DateTime, inspect, text
from sqlalchemy.exc import OperationalError

from governance.ballots.models import Poll
from governance.ballots.services import close_poll
from governance.db import utcnow
from tests.factories_ballots import cast

N = 12


def _vote_in_shuffled_order(world, poll_id):
    order = list(range(N))
    random.Random(7).shuffle(order)
    choice = {i: ("YES", "NO", "ABSTAIN")[i % 3] for i in order}
    trackers = [cast(world, poll_id, i, choice[i]).trackers[0] for i in order]
    return order, choice, trackers


def _seal(world, poll_id):
    with world.session() as s:
        close_poll(s, poll=s.get(Poll, poll_id), actor=None, now=utcnow())
        s.commit()


def test_no_column_relates_a_ballot_to_a_participation(engine):
    insp = inspect(engine)
    ballot = {c["name"]: c for c in insp.get_columns("ballot")}
    part = {c["name"]: c for c in insp.get_columns("participation")}
    assert set(ballot) == {"tracker", "poll_id", "choice", "cipher"}
    assert set(part) == {"poll_id", "member_id", "cast_by_member_id", "cast_by_user_id", "channel"}
    for col in [*ballot.values(), *part.values()]:
        assert not isinstance(col["type"], DateTime)
    assert insp.get_pk_constraint("ballot")["constrained_columns"] == ["tracker"]
    assert [fk["referred_table"] for fk in insp.get_foreign_keys("ballot")] == ["poll"]
    if engine.dialect.name == "sqlite":
        for table in ("ballot", "participation"):
            with pytest.raises(OperationalError, match="rowid"), engine.connect() as conn:
                conn.execute(text(f"SELECT rowid FROM {table}"))


def test_postgresql_xmin_links_before_seal_and_not_after(backend, engine, vote_world, make_poll):
    if backend != "postgresql":
        pytest.skip("xmin and ctid exist on PostgreSQL only")
    world = vote_world(members=N)
    poll = make_poll(world)
    order, choice, trackers = _vote_in_shuffled_order(world, poll.id)
    truth = {(world.member_ids[i], choice[i]) for i in range(N)}
    relink = (
        "SELECT p.member_id, b.choice FROM participation p JOIN ballot b "
        "ON b.xmin = p.xmin AND b.poll_id = p.poll_id WHERE p.poll_id = :p"
    )
    by_ctid = "SELECT {col} FROM {table} WHERE poll_id = :p ORDER BY ctid"
    with engine.connect() as conn:
        # Before the seal: the xmin join re-links every voter to their choice (documented).
        assert set(conn.execute(text(relink), {"p": poll.id}).all()) == truth
        members_ctid = (
            conn.execute(
                text(by_ctid.format(col="member_id", table="participation")), {"p": poll.id}
            )
            .scalars()
            .all()
        )
        assert members_ctid == [world.member_ids[i] for i in order]  # order of casting
        ballots_ctid = (
            conn.execute(text(by_ctid.format(col="tracker", table="ballot")), {"p": poll.id})
            .scalars()
            .all()
        )
        assert [bytes(t) for t in ballots_ctid] == trackers
    _seal(world, poll.id)
    with engine.connect() as conn:
        xmins = (
            conn.execute(
                text(
                    "SELECT DISTINCT xmin::text FROM ballot WHERE poll_id = :p UNION "
                    "SELECT DISTINCT xmin::text FROM participation WHERE poll_id = :p"
                ),
                {"p": poll.id},
            )
            .scalars()
            .all()
        )
        assert len(xmins) == 1  # one transaction wrote them all: the join is N x N
        assert len(conn.execute(text(relink), {"p": poll.id}).all()) == N * N
        members_ctid = (
            conn.execute(
                text(by_ctid.format(col="member_id", table="participation")), {"p": poll.id}
            )
            .scalars()
            .all()
        )
        assert members_ctid == sorted(world.member_ids[:N])
        ballots_ctid = [
            bytes(t)
            for t in conn.execute(
                text(by_ctid.format(col="tracker", table="ballot")), {"p": poll.id}
            ).scalars()
        ]
        assert sorted(ballots_ctid) == sorted(trackers)
        assert ballots_ctid != trackers  # a random order (equal with probability 1/12!)


def test_sqlite_wal_holds_cast_order_until_the_seal(backend, app, vote_world, make_poll):
    if backend != "sqlite":
        pytest.skip("the WAL file is SQLite's")
    world = vote_world(members=N)
    poll = make_poll(world)
    _order, _choice, trackers = _vote_in_shuffled_order(world, poll.id)
    wal = Path(app.config["DATABASE_URL"].removeprefix("sqlite:///") + "-wal")
    data = wal.read_bytes()
    first_seen = [data.find(t) for t in trackers]
    # Before the seal: each cast appended its pages to the WAL, so first appearances follow
    # the order of casting (documented limit).
    assert all(pos >= 0 for pos in first_seen) and first_seen == sorted(first_seen)
    with world.engine.connect() as conn:
        ddl = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = 'ballot'")).scalar()
    assert ddl.rstrip().endswith("WITHOUT ROWID")  # stored by tracker, not by order of casting
    _seal(world, poll.id)
    after = wal.read_bytes() if wal.exists() else b""
    assert not any(t in after for t in trackers)  # checkpointed and truncated
