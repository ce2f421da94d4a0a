"""`governance ballots …`: scheduled opening and closing of polls, and a poll's audit."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from governance.ballots.models import Poll
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
