"""What the assemblies domain needs to know about polls (owned by the ballots domain).

Imported lazily: governance.ballots imports governance.assemblies, not the other way round.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session


def has_opened_poll(session: Session, *, assembly_id: int) -> bool:
    """Whether any poll of the assembly has been opened (open, closed, sealed or published)."""
    from governance.ballots.models import Poll

    query = (
        select(Poll.id).where(Poll.assembly_id == assembly_id, Poll.opened_at.is_not(None)).limit(1)
    )
    return session.execute(query).first() is not None


def open_poll(session: Session, *, assembly_id: int) -> dict[str, Any] | None:
    """The poll open right now with its turnout (participations so far), or None."""
    from governance.ballots.models import Participation, Poll, PollState

    row = session.execute(
        select(Poll.id, Poll.title)
        .where(Poll.assembly_id == assembly_id, Poll.state == PollState.OPEN)
        .order_by(Poll.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    turnout = session.execute(
        select(func.count()).select_from(Participation).where(Participation.poll_id == row[0])
    ).scalar_one()
    return {"id": row[0], "title": row[1], "turnout": int(turnout)}
