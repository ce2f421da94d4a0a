"""What the proposals domain answers for the assemblies domain (registered on import).

Assemblies declares the questions and signals in `governance/assemblies/hooks.py`; this module
answers them, so that assemblies never imports proposals.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from governance.assemblies import hooks
from governance.assemblies.models import Assembly
from governance.errors import DomainError
from governance.i18n import _l
from governance.proposals.models import Majority, MinorityDemand, Proposal, SubmitterKind
from governance.proposals.services import (
    ProposalData,
    admit_proposal,
    proposals_of_assembly,
    submit_proposal,
)

hooks.proposals_of_assembly.register(proposals_of_assembly)


@hooks.assembly_deleting.connect
def refuse_deleting_a_demanded_assembly(assembly: Assembly, *, session: Session) -> dict[str, Any]:
    """A minority demand (§45) keeps its assembly; the audit event counts the proposals."""
    if session.scalar(select(MinorityDemand.id).where(MinorityDemand.assembly_id == assembly.id)):
        raise DomainError(_l("A minority demand refers to this assembly: it cannot be deleted."))
    count = session.scalar(
        select(func.count()).select_from(Proposal).where(Proposal.assembly_id == assembly.id)
    )
    return {"proposals": int(count or 0)}


STATUTE_TEXT = (
    "§ 10 Abs. 2 der Satzung wird wie folgt gefasst:\n\n"
    "> Die Generalversammlung kann auch als virtuelle oder hybride Versammlung "
    "stattfinden (§ 43b GenG)."
)


@hooks.demo_assembly_prepared.connect
def demo_statute_proposal(
    assembly: Assembly, *, session: Session, actor: Any, now: datetime
) -> None:
    """The demo's assemblies each get the board's proposal to change the statute."""
    proposal = submit_proposal(
        session,
        assembly=assembly,
        kind=SubmitterKind.BOARD,
        data=ProposalData(
            title="Satzungsänderung: virtuelle und hybride Generalversammlung",
            text=STATUTE_TEXT,
            rationale="Mitglieder, die nicht anreisen können, sollen teilnehmen können.",
            statute_change=True,
            majority=Majority.THREE_QUARTERS,
        ),
        actor=actor,
        now=now,
        deadline=assembly.starts_at,
    )
    admit_proposal(session, proposal=proposal, assembly=assembly, agenda_item_id=None, actor=actor)
