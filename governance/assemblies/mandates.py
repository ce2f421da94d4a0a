"""Proxies (Vollmachten, §43(5) GenG): one proxy represents at most two members.

The limit is a database rule (UNIQUE(assembly, proxy, slot) with slot 1 or 2); the service
checks first to give a clear message and turns a lost race into the same message.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from governance.assemblies.grants import GrantState, ProxyGrant
from governance.assemblies.hooks import has_opened_poll
from governance.assemblies.models import Assembly, AssemblyState
from governance.assemblies.models_mandates import Mandate
from governance.assemblies.roll import roll_entry
from governance.auditlog import record_event
from governance.db import utcnow
from governance.errors import DomainError
from governance.i18n import _l
from governance.register.models import Member
from governance.register.rules import expelled_on, expelled_refusal

MAX_PRINCIPALS = 2  # §43(5) GenG; the schema's slot CHECK enforces the same number


def mandates_locked(session: Session, *, assembly_id: int) -> bool:
    """Mandates can no longer be revoked: a poll of the assembly has been opened."""
    return has_opened_poll(session, assembly_id=assembly_id)


def represented_members(
    session: Session, *, assembly_id: int, proxy_member_id: int
) -> list[Member]:
    """The members the proxy represents at the assembly (at most two), by slot."""
    return list(
        session.execute(
            select(Member)
            .join(Mandate, Mandate.principal_id == Member.id)
            .where(Mandate.assembly_id == assembly_id, Mandate.proxy_id == proxy_member_id)
            .order_by(Mandate.slot)
        ).scalars()
    )


def mandate_of(session: Session, *, assembly_id: int, principal_id: int) -> Mandate | None:
    """The mandate a member gave for the assembly, if any."""
    return session.execute(
        select(Mandate).where(
            Mandate.assembly_id == assembly_id, Mandate.principal_id == principal_id
        )
    ).scalar_one_or_none()


def mandates(session: Session, *, assembly_id: int) -> list[tuple[Mandate, Member, Member]]:
    """All mandates of the assembly as (mandate, principal, proxy), ordered by proxy."""
    rows = list(
        session.execute(select(Mandate).where(Mandate.assembly_id == assembly_id)).scalars()
    )
    ids = {m.principal_id for m in rows} | {m.proxy_id for m in rows}
    members = {m.id: m for m in session.execute(select(Member).where(Member.id.in_(ids))).scalars()}
    result = [(m, members[m.principal_id], members[m.proxy_id]) for m in rows]
    return sorted(result, key=lambda t: (t[2].number, t[0].slot))


def _limit_message(proxy: Member) -> DomainError:
    return DomainError(
        _l(
            "%(name)s (%(number)s) already represents two members. One proxy may represent at "
            "most two members (§43(5) GenG); a third proxy is not possible.",
            name=proxy.display_name,
            number=proxy.number,
        ),
        field="proxy",
    )


def check_new_mandate(
    session: Session, assembly: Assembly, principal: Member, proxy: Member
) -> None:
    if assembly.of_body:  # a seat is personal: nobody is represented at a body's meeting
        raise DomainError(_l("Nobody is represented by proxy at a meeting of a body."))
    if assembly.state not in (AssemblyState.CONVENED, AssemblyState.IN_SESSION):
        raise DomainError(
            _l("Proxies are registered while the assembly is convened or in session.")
        )
    if principal.id == proxy.id:
        raise DomainError(_l("A member cannot be their own proxy."), field="proxy")
    for member, field in ((principal, "principal"), (proxy, "proxy")):
        if roll_entry(session, assembly_id=assembly.id, member_id=member.id) is None:
            raise DomainError(
                _l("%(number)s is not on the voter roll of this assembly.", number=member.number),
                field=field,
            )
        if expelled_on(member.expulsion_letter_date, utcnow().date()):
            refusal = expelled_refusal(member.display_name, member.expulsion_letter_date)
            raise DomainError(refusal.message, field=field)
    if mandate_of(session, assembly_id=assembly.id, principal_id=principal.id) is not None or (
        _relative_holds(session, assembly.id, principal.id)
    ):
        raise DomainError(
            _l(
                "%(name)s has given a proxy for this assembly already.", name=principal.display_name
            ),
            field="principal",
        )


def _relative_holds(session: Session, assembly_id: int, principal_id: int) -> bool:
    """A relative who is not a member holds the member's proxy (relatives.py)."""
    return (
        session.execute(
            select(ProxyGrant.id).where(
                ProxyGrant.assembly_id == assembly_id,
                ProxyGrant.principal_id == principal_id,
                ProxyGrant.slot.is_not(None),
            )
        ).first()
        is not None
    )


def free_slot(session: Session, assembly_id: int, proxy: Member) -> int:
    taken = set(
        session.execute(
            select(Mandate.slot).where(
                Mandate.assembly_id == assembly_id, Mandate.proxy_id == proxy.id
            )
        ).scalars()
    )
    free = [s for s in range(1, MAX_PRINCIPALS + 1) if s not in taken]
    if not free:
        raise _limit_message(proxy)
    return free[0]


def register_mandate(
    session: Session,
    *,
    assembly: Assembly,
    principal: Member,
    proxy: Member,
    evidence: str,
    actor: object | None,
) -> Mandate:
    """Register a proxy with a note on the text-form evidence; a third one is refused."""
    check_new_mandate(session, assembly, principal, proxy)
    if not evidence.strip():
        raise DomainError(_l("Note the evidence of the proxy in text form."), field="evidence")
    mandate = Mandate(
        assembly_id=assembly.id,
        principal_id=principal.id,
        proxy_id=proxy.id,
        slot=free_slot(session, assembly.id, proxy),
        evidence=evidence.strip(),
        registered_by_id=getattr(actor, "id", None),
    )
    try:
        with session.begin_nested():
            session.add(mandate)
    except IntegrityError:  # a concurrent registration took the slot or the principal
        raise _limit_message(proxy) from None
    record_event(
        session,
        event_type="mandate.registered",
        actor=actor,
        object_type="mandate",
        object_id=mandate.id,
        assembly_id=assembly.id,
        payload={"principal": principal.number, "proxy": proxy.number, "slot": mandate.slot},
    )
    return mandate


def revoke_mandate(
    session: Session, *, assembly: Assembly, mandate: Mandate, reason: str, actor: object | None
) -> None:
    """Revoke a proxy; refused once a poll of the assembly has been opened."""
    if mandates_locked(session, assembly_id=assembly.id):
        raise DomainError(
            _l("A poll of this assembly has been opened: proxies can no longer be revoked.")
        )
    if assembly.state not in (AssemblyState.CONVENED, AssemblyState.IN_SESSION):
        raise DomainError(_l("Proxies can only be revoked before the assembly closes."))
    principal, proxy = (
        session.get(Member, mandate.principal_id),
        session.get(Member, mandate.proxy_id),
    )
    _close_grant(session, mandate, reason=reason, actor=actor)
    record_event(
        session,
        event_type="mandate.revoked",
        actor=actor,
        object_type="mandate",
        object_id=mandate.id,
        assembly_id=assembly.id,
        payload={
            "principal": getattr(principal, "number", None),
            "proxy": getattr(proxy, "number", None),
            "reason": reason.strip(),
        },
    )
    session.delete(mandate)
    session.flush()


def _close_grant(session: Session, mandate: Mandate, *, reason: str, actor: object | None) -> None:
    """The member's own grant behind the mandate ends with it (the FK refuses otherwise)."""
    grant = session.execute(
        select(ProxyGrant).where(ProxyGrant.mandate_id == mandate.id)
    ).scalar_one_or_none()
    if grant is None:
        return
    grant.state, grant.mandate_id = GrantState.REVOKED, None
    grant.closed_at, grant.reason = utcnow(), reason.strip()[:500]
    grant.closed_by_id = getattr(actor, "id", None)
    session.add(grant)
    session.flush()


def mandate_count(session: Session, *, assembly_id: int) -> int:
    """Number of mandates registered for the assembly."""
    return int(
        session.execute(
            select(func.count(Mandate.id)).where(Mandate.assembly_id == assembly_id)
        ).scalar_one()
    )
