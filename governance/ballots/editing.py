"""Editing a draft poll: what create_poll takes, changed until the poll opens.

Once open, what was put to the vote is fixed; triggers (rules.DRAFT_*) hold that in the
database too, for the poll's question and its candidates.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete
from sqlmodel import Session

from governance.assemblies.models import Assembly, AssemblyState
from governance.ballots.models import Poll, PollOption, PollState
from governance.ballots.services import (
    PollData,
    lock_poll,
    options_of,
    poll_event,
    validate_poll_data,
)
from governance.errors import DomainError
from governance.i18n import _l

# The poll's columns an edit may change (with the candidates), in the order of the form.
EDITABLE = (
    "title",
    "description",
    "agenda_item_id",
    "proposal_id",
    "kind",
    "majority",
    "election_mode",
    "seats",
    "secret",
    "publish_choices",
)


def _state_of(session: Session, poll: Poll) -> dict[str, Any]:
    state = {name: getattr(poll, name) for name in EDITABLE}
    state["candidates"] = [o.label for o in options_of(session, poll_id=poll.id or 0)]
    return state


def update_poll(session: Session, *, poll: Poll, data: PollData, actor: Any) -> dict[str, Any]:
    """Change a draft poll (as create_poll validates it); what changed, as {field: [old, new]}.

    The poll is re-read under a row lock: an edit and the opening of the poll run one after
    the other, and an edit that comes second finds the poll open and is refused.
    """
    locked = lock_poll(session, poll_id=poll.id or 0, exclusive=True)
    if locked is None or locked.state != PollState.DRAFT:
        raise DomainError(_l("Only a draft poll can be edited; this one is open or over."))
    assembly = session.get(Assembly, locked.assembly_id)
    assert assembly is not None
    if assembly.state in (AssemblyState.CLOSED, AssemblyState.MINUTES_PUBLISHED):
        raise DomainError(_l("The assembly is over; its polls can no longer be changed."))
    validate_poll_data(session, assembly, data)
    before = _state_of(session, locked)
    after = {
        **{name: getattr(data, name) for name in EDITABLE},
        "title": data.title.strip(),
        "description": data.description.strip(),
        "candidates": data.candidates,
    }
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if not changes:
        return {}
    for name in EDITABLE:
        setattr(locked, name, after[name])
    session.add(locked)
    if "candidates" in changes:
        session.execute(delete(PollOption).where(PollOption.poll_id == locked.id))
        for position, label in enumerate(data.candidates, start=1):
            session.add(PollOption(poll_id=locked.id, position=position, label=label))
    session.flush()
    poll_event(session, locked, "poll.updated", actor, title=locked.title, changes=changes)
    return changes
