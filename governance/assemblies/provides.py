"""What the assemblies domain answers for the domains below it (registered on import).

The accounts domain declares the start page's question in `governance/accounts/hooks.py`;
this module answers it, so that accounts never imports assemblies.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from governance.accounts import hooks as account_hooks
from governance.assemblies import hooks, services
from governance.assemblies.agenda import agenda
from governance.assemblies.mandates import mandate_of, represented_members
from governance.assemblies.models import Assembly, AssemblyState
from governance.register.models import Member

AGENDA_PREVIEW = 4  # items of the next assembly shown on the start page


@account_hooks.start_moment.register
def start_moment(
    session: Session, *, user: Any, now: datetime, proposal_deadline_days: int
) -> dict[str, Any] | None:
    """A vote waiting for the user now, else the next assembly they may see, else None."""
    upcoming, _past = services.assemblies_for(session, user=user)
    member_id = getattr(user, "member_id", None)
    if member_id is not None:
        for assembly in upcoming:
            vote = _waiting_vote(session, assembly, member_id)
            if vote is not None:
                return {"vote": vote}
    if not upcoming:
        return None
    assembly = upcoming[0]
    return {"next": _next(session, assembly, user, now, proposal_deadline_days)}


def _waiting_vote(session: Session, assembly: Assembly, member_id: int) -> dict[str, Any] | None:
    if assembly.state != AssemblyState.IN_SESSION:
        return None
    poll = hooks.open_poll(session, assembly_id=assembly.id)
    if poll is None:
        return None
    waiting = hooks.votes_waiting(session, poll_id=poll["id"], member_id=member_id)
    if not waiting:
        return None
    return {"assembly": assembly, "poll_title": poll["title"], "waiting": int(waiting)}


def _next(
    session: Session, assembly: Assembly, user: Any, now: datetime, deadline_days: int
) -> dict[str, Any]:
    items = [e for e in agenda(session, assembly_id=assembly.id) if e.depth == 0]
    member_id = getattr(user, "member_id", None)
    proxy, represents = None, []
    if member_id is not None:
        given = mandate_of(session, assembly_id=assembly.id, principal_id=member_id)
        proxy = session.get(Member, given.proxy_id) if given else None
        represents = represented_members(
            session, assembly_id=assembly.id, proxy_member_id=member_id
        )
    return {
        "assembly": assembly,
        "items": items[:AGENDA_PREVIEW],
        "more_items": max(0, len(items) - AGENDA_PREVIEW),
        "deadline": services.effective_proposal_deadline(assembly, default_days=deadline_days),
        "deadline_passed": services.effective_proposal_deadline(
            assembly, default_days=deadline_days
        )
        < now,
        "member": member_id is not None,
        "on_roll": services.on_roll(session, assembly=assembly, user=user),
        "roll_frozen": assembly.roll_frozen,
        "proxy": proxy.display_name if proxy else None,
        "represents": [m.display_name for m in represents],
    }
