"""`governance bodies conclude-circulars`: conclude the circular resolutions whose deadline has
passed (from cron, or by hand), as the pages do when they are next viewed."""

from __future__ import annotations

import click

from governance.bodies import circular_render, circulars
from governance.bodies.blueprint import bp
from governance.cli import cli_session
from governance.db import utcnow


@bp.cli.command("conclude-circulars")
def conclude_circulars() -> None:
    """Conclude every open circular resolution whose deadline has passed."""
    with cli_session() as session:
        done = circulars.conclude_due(session, now=utcnow(), render=circular_render.pdf)
        session.commit()
        for c in done:
            click.echo(f"circular {c.id}: {c.state.value.lower()}")
        click.echo(f"{len(done)} concluded")
