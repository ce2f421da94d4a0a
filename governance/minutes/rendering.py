"""Render jobs: one draft revision → PDF bytes, in the request (small) or by the worker (large).

A job is QUEUED, claimed by exactly one runner (conditional UPDATE, like the mail outbox),
RUNNING, then DONE with the PDF and its SHA-256, or FAILED with the reason. The page shows the
status; `governance minutes render ASSEMBLY_ID` and `governance minutes worker` run jobs.
The PDF renderer is passed in (it needs the templates), so this module stays free of Flask.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlmodel import Session

from governance import metrics
from governance.auditlog import record_event
from governance.db import utcnow
from governance.minutes.document import MinutesDocument, build_document, fingerprint
from governance.minutes.models import Minutes, RenderJob, RenderStatus
from governance.minutes.pdf import RenderedPdf

log = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=30)
Renderer = Callable[[MinutesDocument], RenderedPdf]


@dataclass(frozen=True)
class CoopSettings:
    """What the minutes need from the configuration: the cooperative's name and seat."""

    name: str
    seat: str

    @classmethod
    def from_config(cls, config: Any) -> CoopSettings:
        return cls(name=str(config["COOP_NAME"]), seat=str(config["COOP_SEAT"]))


def document(session: Session, *, minutes: Minutes, coop: CoopSettings) -> MinutesDocument:
    """The minutes' content as it stands now."""
    return build_document(session, minutes=minutes, coop_name=coop.name, coop_seat=coop.seat)


def pending_job(session: Session, *, minutes: Minutes) -> RenderJob | None:
    """A queued or running job of the minutes, if any."""
    return session.scalar(
        select(RenderJob)
        .where(
            RenderJob.minutes_id == minutes.id,
            RenderJob.status.in_([RenderStatus.QUEUED, RenderStatus.RUNNING]),
        )
        .order_by(RenderJob.id.desc())
        .limit(1)
    )


def request_render(session: Session, *, minutes: Minutes, actor: Any | None) -> RenderJob:
    """Queue a rendering of the current draft (or return the one already waiting)."""
    job = pending_job(session, minutes=minutes)
    if job is not None and job.revision == minutes.revision:
        return job
    job = RenderJob(
        minutes_id=minutes.id or 0,
        revision=minutes.revision,
        requested_by_id=getattr(actor, "id", None),
    )
    session.add(job)
    session.flush()
    return job


def participant_count(session: Session, *, minutes: Minutes) -> int:
    """How many members took part in the sealed polls (decides in-request or worker)."""
    from governance.ballots.models import Participation, Poll
    from governance.minutes.polls import SEALED

    sealed = select(Poll.id).where(Poll.assembly_id == minutes.assembly_id, Poll.state.in_(SEALED))
    query = select(func.count(func.distinct(Participation.member_id))).where(
        Participation.poll_id.in_(sealed)
    )
    return int(session.scalar(query) or 0)


def claim(session: Session, *, job_id: int) -> bool:
    """QUEUED (or RUNNING for too long: a crashed worker) → RUNNING; True for the winner."""
    now = utcnow()
    result = session.execute(
        update(RenderJob)
        .where(RenderJob.id == job_id)
        .where(_claimable(now))
        .values(status=RenderStatus.RUNNING, started_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def _claimable(now: datetime) -> Any:
    """Queued, or left running by a worker that died (STALE_AFTER)."""
    return (RenderJob.status == RenderStatus.QUEUED) | (
        (RenderJob.status == RenderStatus.RUNNING) & (RenderJob.started_at < now - STALE_AFTER)
    )


def next_job_id(session: Session) -> int | None:
    """The oldest job waiting for a worker (a crashed worker's job included)."""
    return session.scalar(
        select(RenderJob.id)
        .where(_claimable(utcnow()))
        .order_by(RenderJob.requested_at, RenderJob.id)
        .limit(1)
    )


def health(session: Session, now: datetime) -> dict[str, Any]:
    """For /healthz: jobs waiting, the oldest one's age, and jobs stuck with a dead worker."""
    waiting = session.execute(
        select(func.count(), func.min(RenderJob.requested_at)).where(
            RenderJob.status == RenderStatus.QUEUED
        )
    ).one()
    stuck = session.scalar(
        select(func.count())
        .select_from(RenderJob)
        .where(RenderJob.status == RenderStatus.RUNNING, RenderJob.started_at < now - STALE_AFTER)
    )
    oldest = waiting[1]
    return {
        "queued": int(waiting[0]),
        "oldest_queued_s": None if oldest is None else int((now - oldest).total_seconds()),
        "stuck": int(stuck or 0),
    }


def execute(session: Session, *, job: RenderJob, coop: CoopSettings, render: Renderer) -> RenderJob:
    """Render a claimed job from the current draft; DONE with the bytes, or FAILED."""
    session.refresh(job)
    minutes = session.get(Minutes, job.minutes_id)
    assert minutes is not None
    doc = document(session, minutes=minutes, coop=coop)
    job.revision, job.participant_count = doc.revision, len(doc.participants)
    try:
        pdf = render(doc)
    except Exception as exc:  # a failed rendering is reported on the page, never lost
        log.exception("rendering the minutes %s failed", minutes.id)
        return _finish_failed(session, job, f"{type(exc).__name__}: {exc}")
    job.pdf, job.pdf_sha256, job.page_count = pdf.data, pdf.sha256, pdf.page_count
    job.source_sha256 = fingerprint(doc)
    job.status, job.finished_at = RenderStatus.DONE, utcnow()
    session.add(job)
    session.flush()
    record_event(
        session,
        event_type="minutes.rendered",
        actor=None,
        object_type="minutes",
        object_id=minutes.id,
        assembly_id=minutes.assembly_id,
        payload={
            "render_id": job.id,
            "revision": job.revision,
            "pdf_sha256": job.pdf_sha256,
            "pages": job.page_count,
            "participants": job.participant_count,
        },
    )
    return job


def _finish_failed(session: Session, job: RenderJob, error: str) -> RenderJob:
    job.status, job.finished_at, job.error = RenderStatus.FAILED, utcnow(), error[:500]
    session.add(job)
    session.flush()
    return job


def render_now(
    session: Session, *, minutes: Minutes, actor: Any | None, coop: CoopSettings, render: Renderer
) -> RenderJob:
    """Queue, claim and run a rendering at once (small assemblies, tests, the CLI)."""
    job = request_render(session, minutes=minutes, actor=actor)
    if job.status == RenderStatus.QUEUED and claim(session, job_id=job.id or 0):
        return execute(session, job=job, coop=coop, render=render)
    session.refresh(job)
    return job


def current_render(session: Session, *, minutes: Minutes, doc: MinutesDocument) -> RenderJob | None:
    """The finished rendering of exactly the current draft, or None (render again)."""
    job = session.scalar(
        select(RenderJob)
        .where(
            RenderJob.minutes_id == minutes.id,
            RenderJob.status == RenderStatus.DONE,
            RenderJob.revision == minutes.revision,
        )
        .order_by(RenderJob.id.desc())
        .limit(1)
    )
    if job is None or job.source_sha256 != fingerprint(doc):
        return None
    return job


def _render_metrics(session: Session, _now: datetime) -> list[Any]:
    """For /metrics: how long the renderings of the minutes took (a summary over all done)."""
    from prometheus_client.core import SummaryMetricFamily

    done = session.execute(
        select(RenderJob.started_at, RenderJob.finished_at).where(
            RenderJob.status == RenderStatus.DONE, RenderJob.started_at.is_not(None)
        )
    ).all()
    seconds = [(end - start).total_seconds() for start, end in done if end and start]
    summary = SummaryMetricFamily(
        "governance_minutes_render_seconds", "Time to render the minutes as PDF"
    )
    summary.add_metric([], count_value=len(seconds), sum_value=sum(seconds))
    return [summary]


metrics.register("minutes_render", _render_metrics)
