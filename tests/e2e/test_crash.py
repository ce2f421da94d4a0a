"""A crash during voting: the app server is SIGKILLed (master and workers) in the middle of a
burst of casts and restarted on the same database.

Every cast either completed (participation and ballot) or never happened; every voter who
was shown a tracker is counted (the tracker is in the ballot box); the voters whose answer was
lost find either their vote already recorded or can cast it now; after closing and sealing
the audit passes. On SQLite (WAL) and PostgreSQL.
"""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import func, select

from governance.audit.verify import verify
from governance.ballots.models import Ballot, Participation, Poll
from governance.ballots.services import close_poll
from governance.ballots.trackers import parse_tracker
from governance.db import new_session, utcnow
from tests.e2e.sessions import TRACKER, HttpSession, mint_sessions, post

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

VOTERS = 120
THREADS = 16
KILL_AFTER = 20  # successful casts before the crash


def _tracker(body: str) -> str | None:
    """The tracker shown: on the receipt page, or in the live page's JSON answer."""
    if body.startswith("{"):
        trackers = json.loads(body).get("trackers") or []
        return str(trackers[0]) if trackers else None
    found = TRACKER.search(body)
    return found.group(1) if found else None


class Burst:
    """Casts from many threads; calls `crash` once `KILL_AFTER` casts have succeeded."""

    def __init__(self, port: int, poll_id: int, crash: Callable[[], None]) -> None:
        self.port, self.poll_id, self.crash = port, poll_id, crash
        self.lock = threading.Lock()
        self.trackers: dict[int, str] = {}  # member id -> tracker shown
        self.lost: list[int] = []  # connection refused, reset or cut: no answer
        self.refused: list[int] = []  # answered without a tracker (e.g. "already voted")
        self.crashed = False

    def cast(self, member_id: int, who: HttpSession) -> None:
        choice = ("YES", "NO", "ABSTAIN")[member_id % 3]
        form = {"voter": str(member_id), "choice": choice}
        # Half cast as the ballot pages do (receipt page), half as the live page does (JSON).
        accept = "application/json" if member_id % 2 else "text/html"
        try:
            status, body = post(self.port, f"/polls/{self.poll_id}/cast", form, who, accept)
        except (OSError, http.client.HTTPException):  # refused, reset, or cut off by the crash
            with self.lock:
                self.lost.append(member_id)
            return
        found = _tracker(body) if status == 200 else None
        with self.lock:
            if found:
                self.trackers[member_id] = found
            else:
                self.refused.append(member_id)
            crash = len(self.trackers) >= KILL_AFTER and not self.crashed
            self.crashed = self.crashed or crash
        if crash:
            self.crash()

    def run(self, voters: list[tuple[int, HttpSession]]) -> None:
        with ThreadPoolExecutor(THREADS) as pool:
            list(pool.map(lambda v: self.cast(*v), voters))


def _counts(engine: Any, poll_id: int) -> tuple[int, int, set[int], set[bytes]]:
    with new_session(engine) as s:
        voted = set(
            s.scalars(select(Participation.member_id).where(Participation.poll_id == poll_id))
        )
        ballots = set(s.scalars(select(Ballot.tracker).where(Ballot.poll_id == poll_id)))
        n_part = s.scalar(select(func.count()).where(Participation.poll_id == poll_id))
        n_ballot = s.scalar(select(func.count()).where(Ballot.poll_id == poll_id))
    return int(n_part or 0), int(n_ballot or 0), voted, {bytes(t) for t in ballots}


def _check_after_crash(engine: Any, poll_id: int, burst: Burst) -> set[int]:
    """All or nothing per cast; every tracker shown is in the box. Returns who is recorded."""
    n_part, n_ballot, voted, box = _counts(engine, poll_id)
    assert n_part == n_ballot, f"{n_part} participations but {n_ballot} ballots after the crash"
    shown = {m: parse_tracker(t) for m, t in burst.trackers.items()}
    assert all(t in box for t in shown.values()), "a tracker shown to a voter is not counted"
    assert set(shown) <= voted
    assert burst.lost, "the crash came after the burst: nothing was in flight"
    assert not burst.refused, f"casts refused before the crash: {burst.refused[:5]}"
    return voted


def _close_and_audit(engine: Any, assembly_id: int, poll_id: int) -> None:
    with new_session(engine) as s:
        close_poll(s, poll=s.get(Poll, poll_id), actor=None, now=utcnow())
        s.commit()
    with new_session(engine) as s:
        report = verify(s, assembly_id=assembly_id)
        failures = [(c.code, [str(d) for d in c.differences]) for _s, c in report.failures]
        assert report.ok, failures


def test_sigkill_during_a_burst_of_casts(app, serve, vote_world, make_poll, engine):
    world = vote_world(members=VOTERS)
    poll_id = make_poll(world).id
    server = serve(workers=4)
    sessions = mint_sessions(app.config["DATABASE_URL"], "e2e-secret-key", world.users)
    voters = list(zip(world.member_ids, sessions, strict=True))

    burst = Burst(server.port, poll_id, server.kill)
    burst.run(voters)
    assert burst.crashed and server.proc is not None and server.proc.poll() is not None
    recorded = _check_after_crash(engine, poll_id, burst)

    server.start()  # the same database, after the crash
    unanswered = {m for m, _w in voters if m not in burst.trackers}
    retry = Burst(server.port, poll_id, lambda: None)
    retry.run([(m, w) for m, w in voters if m in unanswered])
    # Whoever was recorded although their answer was lost is told they have voted already;
    # everybody else casts now.
    assert set(retry.refused) == unanswered & recorded
    assert set(retry.trackers) == unanswered - recorded and not retry.lost
    n_part, n_ballot, voted, box = _counts(engine, poll_id)
    assert n_part == n_ballot == VOTERS and voted == set(world.member_ids)
    shown = {**burst.trackers, **retry.trackers}
    assert {m % 2 for m in shown} == {0, 1}  # trackers from both answers: page and JSON
    assert {parse_tracker(t) for t in shown.values()} <= box
    _close_and_audit(engine, world.assembly_id, poll_id)
