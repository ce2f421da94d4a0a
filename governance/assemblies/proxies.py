"""Proxies members give themselves (§43(5) GenG): granted, accepted, revoked, rejected.

A member declares the proxy in text form on their own page, naming the holder by member
number; the holder is told by mail and accepts on their own page. Only the acceptance
registers a `Mandate` (mandates.register_mandate): the limit of two principals and the roll
checks stay the mandate table's. The member revokes, and the secretary rejects with a reason,
until a poll of the assembly opens (mandates.revoke_mandate's lock). A standing proxy (not
limited to one assembly) is carried to the next assembly of the same body at its convening.
Every step is recorded in the audit chain.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from governance.accounts.models import User
from governance.assemblies import mandates
from governance.assemblies.grants import LIVE_STATES, GrantState, ProxyGrant
from governance.assemblies.models import Assembly
from governance.assemblies.models_mandates import Mandate
from governance.assemblies.roll import roll_members
from governance.auditlog import record_event
from governance.errors import DomainError
from governance.i18n import _l
from governance.mail import queue_mail
from governance.register.models import Member

# render(grant, principal, holder) -> (subject, body) of the mail to the holder
Notifier = Callable[[ProxyGrant, Member, Member], tuple[str, str]]


def _event(session: Session, grant: ProxyGrant, event_type: str, actor: object | None) -> None:
    principal = session.get(Member, grant.principal_id)
    holder = session.get(Member, grant.holder_id) if grant.holder_id else None
    record_event(
        session,
        event_type=event_type,
        actor=actor,
        object_type="proxy_grant",
        object_id=grant.id,
        assembly_id=grant.assembly_id,
        payload={
            "principal": getattr(principal, "number", None),
            "holder": getattr(holder, "number", None) or grant.holder_name or None,
            "this_assembly_only": grant.this_assembly_only,
            "reason": grant.reason or None,
        },
    )


def live_grant(session: Session, *, assembly_id: int, principal_id: int) -> ProxyGrant | None:
    """The member's granted or accepted proxy for the assembly, if any."""
    return session.execute(
        select(ProxyGrant).where(
            ProxyGrant.assembly_id == assembly_id,
            ProxyGrant.principal_id == principal_id,
            ProxyGrant.state.in_(LIVE_STATES),
        )
    ).scalar_one_or_none()


def grants(
    session: Session, *, assembly_id: int, holder_id: int | None = None, live_only: bool = True
) -> list[tuple[ProxyGrant, Member, Member | None]]:
    """The assembly's grants as (grant, principal, holder), oldest first; the holder is None
    for a relative who is not a member (the grant names them)."""
    query = select(ProxyGrant).where(ProxyGrant.assembly_id == assembly_id)
    if holder_id is not None:
        query = query.where(ProxyGrant.holder_id == holder_id)
    if live_only:
        query = query.where(ProxyGrant.state.in_(LIVE_STATES))
    rows = list(session.execute(query.order_by(ProxyGrant.id)).scalars())
    ids = {g.principal_id for g in rows} | {g.holder_id for g in rows if g.holder_id}
    members = {m.id: m for m in session.execute(select(Member).where(Member.id.in_(ids))).scalars()}
    return [(g, members[g.principal_id], members.get(g.holder_id or 0)) for g in rows]


def grant_proxy(
    session: Session,
    *,
    assembly: Assembly,
    principal: Member,
    holder: Member,
    declaration: str,
    this_assembly_only: bool,
    actor: User | None,
    notify: Notifier,
) -> ProxyGrant:
    """The member gives a proxy in text form; the holder is told by mail and must accept."""
    mandates.check_new_mandate(session, assembly, principal, holder)
    if live_grant(session, assembly_id=assembly.id, principal_id=principal.id) is not None:
        raise DomainError(_l("You have given a proxy for this assembly already."), field="holder")
    mandates.free_slot(session, assembly.id, holder)  # a third one: the clear message now
    if not declaration.strip():
        raise DomainError(_l("Confirm the declaration of the proxy."), field="confirm")
    grant = ProxyGrant(
        assembly_id=assembly.id,
        principal_id=principal.id,
        holder_id=holder.id,
        declaration=declaration.strip(),
        this_assembly_only=this_assembly_only,
        granted_by_id=getattr(actor, "id", None),
    )
    try:
        with session.begin_nested():
            session.add(grant)
    except IntegrityError:  # a concurrent grant of the same member
        raise DomainError(_l("You have given a proxy for this assembly already.")) from None
    _event(session, grant, "proxy.granted", actor)
    if holder.email:
        subject, body = notify(grant, principal, holder)
        queue_mail(session, to=holder.email, subject=subject, body_text=body, category="proxy")
    return grant


def _mandate_for(
    session: Session, assembly: Assembly, grant: ProxyGrant, actor: object | None
) -> Mandate:
    return mandates.register_mandate(
        session,
        assembly=assembly,
        principal=session.get(Member, grant.principal_id),  # type: ignore[arg-type]
        proxy=session.get(Member, grant.holder_id),  # type: ignore[arg-type]
        evidence=f"#{grant.id}: {grant.declaration}",
        actor=actor,
    )


def accept_proxy(
    session: Session, *, assembly: Assembly, grant: ProxyGrant, actor: User, now: datetime
) -> Mandate:
    """The holder accepts: the grant becomes a mandate (a third one is refused)."""
    if grant.state != GrantState.GRANTED:
        raise DomainError(_l("This proxy is no longer open for acceptance."))
    mandate = _mandate_for(session, assembly, grant, actor)
    grant.state, grant.mandate_id, grant.accepted_at = GrantState.ACCEPTED, mandate.id, now
    session.add(grant)
    session.flush()
    _event(session, grant, "proxy.accepted", actor)
    return mandate


def _end(
    session: Session,
    *,
    assembly: Assembly,
    grant: ProxyGrant,
    state: GrantState,
    reason: str,
    actor: User | None,
    now: datetime,
) -> None:
    if grant.state not in LIVE_STATES:
        raise DomainError(_l("This proxy has ended already."))
    if mandates.mandates_locked(session, assembly_id=assembly.id):
        raise DomainError(
            _l("A poll of this assembly has been opened: proxies can no longer be revoked.")
        )
    if grant.mandate_id is not None:
        mandate = session.get(Mandate, grant.mandate_id)
        assert mandate is not None
        mandates.revoke_mandate(
            session, assembly=assembly, mandate=mandate, reason=reason, actor=actor
        )
    grant.state, grant.mandate_id, grant.reason = state, None, reason.strip()[:500]
    grant.slot = None  # a relative's slot is free again
    grant.closed_at, grant.closed_by_id = now, getattr(actor, "id", None)
    session.add(grant)
    session.flush()


def revoke_grant(
    session: Session, *, assembly: Assembly, grant: ProxyGrant, actor: User, now: datetime
) -> None:
    """The member withdraws the proxy; refused once a poll of the assembly has opened."""
    reason = str(_l("Revoked by the member."))
    _end(
        session,
        assembly=assembly,
        grant=grant,
        state=GrantState.REVOKED,
        reason=reason,
        actor=actor,
        now=now,
    )
    _event(session, grant, "proxy.revoked", actor)


def reject_grant(
    session: Session,
    *,
    assembly: Assembly,
    grant: ProxyGrant,
    reason: str,
    actor: User,
    now: datetime,
) -> None:
    """The secretary rejects a proxy (e.g. the declaration is not the member's), with a reason."""
    if len(reason.strip()) < 3:
        raise DomainError(_l("Give the reason for the rejection."), field="reason")
    _end(
        session,
        assembly=assembly,
        grant=grant,
        state=GrantState.REJECTED,
        reason=reason,
        actor=actor,
        now=now,
    )
    _event(session, grant, "proxy.rejected", actor)


def _standing(session: Session, assembly: Assembly) -> list[ProxyGrant]:
    """The latest grant of each member at the body's earlier assemblies, if standing."""
    rows = session.execute(
        select(ProxyGrant)
        .join(Assembly, Assembly.id == ProxyGrant.assembly_id)
        .where(Assembly.body == assembly.body, Assembly.id != assembly.id)
        .order_by(ProxyGrant.id)
    ).scalars()
    latest = {g.principal_id: g for g in rows}
    return [
        g
        for g in latest.values()
        if g.state == GrantState.ACCEPTED and not g.this_assembly_only and g.holder_id is not None
    ]


def carry_standing(
    session: Session, *, assembly: Assembly, actor: User | None, now: datetime
) -> int:
    """At convening: standing proxies become mandates of the new assembly where the roll and
    the limit allow; the others are recorded as not carried. Returns the number carried."""
    on_roll = {m.id for _e, m in roll_members(session, assembly_id=assembly.id)}
    carried = 0
    for old in _standing(session, assembly):
        if old.principal_id not in on_roll:
            continue
        grant = ProxyGrant(
            assembly_id=assembly.id,
            principal_id=old.principal_id,
            holder_id=old.holder_id,
            declaration=old.declaration,
            this_assembly_only=False,
            granted_at=old.granted_at,
            granted_by_id=old.granted_by_id,
        )
        session.add(grant)
        session.flush()
        try:
            with session.begin_nested():
                accept_proxy(session, assembly=assembly, grant=grant, actor=actor, now=now)  # type: ignore[arg-type]
        except DomainError as exc:
            grant.state, grant.closed_at = GrantState.REJECTED, now
            grant.reason = str(exc.message)[:500]
            session.add(grant)
            session.flush()
            _event(session, grant, "proxy.not_carried", actor)
        else:
            carried += 1
    return carried
