"""One runner for every kind of background job: the mail outbox, the notifications, the
minutes' rendering, the seal's scrub, the circular resolutions past their deadline.

Each kind keeps its jobs in a table of its own, queued in the transaction of the request that
needs them, and registers here a `JobKind`: `run_pass(engine, config)` claims the due jobs with a
conditional UPDATE (a job claimed by a worker that died is claimed again after the kind's
stale timeout), runs them, records the outcome and returns how many it finished; `health`
reports the backlog and what is stuck, for /healthz.

`run` is the worker (`governance worker --loop`): one pass of every kind, then a pause. A pass
that fails (the database restarts, a bug in one job) is logged and retried after a growing
pause (`interval`, doubled per failure in a row, at most `MAX_BACKOFF`), and never ends the
worker or stops the other kinds. Every pass is recorded in `worker_heartbeat` (one row per
kind): /healthz says when each kind last ran and whether it failed.

Delivery is at least once, stated honestly: a worker that dies between running a job and
recording it runs it again after the stale timeout. Where that matters the job is idempotent
or can be recognised: every mail carries a Message-ID derived from its outbox row, the same on
a repeated delivery, so the receiving side can drop the duplicate; a rendering or a scrub run
twice gives the same result.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Column, Integer, String, Text, select
from sqlalchemy.engine import Engine
from sqlmodel import Field, Session, SQLModel

from governance.db import UTCDateTime, immediate, new_session, utcnow

log = logging.getLogger(__name__)

MAX_BACKOFF = 300.0  # seconds


@dataclass(frozen=True)
class JobKind:
    """A kind of background job: one pass of it, and what /healthz says about it."""

    name: str
    run_pass: Callable[[Engine, Mapping[str, Any]], int]
    health: Callable[[Session, datetime], Mapping[str, Any]] = field(
        default=lambda _session, _now: {}
    )


KINDS: dict[str, JobKind] = {}


def register(kind: JobKind) -> JobKind:
    """Add a kind to the worker (each domain registers its own when imported)."""
    KINDS[kind.name] = kind
    return kind


class WorkerHeartbeat(SQLModel, table=True):
    """When a kind of job last had a pass, by which worker, and whether it failed."""

    __tablename__ = "worker_heartbeat"

    kind: str = Field(sa_column=Column(String(40), primary_key=True))
    beat_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    worker: str = Field(sa_column=Column(String(200), nullable=False))
    done: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    failures: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


def _beat(engine: Engine, kind: str, *, done: int, error: str | None, failures: int) -> None:
    with new_session(engine) as session, immediate():
        row = session.get(WorkerHeartbeat, kind) or WorkerHeartbeat(kind=kind, beat_at=utcnow())
        row.beat_at, row.worker = utcnow(), f"{socket.gethostname()}:{os.getpid()}"
        row.done, row.failures, row.last_error = done, failures, error
        session.add(row)
        session.commit()


@dataclass
class Runner:
    """The guarded loop over the registered kinds (or `only` those named)."""

    engine: Engine
    config: Mapping[str, Any]
    only: tuple[str, ...] = ()
    failures: dict[str, int] = field(default_factory=dict)
    next_at: dict[str, float] = field(default_factory=dict)

    def kinds(self) -> list[JobKind]:
        unknown = set(self.only) - set(KINDS)
        if unknown:
            raise LookupError(f"unknown job kind(s): {', '.join(sorted(unknown))}")
        return [k for name, k in sorted(KINDS.items()) if not self.only or name in self.only]

    def run_once(self, interval: float, now: float | None = None) -> dict[str, int | str]:
        """One pass of every kind that is due; a kind that failed waits out its backoff."""
        now = time.monotonic() if now is None else now
        report: dict[str, int | str] = {}
        for kind in self.kinds():
            if self.next_at.get(kind.name, 0.0) > now:
                continue
            try:
                done = kind.run_pass(self.engine, self.config)
            except Exception as exc:  # logged, retried later; never ends the worker
                fails = self.failures.get(kind.name, 0) + 1
                self.failures[kind.name] = fails
                self.next_at[kind.name] = now + min(interval * 2**fails, MAX_BACKOFF)
                log.exception("%s: the pass failed (%d in a row)", kind.name, fails)
                report[kind.name] = f"failed: {type(exc).__name__}"
                self._beat_safely(kind.name, 0, f"{type(exc).__name__}: {exc}"[:500], fails)
                continue
            self.failures[kind.name] = 0
            self.next_at.pop(kind.name, None)
            report[kind.name] = done
            if done:
                log.info("%s: %d job(s) done", kind.name, done)
            self._beat_safely(kind.name, done, None, 0)
        return report

    def _beat_safely(self, kind: str, done: int, error: str | None, failures: int) -> None:
        try:
            _beat(self.engine, kind, done=done, error=error, failures=failures)
        except Exception:  # the database is down: the next pass beats again
            log.warning("%s: the heartbeat could not be recorded", kind)

    def run(self, *, interval: float, passes: int | None = None) -> None:
        """Passes forever (or `passes` times), `interval` seconds apart."""
        count = 0
        while passes is None or count < passes:
            self.run_once(interval)
            count += 1
            if passes is None or count < passes:
                time.sleep(interval)


# When /healthz calls a backlog a problem: the oldest waiting job is older than this, or the
# worker of a kind with waiting jobs has not been seen for this long.
STUCK_AFTER_S = 900
WORKER_GONE_AFTER_S = 120


def problems(report: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """What an administrator must look at, from `health`'s report (empty: all is well)."""
    found = []
    for kind, facts in report.items():
        waiting = any(facts.get(k) for k in ("queued", "unverified", "stuck"))
        ages = [facts.get(k) for k in ("oldest_queued_s", "oldest_unverified_s")]
        if any(a is not None and a > STUCK_AFTER_S for a in ages):
            found.append(f"{kind}: the oldest job has waited over {STUCK_AFTER_S // 60} minutes")
        if facts.get("stuck"):
            found.append(f"{kind}: {facts['stuck']} job(s) left running by a worker that died")
        seen = facts.get("worker_seen_s")
        if waiting and (seen is None or seen > WORKER_GONE_AFTER_S):
            found.append(f"{kind}: jobs are waiting and no worker has run recently")
        if facts.get("worker_failing"):
            found.append(f"{kind}: the worker's last pass failed")
    return found


def health(session: Session, *, now: datetime | None = None) -> dict[str, Any]:
    """Each kind's backlog and stuck jobs, and when its worker last had a pass."""
    now = now or utcnow()
    beats = {b.kind: b for b in session.scalars(select(WorkerHeartbeat))}
    report: dict[str, Any] = {}
    for name, kind in sorted(KINDS.items()):
        beat = beats.get(name)
        report[name] = {
            **kind.health(session, now),
            "worker_seen_s": None if beat is None else int((now - beat.beat_at).total_seconds()),
            "worker_failing": bool(beat and beat.failures),
        }
    return report
