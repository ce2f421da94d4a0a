"""A poll's shape: what a choice in it may be (kind, mode, seats, candidates in order), read
for encoding, checking and counting choices (below tally.py and encryption.py, which both use it)."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from governance.ballots import choices as ch
from governance.ballots.models import Poll, PollKind, PollOption


def shape_of(session: Session, poll: Poll) -> tuple[ch.Shape, list[PollOption]]:
    """The poll's shape (for choice encoding) and its candidates in order (a motion has none:
    no query)."""
    options: list[PollOption] = []
    if poll.kind != PollKind.MOTION:
        options = list(
            session.scalars(
                select(PollOption)
                .where(PollOption.poll_id == poll.id)
                .order_by(PollOption.position)
            )
        )
    shape = ch.Shape(
        kind=poll.kind,
        mode=poll.election_mode,
        seats=poll.seats,
        option_ids=tuple(o.id for o in options if o.id is not None),
    )
    return shape, options
