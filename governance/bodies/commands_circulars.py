"""Concluding the circular resolutions whose deadline has passed, as the pages do when they are
next viewed: the worker's job kind "circulars" (`governance worker --loop`) and the command
`governance bodies conclude-circulars` (by hand, or from cron where no worker runs)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import click
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from governance import jobs
from governance.bodies import circular_render, circulars
from governance.bodies.blueprint import bp
from governance.bodies.models_circulars import Circular, CircularState
from governance.cli import cli_session
from governance.db import immediate, new_session, utcnow


def _run_pass(engine: Engine, _config: Mapping[str, Any]) -> int:
    """One pass: conclude every circular past its deadline; how many were concluded. The write
    lock is taken only when one is due (most passes find none)."""
    with new_session(engine) as session:
        if not _health(session, utcnow())["queued"]:
            return 0
    with new_session(engine) as session, immediate():
        done = circulars.conclude_due(session, now=utcnow(), render=circular_render.pdf)
        session.commit()
        return len(done)


def _health(session: Session, now: datetime) -> dict[str, Any]:
    """How many open circulars wait past their deadline ("queued", as /healthz and /metrics
    read every kind's backlog), and how long the oldest has waited since its deadline."""
    due = (Circular.state == CircularState.OPEN) & (Circular.deadline < now)
    count = session.scalar(select(func.count()).select_from(Circular).where(due))
    oldest = session.scalar(select(func.min(Circular.deadline)).where(due))
    return {
        "queued": int(count or 0),
        "oldest_queued_s": None if oldest is None else int((now - oldest).total_seconds()),
    }


jobs.register(jobs.JobKind("circulars", _run_pass, _health))


@bp.cli.command("conclude-circulars")
def conclude_circulars() -> None:
    """Conclude every open circular resolution whose deadline has passed."""
    with cli_session() as session:
        done = circulars.conclude_due(session, now=utcnow(), render=circular_render.pdf)
        session.commit()
        for c in done:
            click.echo(f"circular {c.id}: {c.state.value.lower()}")
        click.echo(f"{len(done)} concluded")
