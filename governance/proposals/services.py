"""Proposals (Anträge): submission with the members' deadline, admission, the workflow."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from governance.accounts.models import Role
from governance.assemblies.agenda import add_item, assert_resolution_possible
from governance.assemblies.models import Assembly, AssemblyState
from governance.assemblies.models_agenda import AgendaItem, ItemKind
from governance.assemblies.roll import roll_entry
from governance.auditlog import record_event
from governance.errors import DomainError
from governance.i18n import _l
from governance.proposals import hooks
from governance.proposals.models import Majority, Proposal, ProposalState, SubmitterKind
from governance.register.models import Member
from governance.register.rules import may_attend_at

SUBMITTER_ROLES = [
    (SubmitterKind.BOARD, Role.BOARD),
    (SubmitterKind.SUPERVISORY_BOARD, Role.SUPERVISORY_BOARD),
    (SubmitterKind.MEMBER, Role.MEMBER),
]
# Transitions the chair or board make by hand; ballots sets IN_VOTE → ADOPTED/REJECTED too.
MANUAL_TARGETS = (
    ProposalState.REJECTED,
    ProposalState.REFERRED,
    ProposalState.IN_VOTE,
    ProposalState.ADOPTED,
)


@dataclass
class ProposalData:
    """What a submitter enters."""

    title: str
    text: str
    rationale: str = ""
    statute_change: bool = False
    majority: Majority | None = None  # None: ¾ for statute changes, else simple


def is_current_member(member: Member, *, today: date) -> bool:
    """A member today who may attend: not left, not expelled, not deceased (§65, §68)."""
    return may_attend_at(member, today)


def required_majority(data: ProposalData) -> Majority:
    """The majority the proposal needs; statute changes need at least three quarters."""
    if data.majority is None:
        return Majority.THREE_QUARTERS if data.statute_change else Majority.SIMPLE
    if data.statute_change and data.majority == Majority.SIMPLE:
        raise DomainError(
            _l("A statute change needs at least a three-quarters majority (§16(2) GenG)."),
            field="majority",
        )
    return data.majority


def _check_member_may_submit(
    session: Session, assembly: Assembly, member: Member | None, now: datetime, deadline: datetime
) -> Member:
    if member is None:
        raise DomainError(_l("Only members linked to the member list can submit proposals."))
    if now > deadline:
        raise DomainError(
            _l(
                "The deadline for members' proposals to this assembly ended on %(date)s.",
                date=deadline.date().isoformat(),
            )
        )
    if assembly.roll_frozen:
        if roll_entry(session, assembly_id=assembly.id, member_id=member.id) is None:
            raise DomainError(_l("Only members on the voter roll can submit proposals."))
    elif not is_current_member(member, today=now.date()):
        raise DomainError(_l("Only current members can submit proposals."))
    return member


def submit_proposal(
    session: Session,
    *,
    assembly: Assembly,
    kind: SubmitterKind,
    data: ProposalData,
    actor: Any,
    now: datetime,
    deadline: datetime,
    member: Member | None = None,
) -> Proposal:
    """Submit a proposal; members' proposals must arrive by the deadline."""
    if assembly.state not in (AssemblyState.DRAFT, AssemblyState.CONVENED):
        raise DomainError(_l("Proposals are submitted before the assembly opens."))
    if not data.title.strip() or not data.text.strip():
        raise DomainError(_l("Give the proposal a title and its text."), field="text")
    if kind == SubmitterKind.MEMBER:
        member = _check_member_may_submit(session, assembly, member, now, deadline)
    proposal = Proposal(
        assembly_id=assembly.id,
        submitter_kind=kind,
        member_id=member.id if kind == SubmitterKind.MEMBER and member else None,
        submitted_by_id=getattr(actor, "id", None),
        title=data.title.strip(),
        text=data.text,
        rationale=data.rationale,
        statute_change=data.statute_change,
        majority=required_majority(data),
        submitted_at=now,
    )
    session.add(proposal)
    session.flush()
    _event(session, proposal, "proposal.submitted", actor, kind=kind, title=proposal.title)
    hooks.proposal_submitted.send(proposal, session=session)
    return proposal


def update_proposal(
    session: Session, *, proposal: Proposal, data: ProposalData, actor: Any
) -> Proposal:
    """Change a proposal while it is only submitted."""
    if proposal.state != ProposalState.SUBMITTED:
        raise DomainError(_l("Only a proposal that has not been admitted yet can be changed."))
    proposal.majority = required_majority(data)
    proposal.title, proposal.text = data.title.strip(), data.text
    proposal.rationale, proposal.statute_change = data.rationale, data.statute_change
    session.add(proposal)
    session.flush()
    _event(session, proposal, "proposal.changed", actor, title=proposal.title)
    return proposal


def admit_proposal(
    session: Session,
    *,
    proposal: Proposal,
    assembly: Assembly,
    agenda_item_id: int | None,
    actor: Any,
) -> Proposal:
    """Put the proposal on the agenda: on an existing item or on a new resolution item."""
    if agenda_item_id is None:
        item = add_item(
            session,
            assembly=assembly,
            title=proposal.title,
            description=proposal.text,
            kind=ItemKind.RESOLUTION,
            actor=actor,
        )
    else:
        item = session.get(AgendaItem, agenda_item_id)
        if item is None or item.assembly_id != assembly.id:
            raise DomainError(_l("Choose an item of this agenda."), field="agenda_item_id")
    previous = proposal.state
    proposal.transition(ProposalState.ADMITTED)
    proposal.agenda_item_id = item.id
    session.add(proposal)
    session.flush()
    _event(session, proposal, "proposal.admitted", actor, agenda_item_id=item.id)
    hooks.proposal_decided.send(proposal, session=session, previous=previous)
    return proposal


def decide(
    session: Session,
    *,
    proposal: Proposal,
    target: ProposalState,
    actor: Any,
    now: datetime,
    note: str = "",
) -> Proposal:
    """Move a proposal along its workflow; a vote needs the item to be resolvable (§46(2))."""
    if target == ProposalState.ADMITTED:
        raise DomainError(_l("Admit a proposal with its agenda item."))
    if target == ProposalState.IN_VOTE:
        _check_vote_possible(session, proposal)
    previous = proposal.state
    proposal.transition(target)
    if proposal.is_final:
        proposal.decided_at = now
    proposal.decision_note = note.strip() or proposal.decision_note
    session.add(proposal)
    session.flush()
    _event(session, proposal, "proposal." + target.value.lower(), actor, note=note.strip())
    hooks.proposal_decided.send(proposal, session=session, previous=previous)
    return proposal


def _check_vote_possible(session: Session, proposal: Proposal) -> None:
    assembly = session.get(Assembly, proposal.assembly_id)
    if assembly is None or assembly.state != AssemblyState.IN_SESSION:
        raise DomainError(_l("Votes are held while the assembly is in session."))
    if proposal.agenda_item_id is None:
        raise DomainError(_l("The proposal is not on the agenda."))
    assert_resolution_possible(session, item_id=proposal.agenda_item_id)


def record_result(
    session: Session, *, proposal_id: int, adopted: bool, actor: Any, now: datetime
) -> Proposal:
    """The ballots domain records the outcome of the vote on a proposal."""
    proposal = session.get(Proposal, proposal_id)
    if proposal is None:
        raise DomainError(_l("No such proposal."))
    target = ProposalState.ADOPTED if adopted else ProposalState.REJECTED
    return decide(session, proposal=proposal, target=target, actor=actor, now=now)


def _event(
    session: Session, proposal: Proposal, event_type: str, actor: Any, **payload: Any
) -> None:
    record_event(
        session,
        event_type=event_type,
        actor=actor,
        object_type="proposal",
        object_id=proposal.id,
        assembly_id=proposal.assembly_id,
        payload={"state": proposal.state, **payload},
    )


# --- reading and access -----------------------------------------------------------------------


def is_submitter(proposal: Proposal, user: Any) -> bool:
    """The user submitted the proposal, or it was submitted for the user's member."""
    if not user.is_authenticated:
        return False
    if proposal.submitted_by_id == user.id:
        return True
    return proposal.member_id is not None and proposal.member_id == user.member_id


def submitter_kinds(user: Any) -> list[SubmitterKind]:
    """On whose behalf the user may submit."""
    kinds = [k for k, role in SUBMITTER_ROLES if user.has_role(role)]
    if SubmitterKind.MEMBER in kinds and user.member_id is None:
        kinds.remove(SubmitterKind.MEMBER)
    return kinds


def proposals_of_assembly(
    session: Session, *, assembly_id: int, public_only: bool
) -> list[Proposal]:
    """The assembly's proposals; `public_only` hides those not yet admitted (or withdrawn before)."""
    query = select(Proposal).where(Proposal.assembly_id == assembly_id)
    if public_only:
        query = query.where(Proposal.agenda_item_id.is_not(None))
    return list(session.execute(query.order_by(Proposal.submitted_at, Proposal.id)).scalars())


def proposals_of_user(session: Session, *, user: Any) -> list[Proposal]:
    """Proposals the user submitted or that were submitted for their member."""
    cond = Proposal.submitted_by_id == user.id
    if user.member_id is not None:
        cond = cond | (Proposal.member_id == user.member_id)
    return list(
        session.execute(select(Proposal).where(cond).order_by(Proposal.submitted_at.desc()))
        .scalars()
        .all()
    )


def proposals_for_item(session: Session, *, item_id: int) -> list[Proposal]:
    """Proposals on an agenda item (the ballots domain builds polls on them)."""
    return list(
        session.execute(
            select(Proposal).where(Proposal.agenda_item_id == item_id).order_by(Proposal.id)
        ).scalars()
    )


def open_proposals(session: Session) -> list[Proposal]:
    """Proposals waiting for admission or a vote, across assemblies (oldest first)."""
    waiting = [ProposalState.SUBMITTED, ProposalState.ADMITTED, ProposalState.IN_VOTE]
    return list(
        session.execute(
            select(Proposal).where(Proposal.state.in_(waiting)).order_by(Proposal.submitted_at)
        ).scalars()
    )
