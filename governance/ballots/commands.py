"""`governance ballots …`: scheduled opening and closing of polls, the scrub after the seal,
and a poll's audit."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from governance.ballots import scrub as scrubbing
from governance.ballots.models import Poll
from governance.ballots.models_scrub import ScrubJob, ScrubState
from governance.ballots.services import close_due, open_due
from governance.ballots.verify import verify_poll
from governance.db import utcnow


@click.group("ballots")
def cli() -> None:
    """Polls: open and close on schedule, verify."""


@cli.command("close-due")
@with_appcontext
def close_due_cmd() -> None:
    """Close and seal every open poll whose closing time has passed (run every minute)."""
    from governance.cli import cli_session

    with cli_session() as session:
        closed = close_due(session, now=utcnow())
        session.commit()
    click.echo(f"closed and sealed: {closed or 'none'}")


@cli.command("open-due")
@with_appcontext
def open_due_cmd() -> None:
    """Open the draft polls of stretched assemblies whose voting phase has begun."""
    from governance.cli import cli_session

    with cli_session() as session:
        opened = open_due(
            session, now=utcnow(), multiple_votes=bool(current_app.config["MULTIPLE_VOTES"])
        )
        session.commit()
    click.echo(f"opened: {opened or 'none'}")


@cli.command("verify")
@click.argument("poll_id", type=int)
@with_appcontext
def verify_cmd(poll_id: int) -> None:
    """Check one poll: counts, roll, mandates, choices, paper, seal, tally (exit 1 on failure)."""
    from governance.cli import cli_session, fail

    with cli_session() as session:
        poll = session.get(Poll, poll_id)
        if poll is None:
            fail(f"there is no poll {poll_id}")
        checks = verify_poll(session, poll=poll)
    for check in checks:
        click.echo(f"{'ok ' if check.ok else 'FAIL'} {check.name:<14} {check.detail}")
    if not all(c.ok for c in checks):
        fail(f"poll {poll_id} failed {sum(not c.ok for c in checks)} check(s)")


def _report(job: ScrubJob) -> None:
    if job.state == ScrubState.VERIFIED:
        click.echo(f"poll {job.poll_id}: sealed, scrub verified")
    else:
        click.echo(f"poll {job.poll_id}: waiting for: {scrubbing.describe(job)}")


@cli.command("scrub")
@click.option("--loop", is_flag=True, help="Keep running beside the app (the worker).")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between passes.")
@with_appcontext
def scrub_cmd(loop: bool, interval: float) -> None:
    """Scrub sealed ballot boxes until it is proven (one pass, or --loop)."""
    from governance.cli import engine, run_worker

    if loop:
        run_worker(("scrub",), interval=interval)
    jobs = scrubbing.run_pass(engine())
    for job in jobs:
        _report(job)
    if not jobs:
        click.echo("nothing to scrub")
