"""The scrub after a seal: a job, queued in the seal's transaction, run until it is proven.

The seal rewrites the ballot box in one transaction; what still records the order of casting
afterwards (the SQLite WAL, PostgreSQL's dead row versions) is removed by `scrub_probe`, which
never waits for a reader. The close request tries once right after its commit (`try_now`);
whatever that cannot prove is left to `governance ballots scrub --loop`, which claims waiting
jobs with a conditional UPDATE (a job left RUNNING by a crashed worker is claimed again after
CLAIM_TIMEOUT) and tries again every few seconds. A proven scrub is VERIFIED (final, a
trigger keeps it so) and recorded in the audit chain as `poll.scrub_verified`; until then the
job says what it waits for.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from governance import jobs
from governance.auditlog import record_event
from governance.ballots import scrub_probe
from governance.ballots.models import Poll
from governance.ballots.models_scrub import ScrubJob, ScrubState
from governance.ballots.scrub_probe import Outcome
from governance.db import immediate, is_sqlite, new_session, utcnow
from governance.i18n import _l

log = logging.getLogger(__name__)

CLAIM_TIMEOUT = timedelta(minutes=15)
QUICK_LOCK_TIMEOUT_MS = 200  # the close request: never make the chair wait
WORKER_LOCK_TIMEOUT_MS = 2000

REASONS: dict[str, Callable[[str], Any]] = {
    "sqlite_reader": lambda who: _l("an open database reader (%(who)s)", who=who),
    "sqlite_writer": lambda who: _l("another write to the database"),
    "sqlite_wal": lambda who: _l("the WAL file to be emptied (%(who)s)", who=who),
    "pg_snapshot": lambda who: _l(
        "a PostgreSQL snapshot older than the seal (pid %(who)s)", who=who
    ),
    "pg_standby": lambda who: _l(
        "a standby's hot_standby_feedback older than the seal (walsender pid %(who)s)", who=who
    ),
    "pg_slot": lambda who: _l("a replication slot older than the seal (%(who)s)", who=who),
    "pg_prepared": lambda who: _l("a prepared transaction older than the seal (%(who)s)", who=who),
    "pg_dead": lambda who: _l("dead row versions left after VACUUM (%(who)s)", who=who),
    "pg_lock": lambda who: _l("a lock on the ballot box tables (%(who)s)", who=who),
    "error": lambda who: _l("an error in the scrub (%(who)s)", who=who),
}


def describe(job: ScrubJob) -> Any:
    """What the job waits for, translated; None when it waits for nothing."""
    if job.reason is None:
        return None
    make = REASONS.get(job.reason)
    return make(job.detail) if make else job.reason


def queue_scrub(session: Session, *, poll: Poll) -> ScrubJob:
    """Queue the scrub of a poll inside its seal's transaction (on PostgreSQL with its xid)."""
    xid = None
    if not is_sqlite(session):
        xid = int(session.scalar(text("SELECT pg_current_xact_id()::text")) or 0)
    job = ScrubJob(poll_id=poll.id or 0, seal_xid=xid)
    session.add(job)
    session.flush()
    return job


def job_of(session: Session, *, poll_id: int) -> ScrubJob | None:
    """The scrub job of a sealed poll."""
    return session.scalar(select(ScrubJob).where(ScrubJob.poll_id == poll_id))


def due_ids(session: Session, *, now: datetime, poll_ids: list[int] | None = None) -> list[int]:
    """Jobs a worker may claim: queued, waiting, or running for longer than CLAIM_TIMEOUT."""
    query = select(ScrubJob.id).where(_claimable(now)).order_by(ScrubJob.id)
    if poll_ids is not None:
        query = query.where(ScrubJob.poll_id.in_(poll_ids))
    return [int(i) for i in session.scalars(query)]


def _claimable(now: datetime) -> Any:
    return ScrubJob.state.in_([ScrubState.QUEUED, ScrubState.WAITING]) | (
        (ScrubJob.state == ScrubState.RUNNING) & (ScrubJob.claimed_at < now - CLAIM_TIMEOUT)
    )


def claim(session: Session, *, job_id: int, now: datetime) -> bool:
    """QUEUED or WAITING (or RUNNING too long: a crashed worker) → RUNNING; True for the winner."""
    result = session.execute(
        update(ScrubJob)
        .where(ScrubJob.id == job_id, _claimable(now))
        .values(state=ScrubState.RUNNING, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def record(session: Session, *, job_id: int, outcome: Outcome, now: datetime) -> ScrubJob:
    """The result of an attempt: VERIFIED (into the audit chain) or WAITING with the reason."""
    job = session.get(ScrubJob, job_id, populate_existing=True)
    assert job is not None
    job.attempts += 1
    job.checked_at = now
    if outcome.verified:
        job.state, job.reason, job.detail, job.verified_at = ScrubState.VERIFIED, None, "", now
    else:
        job.state, job.reason, job.detail = ScrubState.WAITING, outcome.reason, outcome.detail
    session.add(job)
    session.flush()
    if outcome.verified:
        poll = session.get(Poll, job.poll_id)
        assert poll is not None
        record_event(
            session,
            event_type="poll.scrub_verified",
            actor=None,
            object_type="poll",
            object_id=poll.id,
            assembly_id=poll.assembly_id,
            payload={
                "poll_id": poll.id,
                "verified_at": now.isoformat(),
                "attempts": job.attempts,
                "backend": session.get_bind().dialect.name,
                "seal_xid": job.seal_xid,
            },
        )
    return job


def run_pass(
    engine: Engine, *, poll_ids: list[int] | None = None, lock_timeout_ms: int = 0
) -> list[ScrubJob]:
    """Claim the due jobs (of `poll_ids`, or all), attempt once for all, record; commits.

    One attempt proves every claimed job: on PostgreSQL it is checked against the newest of
    their seals, so an older job is never verified on the strength of a younger one's check.
    """
    lock_timeout_ms = lock_timeout_ms or WORKER_LOCK_TIMEOUT_MS
    now = utcnow()
    with new_session(engine) as session:
        claimed, due = [], due_ids(session, now=now, poll_ids=poll_ids)
        session.commit()
        for job_id in due:
            with immediate():  # SQLite: take the write lock first, the UPDATE sees the newest row
                won = claim(session, job_id=job_id, now=now)
                session.commit()
            if won:
                claimed.append(job_id)
        if not claimed:
            return []
        xids = session.scalars(select(ScrubJob.seal_xid).where(ScrubJob.id.in_(claimed)))
        newest = max((x for x in xids if x is not None), default=None)
        session.commit()
        outcome = scrub_probe.attempt(engine, seal_xid=newest, lock_timeout_ms=lock_timeout_ms)
        with immediate():
            jobs = [record(session, job_id=i, outcome=outcome, now=utcnow()) for i in claimed]
            session.commit()
    if outcome.verified:  # the result just written went to the WAL: empty it again if we can
        scrub_probe.truncate_wal(engine)
    return jobs


def try_now(engine: Engine, *, poll_ids: list[int]) -> None:
    """The close request's one quick attempt (never waits for readers, never raises)."""
    try:
        run_pass(engine, poll_ids=poll_ids, lock_timeout_ms=QUICK_LOCK_TIMEOUT_MS)
    except Exception:  # the job stays queued for the worker; the seal stands
        log.exception("the quick scrub after the seal failed; the worker will retry")


def health(session: Session, now: datetime) -> dict[str, Any]:
    """For /healthz: sealed polls whose scrub is not verified yet, and the oldest one's age."""
    row = session.execute(
        select(func.count(), func.min(ScrubJob.queued_at)).where(
            ScrubJob.state != ScrubState.VERIFIED
        )
    ).one()
    return {
        "unverified": int(row[0]),
        "oldest_unverified_s": None if row[1] is None else int((now - row[1]).total_seconds()),
    }


def _run_pass(engine: Engine, _config: Mapping[str, Any]) -> int:
    return sum(job.state == ScrubState.VERIFIED for job in run_pass(engine))


jobs.register(jobs.JobKind("scrub", _run_pass, health))
