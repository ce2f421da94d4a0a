"""Encrypted casts at the same instant: one vote per member, and one ballot per α even when
different members send ballots sharing an α together (PostgreSQL casts side by side under
FOR SHARE: the α locks make them take turns; SQLite's write lock serialises them)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from governance import coopvote as cv
from governance.ballots.encrypted_cast import cast_encrypted, check_encrypted
from governance.ballots.models import Ballot, Participation, Poll
from governance.db import new_session, utcnow
from governance.errors import DomainError
from tests.ballots.test_encrypted_cast import encrypted_poll

N = 8

pytestmark = pytest.mark.slow


def _race(world, poll_id, jobs):
    """Run cast_encrypted for every (member index, wire) at once; the outcomes."""
    with world.session() as s:
        checked = [
            (i, check_encrypted(s, poll=s.get(Poll, poll_id), wires=[wire])) for i, wire in jobs
        ]
    barrier = threading.Barrier(len(checked))
    outcomes: list[str] = []
    lock = threading.Lock()

    def worker(i, ballots):
        with new_session(world.engine) as s:
            s.connection()
            s.rollback()
            barrier.wait(timeout=30)
            try:
                cast_encrypted(
                    s,
                    poll_id=poll_id,
                    member_id=world.member_ids[i],
                    actor=world.users[i],
                    checked=ballots,
                    now=utcnow(),
                )
                s.commit()
                result = "ok"
            except DomainError:
                s.rollback()
                result = "refused"
            except Exception as exc:
                result = f"error: {exc!r}"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=worker, args=job) for job in checked]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return sorted(outcomes)


def _counts(world):
    with world.session() as s:
        return (
            s.scalar(select(func.count()).select_from(Participation)),
            s.scalar(select(func.count()).select_from(Ballot)),
        )


def test_threads_cast_encrypted_ballots_for_the_same_member(vote_world, make_poll):
    world = vote_world(members=2)
    poll, key = encrypted_poll(world, make_poll)
    jobs = [(0, cv.encrypt(key, [[0, 1, 0]]).wire) for _ in range(N)]
    assert _race(world, poll.id, jobs) == ["ok"] + ["refused"] * (N - 1)
    assert _counts(world) == (1, 1)


def test_members_sending_a_common_alpha_at_once_store_one(vote_world, make_poll):
    world = vote_world(members=N)
    poll, key = encrypted_poll(world, make_poll)
    r0 = cv.random_scalar()
    jobs = []
    for i in range(N):
        first = iter([r0])
        enc = cv.encrypt(
            key, [[1, 0, 0]], rand=lambda it=first: next(it, None) or cv.random_scalar()
        )
        jobs.append((i, enc.wire))
    assert _race(world, poll.id, jobs) == ["ok"] + ["refused"] * (N - 1)
    assert _counts(world) == (1, 1)
