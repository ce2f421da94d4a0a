"""Run-offs (Stichwahl): a tied election is not declared before its run-off is prepared.

When candidates tie across the last seat (tally.fill_seats), the chair creates a run-off: a
draft election in the same assembly with the tied candidates only, for the seats still open,
in the same mode and with the same majority and secrecy. `poll.runoff_of_id` links it to the
tied election (unique: one run-off each). Once the assembly is over no poll can be created,
and the tie is declared as it stands (the statute's lot decides).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from governance.assemblies.models import Assembly, AssemblyState
from governance.auditlog import record_event
from governance.ballots.models import Poll, PollKind, PollState
from governance.ballots.services import PollData, create_poll
from governance.ballots.tally import TIE, PollResult
from governance.errors import DomainError
from governance.i18n import _l

OVER = (AssemblyState.CLOSED, AssemblyState.MINUTES_PUBLISHED)


def runoff_of(session: Session, *, poll_id: int) -> Poll | None:
    """The run-off prepared for the poll, if any."""
    return session.scalars(select(Poll).where(Poll.runoff_of_id == poll_id)).first()


def needs_runoff(session: Session, *, poll: Poll, result: PollResult) -> bool:
    """A tied election whose run-off is still to be created (while the assembly lasts)."""
    if poll.kind != PollKind.ELECTION or result.outcome != TIE:
        return False
    assembly = session.get(Assembly, poll.assembly_id)
    if assembly is None or assembly.state in OVER:
        return False
    return runoff_of(session, poll_id=poll.id or 0) is None


def create_runoff(session: Session, *, poll: Poll, result: PollResult, actor: Any) -> Poll:
    """The draft run-off of the sealed, tied election `poll` (with its computed result)."""
    if poll.state != PollState.SEALED or not needs_runoff(session, poll=poll, result=result):
        raise DomainError(_l("Only a tied election that is not declared yet gets a run-off."))
    assembly = session.get(Assembly, poll.assembly_id)
    assert assembly is not None
    title = str(_l("Run-off: %(title)s", title=poll.title))[:300]
    data = PollData(
        title=title,
        kind=PollKind.ELECTION,
        majority=poll.majority,
        election_mode=poll.election_mode,
        seats=poll.seats - len(result.elected),
        secret=poll.secret,
        publish_choices=poll.publish_choices,
        candidates=list(result.tied),
        agenda_item_id=poll.agenda_item_id,
    )
    runoff = create_poll(session, assembly=assembly, data=data, actor=actor)
    runoff.runoff_of_id = poll.id
    session.add(runoff)
    session.flush()
    record_event(
        session,
        event_type="poll.runoff_created",
        actor=actor,
        object_type="poll",
        object_id=poll.id,
        assembly_id=poll.assembly_id,
        payload={"poll_id": poll.id, "runoff_id": runoff.id, "candidates": data.candidates},
    )
    return runoff
