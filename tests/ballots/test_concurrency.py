"""No double votes under concurrency: many threads, and many processes, cast for the same
member at the same instant; exactly one participation and one ballot remain."""

from __future__ import annotations

import multiprocessing
import threading

import pytest
from sqlalchemy import func, select

from governance.ballots.casting import cast_vote
from governance.ballots.models import Ballot, Participation
from governance.db import new_session, utcnow
from governance.errors import DomainError
from tests.ballots.workers import Actor, cast_in_process
from tests.factories_ballots import add_mandate

N = 12

pytestmark = pytest.mark.slow


def _counts(world):
    with world.session() as s:
        parts = s.scalar(select(func.count()).select_from(Participation))
        ballots = s.scalar(select(func.count()).select_from(Ballot))
        return parts, ballots


def test_threads_cast_for_the_same_member(vote_world, make_poll):
    world = vote_world(members=3)
    add_mandate(world, principal=0, proxy=1)
    poll = make_poll(world)
    # The member and their proxy both try, many times, at the same instant.
    actors = [world.users[0] if i % 2 else world.users[1] for i in range(N)]
    barrier = threading.Barrier(N)
    outcomes: list[str] = []
    lock = threading.Lock()

    def worker(actor):
        with new_session(world.engine) as s:
            s.connection()
            s.rollback()
            barrier.wait(timeout=30)
            try:
                cast_vote(
                    s,
                    poll_id=poll.id,
                    member_id=world.member_ids[0],
                    actor=actor,
                    choice="NO",
                    now=utcnow(),
                )
                s.commit()
                result = "ok"
            except DomainError:
                s.rollback()
                result = "already"
            except Exception as exc:
                result = f"error: {exc!r}"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=worker, args=(a,)) for a in actors]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(outcomes) == ["already"] * (N - 1) + ["ok"], outcomes
    assert _counts(world) == (1, 1)


def test_processes_cast_for_the_same_member(app, vote_world, make_poll):
    world = vote_world(members=2)
    poll = make_poll(world)
    # forkserver: the server imports the app once, each worker is a clean fork of it.
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(
        ["governance.models", "governance.ballots.casting", "tests.ballots.workers"]
    )
    barrier, results = ctx.Barrier(N), ctx.Queue()
    url = app.config["DATABASE_URL"]
    actor = Actor(id=world.users[0].id, member_id=world.member_ids[0])
    procs = [
        ctx.Process(
            target=cast_in_process,
            args=(url, poll.id, world.member_ids[0], actor, barrier, results),
        )
        for _ in range(N)
    ]
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=180) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    assert sorted(outcomes) == ["already"] * (N - 1) + ["ok"], outcomes
    assert _counts(world) == (1, 1)
