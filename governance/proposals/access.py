"""The proposals' loaders for the views, through the one gate (`Assembly.can_see`).

A proposal is visible with its assembly: to staff and to its submitter always, to the other
members once it is admitted to the agenda.
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from governance.assemblies.access import gate
from governance.assemblies.models import Assembly
from governance.proposals import services
from governance.proposals.models import Proposal
from governance.web import get_or_404


def may_see(proposal: Proposal, assembly: Assembly) -> bool:
    """Staff and the submitter see every proposal; other members the admitted ones."""
    if assembly.is_staff(current_user) or services.is_submitter(proposal, current_user):
        return True
    return proposal.agenda_item_id is not None


def load_proposal(proposal_id: int) -> tuple[Proposal, Assembly]:
    """The proposal and its assembly (404; 403 behind the gate or before admission)."""
    proposal = get_or_404(Proposal, proposal_id)
    assembly = gate(get_or_404(Assembly, proposal.assembly_id))
    if not may_see(proposal, assembly):
        abort(403)
    return proposal, assembly
