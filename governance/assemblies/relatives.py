"""Proxies to relatives who are not members (§43(5) GenG, where the statute allows it).

The statute names whom besides members a member may authorise (setting PROXY_RELATIVES: the
spouse, the registered partner, parents, children, siblings); the view passes the allowed
relationships in, so with none a relative is refused here, not only in the form. The member
names the relative (name, address, relationship) and declares the proxy in text form; the
relative gets a login of their own (an account linked to no member: no vote of their own,
never on a roll) and a login link by mail, and accepts. The accepted grant is their mandate:
it takes one of their two slots (UNIQUE per assembly, holder and slot, as the mandate's), so
one relative represents at most two members. It holds for one assembly only: the relationship
is checked again for the next one. Revocation and the secretary's rejection are the
member grant's (proxies.revoke_grant, reject_grant). The database keeps the holder a
non-member and the member's proxy single (assemblies/ddl.py `proxy_relative`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from governance.accounts.models import User
from governance.accounts.services import create_user, normalize_email, user_by_email
from governance.assemblies import mandates
from governance.assemblies.grants import GrantState, ProxyGrant, Relationship
from governance.assemblies.models import Assembly, AssemblyState
from governance.assemblies.proxies import live_grant
from governance.assemblies.roll import roll_entry
from governance.auditlog import record_event
from governance.db import utcnow
from governance.errors import DomainError
from governance.i18n import _l
from governance.mail import queue_mail
from governance.register.models import Member
from governance.register.rules import expelled_on, expelled_refusal

# render(grant, principal, holder's login) -> (subject, body) of the mail with the login link
RelativeNotifier = Callable[[ProxyGrant, Member, User], tuple[str, str]]


def allowed_relationships(setting: Sequence[str]) -> list[Relationship]:
    """The relationships the statute allows (setting PROXY_RELATIVES, lower-case names)."""
    names = {n.strip().upper() for n in setting}
    return [r for r in Relationship if r.value in names]


def _event(session: Session, grant: ProxyGrant, event_type: str, actor: object | None) -> None:
    principal = session.get(Member, grant.principal_id)
    record_event(
        session,
        event_type=event_type,
        actor=actor,
        object_type="proxy_grant",
        object_id=grant.id,
        assembly_id=grant.assembly_id,
        payload={
            "principal": getattr(principal, "number", None),
            "relative": grant.holder_name,
            "relationship": grant.relationship.value if grant.relationship else None,
            "this_assembly_only": grant.this_assembly_only,
            "slot": grant.slot,
        },
    )


def _check_principal(session: Session, assembly: Assembly, principal: Member) -> None:
    if assembly.state not in (AssemblyState.CONVENED, AssemblyState.IN_SESSION):
        raise DomainError(
            _l("Proxies are registered while the assembly is convened or in session.")
        )
    if roll_entry(session, assembly_id=assembly.id, member_id=principal.id) is None:
        raise DomainError(
            _l("%(number)s is not on the voter roll of this assembly.", number=principal.number)
        )
    if expelled_on(principal.expulsion_letter_date, utcnow().date()):
        raise expelled_refusal(principal.display_name, principal.expulsion_letter_date)  # type: ignore[arg-type]
    given = mandates.mandate_of(session, assembly_id=assembly.id, principal_id=principal.id)
    if given is not None or live_grant(session, assembly_id=assembly.id, principal_id=principal.id):
        raise DomainError(_l("You have given a proxy for this assembly already."))


def _holder_login(session: Session, *, email: str, name: str, actor: User | None) -> User:
    """The relative's login: an existing one without a member, or a new one without roles."""
    user = user_by_email(session, email)
    if user is None:
        return create_user(session, email=email, roles=(), display_name=name, actor=actor)
    if user.member_id is not None:
        raise DomainError(
            _l("This address belongs to a member: name them by their member number instead."),
            field="email",
        )
    return user


def grant_to_relative(
    session: Session,
    *,
    assembly: Assembly,
    principal: Member,
    name: str,
    email: str,
    relationship: Relationship,
    allowed: Sequence[Relationship],
    declaration: str,
    actor: User | None,
    notify: RelativeNotifier,
) -> ProxyGrant:
    """The member authorises a relative who is not a member; they get a login link by mail."""
    if relationship not in allowed:
        raise DomainError(
            _l("The statute allows proxies to members only, or to the relatives it names."),
            field="relationship",
        )
    _check_principal(session, assembly, principal)
    name, email = name.strip(), normalize_email(email)
    if not name or "@" not in email:
        raise DomainError(_l("Give the name and the email address of the holder."), field="name")
    if not declaration.strip():
        raise DomainError(_l("Confirm the declaration of the proxy."), field="confirm")
    holder = _holder_login(session, email=email, name=name, actor=actor)
    grant = ProxyGrant(
        assembly_id=assembly.id,
        principal_id=principal.id,
        holder_user_id=holder.id,
        holder_name=name[:200],
        holder_email=email,
        relationship=relationship,
        declaration=declaration.strip(),
        this_assembly_only=True,  # never carried to the next assembly (proxies._standing)
        granted_by_id=getattr(actor, "id", None),
    )
    try:
        with session.begin_nested():
            session.add(grant)
    except IntegrityError:  # a concurrent grant of the same member
        raise DomainError(_l("You have given a proxy for this assembly already.")) from None
    _event(session, grant, "proxy.granted_to_relative", actor)
    subject, body = notify(grant, principal, holder)
    queue_mail(session, to=email, subject=subject, body_text=body, category="proxy", sensitive=True)
    return grant


def _free_slot(session: Session, assembly_id: int, holder_user_id: int) -> int:
    taken = set(
        session.execute(
            select(ProxyGrant.slot).where(
                ProxyGrant.assembly_id == assembly_id,
                ProxyGrant.holder_user_id == holder_user_id,
                ProxyGrant.slot.is_not(None),
            )
        ).scalars()
    )
    free = [s for s in range(1, mandates.MAX_PRINCIPALS + 1) if s not in taken]
    if not free:
        raise DomainError(
            _l(
                "You represent two members already. One proxy may represent at most two "
                "members (§43(5) GenG); a third proxy is not possible."
            )
        )
    return free[0]


def accept_relative(
    session: Session, *, assembly: Assembly, grant: ProxyGrant, actor: User, now: datetime
) -> ProxyGrant:
    """The relative accepts: the grant takes a slot and from now on is the member's proxy."""
    if grant.holder_user_id != actor.id:
        raise DomainError(_l("This proxy is not given to you."))
    if grant.state != GrantState.GRANTED:
        raise DomainError(_l("This proxy is no longer open for acceptance."))
    if assembly.state not in (AssemblyState.CONVENED, AssemblyState.IN_SESSION):
        raise DomainError(
            _l("Proxies are registered while the assembly is convened or in session.")
        )
    if mandates.mandate_of(session, assembly_id=assembly.id, principal_id=grant.principal_id):
        raise DomainError(_l("The member has given a proxy for this assembly already."))
    grant.slot = _free_slot(session, assembly.id, actor.id)  # type: ignore[arg-type]
    grant.state, grant.accepted_at = GrantState.ACCEPTED, now
    try:
        with session.begin_nested():
            session.add(grant)
    except IntegrityError:  # a concurrent acceptance took the slot
        session.refresh(grant)
        raise DomainError(
            _l("You represent two members already. A third proxy is not possible.")
        ) from None
    _event(session, grant, "proxy.accepted", actor)
    return grant
