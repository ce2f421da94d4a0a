"""Publishing a sealed poll's result: the chair's declaration, after the paper counts are
complete and a tie has its run-off (above services, paper.py and runoff.py, which it uses)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlmodel import Session

from governance.ballots import hooks
from governance.ballots.models import Poll, PollState
from governance.ballots.paper import check_paper_complete
from governance.ballots.proposal_link import proposal_result
from governance.ballots.runoff import needs_runoff
from governance.ballots.services import poll_event
from governance.ballots.tally import PollResult, compute_result
from governance.errors import DomainError, IllegalTransition
from governance.i18n import _l


def publish_poll(
    session: Session, *, poll: Poll, actor: Any, declaration: str, now: datetime
) -> PollResult:
    """SEALED → PUBLISHED: the chair confirms the declaration of the counted result."""
    if poll.state != PollState.SEALED:
        raise IllegalTransition(_l("Only a sealed poll can be published."))
    if not declaration.strip():
        raise DomainError(_l("The chair's declaration is required."), field="declaration")
    check_paper_complete(session, poll=poll)
    result = compute_result(session, poll=poll)
    if needs_runoff(session, poll=poll, result=result):
        raise DomainError(_l("The election is tied: create the run-off first."))
    poll.result_json = result.to_json()
    poll.declaration = declaration.strip()
    poll.declared_by_id = getattr(actor, "id", None)
    poll.declared_at = now
    poll.publish(now=now)
    session.add(poll)
    session.flush()
    proposal_result(session, poll, result.outcome, actor, now)
    poll_event(
        session,
        poll,
        "poll.published",
        actor,
        outcome=result.outcome,
        declaration=poll.declaration,
        seal_root=poll.seal_root,
        result=asdict(result),
    )
    hooks.poll_published.send(poll, session=session)
    return result
