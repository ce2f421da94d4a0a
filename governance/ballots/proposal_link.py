"""A poll on an Antrag (governance.proposals): its defaults, and the outcome it decides."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from governance.assemblies.models import Assembly
from governance.ballots.models import Majority, Poll, PollKind
from governance.errors import DomainError
from governance.i18n import _l
from governance.proposals.models import Proposal, ProposalState


def apply_proposal(session: Session, assembly: Assembly, data: Any) -> None:
    """A poll on an Antrag decides it: its item, and the majority the law requires for it."""
    proposal = session.get(Proposal, data.proposal_id)
    if proposal is None or proposal.assembly_id != assembly.id:
        raise DomainError(_l("Choose a proposal of this assembly."), field="proposal_id")
    if proposal.state not in (ProposalState.ADMITTED, ProposalState.IN_VOTE):
        raise DomainError(_l("Only an admitted proposal is put to the vote."), field="proposal_id")
    data.kind = PollKind.MOTION
    data.majority = Majority(proposal.majority.value)
    data.agenda_item_id = data.agenda_item_id or proposal.agenda_item_id
    if not data.title.strip():
        data.title = proposal.title


def proposal_to_vote(session: Session, poll: Poll, actor: Any, now: datetime) -> None:
    if poll.proposal_id is None:
        return
    from governance.proposals.services import decide

    proposal = session.get(Proposal, poll.proposal_id)
    if proposal is not None and proposal.state == ProposalState.ADMITTED:
        decide(session, proposal=proposal, target=ProposalState.IN_VOTE, actor=actor, now=now)


def proposal_result(session: Session, poll: Poll, outcome: str, actor: Any, now: datetime) -> None:
    """The declared outcome decides the Antrag: adopted, or rejected (a tie adopts nothing)."""
    if poll.proposal_id is None:
        return
    from governance.proposals.services import record_result

    proposal = session.get(Proposal, poll.proposal_id)
    if proposal is not None and proposal.state == ProposalState.IN_VOTE:
        record_result(
            session, proposal_id=proposal.id, adopted=outcome == "ADOPTED", actor=actor, now=now
        )
