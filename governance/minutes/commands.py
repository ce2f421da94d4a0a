"""`governance minutes ...`: render the minutes outside the request (large assemblies)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import Engine

from governance import jobs
from governance.cli import cli_session, engine, fail, run_worker
from governance.db import new_session
from governance.minutes import rendering
from governance.minutes.models import RenderJob, RenderStatus
from governance.minutes.pdf import render_minutes
from governance.minutes.services import minutes_of


@click.group("minutes")
def cli() -> None:
    """Minutes of the assemblies (Niederschrift)."""


def _coop() -> rendering.CoopSettings:
    return rendering.CoopSettings.from_config(current_app.config)


def _report(job: RenderJob) -> None:
    if job.status == RenderStatus.DONE:
        click.echo(
            f"render {job.id}: done, revision {job.revision}, {job.page_count} pages, "
            f"{job.participant_count} participants, sha256 {job.pdf_sha256}"
        )
    else:
        click.echo(f"render {job.id}: {job.status.value.lower()} {job.error or ''}".rstrip())


@cli.command("render")
@click.argument("assembly_id", type=int)
@with_appcontext
def render(assembly_id: int) -> None:
    """Render the current draft of ASSEMBLY_ID's minutes now (the job the page shows)."""
    with cli_session() as session:
        minutes = minutes_of(session, assembly_id=assembly_id)
        if minutes is None:
            fail(f"assembly {assembly_id} has no minutes (start them in the app first)")
            return
        job = rendering.request_render(session, minutes=minutes, actor=None)
        session.commit()  # the page shows the job as queued, then running
        if not rendering.claim(session, job_id=job.id or 0):
            session.rollback()
            fail(f"render {job.id} is being run by another worker")
        session.commit()
        job = rendering.execute(session, job=job, coop=_coop(), render=render_minutes)
        session.commit()
        _report(job)
        if job.status == RenderStatus.FAILED:
            raise SystemExit(1)


@cli.command("sample")
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True)
@click.option("--participants", default=20, show_default=True, type=click.IntRange(1, 100_000))
@with_appcontext
def sample(output: str, participants: int) -> None:
    """Render a synthetic sample of the minutes as PDF: checks the PDF set-up (fonts, templates)."""
    from pathlib import Path

    from governance.minutes.sample import sample_document

    pdf = render_minutes(sample_document(participants))
    Path(output).write_bytes(pdf.data)
    click.echo(f"{output}: {pdf.page_count} pages, sha256 {pdf.sha256}")


def run_once() -> int:
    """Run every queued job once; returns how many were run."""
    return _run_pass(engine(), current_app.config)


def _run_pass(bind: Engine, config: Mapping[str, Any]) -> int:
    done = 0
    coop = rendering.CoopSettings.from_config(config)
    with new_session(bind) as session:
        while (job_id := rendering.next_job_id(session)) is not None:
            won = rendering.claim(session, job_id=job_id)
            session.commit()
            if not won:
                continue
            job = session.get(RenderJob, job_id)
            assert job is not None
            _report(rendering.execute(session, job=job, coop=coop, render=render_minutes))
            session.commit()
            done += 1
    return done


jobs.register(jobs.JobKind("minutes", _run_pass, rendering.health))


@cli.command("worker")
@click.option("--loop", is_flag=True, help="Keep running and render jobs as they are queued.")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between passes.")
@with_appcontext
def worker(loop: bool, interval: float) -> None:
    """Render queued minutes (one pass, or --loop: `governance worker --only minutes --loop`)."""
    if loop:
        run_worker(("minutes",), interval=interval)
    run_once()
