"""The published elections, as the bodies' seat offers read them (governance/bodies/
hooks_offers.py): only PUBLISHED election polls of a general or representative assembly, whose
result (and its `elected` labels) is final once declared and published."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlmodel import Session

from governance.assemblies.models import MEMBER_BODIES, Assembly
from governance.ballots.models import Poll, PollKind, PollState
from governance.ballots.tally import PollResult
from governance.bodies import hooks_offers
from governance.bodies.hooks_offers import Election

BERLIN = ZoneInfo("Europe/Berlin")


def _query() -> object:
    return (
        select(Poll, Assembly)
        .join(Assembly, Assembly.id == Poll.assembly_id)
        .where(
            Poll.kind == PollKind.ELECTION,
            Poll.state == PollState.PUBLISHED,
            Poll.result_json.is_not(None),  # type: ignore[union-attr]
            Assembly.body.in_(MEMBER_BODIES),  # type: ignore[attr-defined]
        )
    )


def _election(poll: Poll, assembly: Assembly) -> Election:
    result = PollResult.from_json(poll.result_json or "{}")
    return Election(
        poll_id=int(poll.id or 0),
        title=poll.title,
        assembly_title=assembly.title,
        held_on=assembly.starts_at.astimezone(BERLIN).date(),
        seats=poll.seats,
        elected=tuple(result.elected),
        tied=tuple(result.tied),
    )


@hooks_offers.published_elections.register
def published_elections(session: Session) -> list[Election]:
    """The published elections of the member assemblies, newest first."""
    rows = session.execute(
        _query().order_by(Poll.published_at.desc(), Poll.id.desc())  # type: ignore[attr-defined]
    ).all()
    return [_election(poll, assembly) for poll, assembly in rows]


@hooks_offers.published_election.register
def published_election(session: Session, *, poll_id: int) -> Election | None:
    """The poll as a published election, or None (a motion, not yet published, elsewhere)."""
    row = session.execute(_query().where(Poll.id == poll_id)).first()  # type: ignore[attr-defined]
    return _election(*row) if row is not None else None
