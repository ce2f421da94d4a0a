"""§45 GenG minority demands: members demand an assembly or agenda items and collect support.

The quorum is a fraction of the members (MINORITY_QUORUM, by law 1/10; the statute may set a
lower one), counted against the members at the day of counting. Reaching it is audit-logged
and hands the demand to the board.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from governance.assemblies.models import Assembly, AssemblyState
from governance.auditlog import record_event
from governance.errors import DomainError
from governance.i18n import _l
from governance.proposals.models import DemandKind, DemandState, DemandSupport, MinorityDemand
from governance.proposals.services import is_current_member
from governance.register.models import Member


def quorum(*, members: int, fraction: Decimal) -> int:
    """Supporters needed: `fraction` of `members`, rounded up (at least one)."""
    return max(1, math.ceil(Decimal(members) * fraction))


def member_count(session: Session, *, today: date, min_shares: int) -> int:
    """Members today (the base of the quorum)."""
    from governance.register.services import eligible_members

    return len(eligible_members(session, at=today, min_shares=min_shares))


def support_count(session: Session, *, demand_id: int) -> int:
    """How many members support the demand."""
    return int(
        session.execute(
            select(func.count(DemandSupport.id)).where(DemandSupport.demand_id == demand_id)
        ).scalar_one()
    )


def supports(session: Session, *, demand_id: int, member_id: int) -> bool:
    """Whether the member supports the demand."""
    row = session.execute(
        select(DemandSupport.id).where(
            DemandSupport.demand_id == demand_id, DemandSupport.member_id == member_id
        )
    ).first()
    return row is not None


def _check_member(member: Member | None, today: date) -> Member:
    if member is None or not is_current_member(member, today=today):
        raise DomainError(_l("Only current members can make or support a minority demand."))
    return member


def create_demand(
    session: Session,
    *,
    kind: DemandKind,
    title: str,
    purpose: str,
    member: Member | None,
    actor: Any,
    now: datetime,
    needed: int,
    assembly: Assembly | None = None,
) -> MinorityDemand:
    """Start a demand (purpose and reasons, §45(1)); the initiator is its first supporter."""
    member = _check_member(member, now.date())
    open_states = (AssemblyState.DRAFT, AssemblyState.CONVENED)
    if kind == DemandKind.AGENDA_ITEMS and (assembly is None or assembly.state not in open_states):
        raise DomainError(
            _l("Demand agenda items for an assembly that has not opened yet."),
            field="assembly_id",
        )
    if not title.strip() or not purpose.strip():
        raise DomainError(_l("State the purpose and the reasons of the demand."), field="purpose")
    demand = MinorityDemand(
        kind=kind,
        assembly_id=assembly.id if assembly is not None else None,
        title=title.strip(),
        purpose=purpose,
        initiator_member_id=member.id,
        created_by_id=getattr(actor, "id", None),
        created_at=now,
    )
    session.add(demand)
    session.flush()
    _event(session, demand, "demand.created", actor, kind=kind, title=demand.title)
    add_support(session, demand=demand, member=member, actor=actor, now=now, needed=needed)
    return demand


def add_support(
    session: Session,
    *,
    demand: MinorityDemand,
    member: Member | None,
    actor: Any,
    now: datetime,
    needed: int,
) -> int:
    """Record a member's support; returns the count. Reaching `needed` hands it to the board."""
    member = _check_member(member, now.date())
    if demand.state != DemandState.OPEN:
        raise DomainError(_l("This demand no longer collects support."))
    try:
        with session.begin_nested():
            session.add(DemandSupport(demand_id=demand.id, member_id=member.id, supported_at=now))
    except IntegrityError:
        raise DomainError(_l("You support this demand already.")) from None
    count = support_count(session, demand_id=demand.id)
    if count >= needed:
        demand.state, demand.reached_at = DemandState.REACHED, now
        session.add(demand)
        session.flush()
        _event(session, demand, "demand.quorum_reached", actor, supporters=count, needed=needed)
    return count


def withdraw_support(
    session: Session, *, demand: MinorityDemand, member: Member | None, actor: Any
) -> int:
    """Take back one's support while the demand is still collecting."""
    if demand.state != DemandState.OPEN:
        raise DomainError(_l("This demand no longer collects support."))
    if member is None:
        raise DomainError(_l("You do not support this demand."))
    if member.id == demand.initiator_member_id:
        raise DomainError(_l("The initiator withdraws the whole demand instead."))
    row = session.execute(
        select(DemandSupport).where(
            DemandSupport.demand_id == demand.id, DemandSupport.member_id == member.id
        )
    ).scalar_one_or_none()
    if row is None:
        raise DomainError(_l("You do not support this demand."))
    session.delete(row)
    session.flush()
    return support_count(session, demand_id=demand.id)


def withdraw_demand(
    session: Session, *, demand: MinorityDemand, actor: Any, now: datetime
) -> MinorityDemand:
    """The initiator withdraws a demand that is still collecting support."""
    if demand.state != DemandState.OPEN:
        raise DomainError(_l("Only a demand that is still collecting support can be withdrawn."))
    demand.state, demand.handled_at = DemandState.WITHDRAWN, now
    session.add(demand)
    session.flush()
    _event(session, demand, "demand.withdrawn", actor)
    return demand


def handle_demand(
    session: Session, *, demand: MinorityDemand, note: str, actor: Any, now: datetime
) -> MinorityDemand:
    """The board records how it met a demand that reached the quorum."""
    if demand.state != DemandState.REACHED:
        raise DomainError(_l("Only a demand that reached the quorum is handled by the board."))
    if not note.strip():
        raise DomainError(_l("Note what the board did."), field="note")
    demand.state, demand.handled_at, demand.handled_note = DemandState.HANDLED, now, note.strip()
    session.add(demand)
    session.flush()
    _event(session, demand, "demand.handled", actor, note=demand.handled_note)
    return demand


def _event(
    session: Session, demand: MinorityDemand, event_type: str, actor: Any, **payload: Any
) -> None:
    record_event(
        session,
        event_type=event_type,
        actor=actor,
        object_type="minority_demand",
        object_id=demand.id,
        assembly_id=demand.assembly_id,
        payload={"state": demand.state, **payload},
    )


def demands(session: Session) -> list[MinorityDemand]:
    """All demands, newest first."""
    return list(
        session.execute(select(MinorityDemand).order_by(MinorityDemand.created_at.desc()))
        .scalars()
        .all()
    )
