"""Assemblies: creating, editing, opening and closing; the functions other domains call.

Public API for the ballots and minutes domains (keyword-only, flush-never-commit):
`roll_entry`, `roll_hash`, `present_channel`, `represented_members`, `mandates_locked`,
`resolution_possible`, `assert_resolution_possible`, `agenda`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import exists, or_, select
from sqlmodel import Session

from governance.accounts.models import User, UserRole
from governance.assemblies import body_meetings, closed, hooks
from governance.assemblies.agenda import agenda, assert_resolution_possible, resolution_possible
from governance.assemblies.attendance import presence, present_channel
from governance.assemblies.mandates import mandates_locked, represented_members
from governance.assemblies.models import (
    STAFF_ROLES,
    Assembly,
    AssemblyForm,
    AssemblyKind,
    AssemblyState,
    Body,
    Channel,
    RollEntry,
)
from governance.assemblies.models_agenda import AgendaItem
from governance.assemblies.roll import roll_entry, roll_entry_as_proxy, roll_hash
from governance.auditlog import record_event
from governance.bodies.models import BodyKind
from governance.bodies.queries import seated_users
from governance.errors import DomainError
from governance.i18n import _l, name_key, today

__all__ = [
    "AssemblyData",
    "agenda",
    "assert_resolution_possible",
    "close_session",
    "create_assembly",
    "declare_all_present",
    "delete_assembly",
    "mandates_locked",
    "open_session",
    "present_channel",
    "represented_members",
    "resolution_possible",
    "roll_entry",
    "roll_hash",
    "set_current_item",
    "update_assembly",
]

OPEN_EARLY = timedelta(hours=2)  # the chair may open at most this long before the start
# Fixed once the members have been invited: they were told these (§46(1)).
LOCKED_AFTER_CONVENING = (
    "body", "kind", "form", "starts_at", "voting_starts_at", "voting_ends_at", "place",
    "record_date",
)  # fmt: skip


@dataclass
class AssemblyData:
    """What the board enters for an assembly."""

    title: str
    starts_at: datetime
    body: Body = Body.GENERAL_ASSEMBLY
    kind: AssemblyKind = AssemblyKind.ORDINARY
    form: AssemblyForm = AssemblyForm.IN_PERSON
    place: str = ""
    remote_access: str = ""
    record_date: date | None = None
    voting_starts_at: datetime | None = None
    voting_ends_at: datetime | None = None
    chair_user_id: int | None = None
    secretary_user_id: int | None = None
    proposal_deadline: datetime | None = None
    # The body whose meeting this is (bodies.models.Body); None: the one of its kind.
    body_id: int | None = None


def _validate(data: AssemblyData) -> None:
    if not data.title.strip():
        raise DomainError(_l("Give the assembly a title."), field="title")
    if data.form == AssemblyForm.STRETCHED:
        if data.voting_starts_at is None or data.voting_ends_at is None:
            raise DomainError(
                _l("A stretched assembly needs the start and end of its voting phase."),
                field="voting_starts_at",
            )
        if data.voting_ends_at <= data.voting_starts_at:
            raise DomainError(
                _l("The voting phase must end after it starts."), field="voting_ends_at"
            )
        if data.voting_starts_at < data.starts_at:
            raise DomainError(
                _l("The voting phase starts after the discussion phase."),
                field="voting_starts_at",
            )
    else:
        data.voting_starts_at = data.voting_ends_at = None
    if data.proposal_deadline is not None and data.proposal_deadline >= data.starts_at:
        raise DomainError(
            _l("The deadline for proposals lies before the assembly."), field="proposal_deadline"
        )


def create_assembly(
    session: Session, *, data: AssemblyData, actor: User | None, now: datetime
) -> Assembly:
    """Create a draft assembly."""
    _validate(data)
    if data.starts_at <= now:
        raise DomainError(_l("The assembly must start in the future."), field="starts_at")
    data.body_id = body_meetings.resolve_body(session, body=data.body, body_id=data.body_id)
    assembly = Assembly(**asdict(data))
    assembly.title = data.title.strip()
    session.add(assembly)
    session.flush()
    record_event(
        session,
        event_type="assembly.created",
        actor=actor,
        object_type="assembly",
        object_id=assembly.id,
        assembly_id=assembly.id,
        payload=_payload(data),
    )
    return assembly


def _same(old: Any, new: Any) -> bool:
    """Equal; times to the minute (forms carry minutes, stored times may carry seconds)."""
    if isinstance(old, datetime) and isinstance(new, datetime):
        return old.replace(second=0, microsecond=0) == new.replace(second=0, microsecond=0)
    return bool(old == new)


def _payload(data: AssemblyData) -> dict[str, Any]:
    return {k: v for k, v in asdict(data).items() if v is not None}


def update_assembly(
    session: Session, *, assembly: Assembly, data: AssemblyData, actor: User | None
) -> Assembly:
    """Change an assembly; after convening the announced facts stay as they were."""
    if assembly.state not in (AssemblyState.DRAFT, AssemblyState.CONVENED):
        raise DomainError(_l("An assembly can only be changed before it opens."))
    _validate(data)
    if assembly.body_id is None and data.body != Body.GENERAL_ASSEMBLY:
        raise DomainError(
            _l("Create the meeting of a body on that body's page (bodies and seats)."),
            field="body",
        )
    data.body_id = assembly.body_id  # a meeting stays its body's (and its kind)
    if assembly.body_id is not None:
        data.body = assembly.body
    changes = {k: v for k, v in asdict(data).items() if not _same(getattr(assembly, k), v)}
    if assembly.state != AssemblyState.DRAFT:
        locked = sorted(set(changes) & set(LOCKED_AFTER_CONVENING))
        if locked:
            raise DomainError(
                _l(
                    "The members have been invited: date, form, place and record date can no "
                    "longer change (%(fields)s). Convene a new assembly instead.",
                    fields=", ".join(locked),
                )
            )
    for key, value in changes.items():
        setattr(assembly, key, value)
    session.add(assembly)
    session.flush()
    if changes:
        record_event(
            session,
            event_type="assembly.changed",
            actor=actor,
            object_type="assembly",
            object_id=assembly.id,
            assembly_id=assembly.id,
            payload={k: v for k, v in changes.items() if v is not None},
        )
    return assembly


def delete_assembly(session: Session, *, assembly: Assembly, actor: User | None) -> list[str]:
    """Delete a draft assembly with its agenda; returns the stored names of its attachments.

    The view removes those files after the commit. A trigger refuses the delete of any
    assembly that is not a draft (governance/assemblies/models.py).
    """
    from governance.assemblies.attachments import attachments_by_item

    if assembly.state != AssemblyState.DRAFT:
        raise DomainError(
            _l("The assembly has been convened: only a draft assembly can be deleted.")
        )
    facts: dict[str, Any] = {}
    for _receiver, answer in hooks.assembly_deleting.send(assembly, session=session):
        facts.update(answer or {})
    files = attachments_by_item(session, assembly_id=assembly.id or 0)
    assembly_event(
        session,
        assembly,
        "assembly.deleted",
        actor,
        title=assembly.title,
        starts_at=assembly.starts_at,
        items=len(agenda(session, assembly_id=assembly.id or 0)),
        **facts,
    )
    session.delete(assembly)
    session.flush()
    return [a.stored_name for rows in files.values() for a in rows]


def assembly_event(
    session: Session, assembly: Assembly, event_type: str, actor: Any, **payload: Any
) -> None:
    """Record an event about `assembly` in the audit chain."""
    record_event(
        session,
        event_type=event_type,
        actor=actor,
        object_type="assembly",
        object_id=assembly.id,
        assembly_id=assembly.id,
        payload=payload,
    )


def open_session(
    session: Session,
    *,
    assembly: Assembly,
    actor: User | None,
    now: datetime,
    chair_user_id: int | None = None,
) -> Assembly:
    """The chair opens the assembly (convened → in session); a chair is required (the
    minutes name and are signed by the chair, §47 GenG): `chair_user_id` appoints one."""
    if assembly.state == AssemblyState.CONVENED:  # else the transition below refuses
        if now < assembly.starts_at - OPEN_EARLY:
            raise DomainError(
                _l("The assembly was convened for a later time; it cannot be opened yet.")
            )
        _appoint_chair(session, assembly, chair_user_id)
    assembly.transition(AssemblyState.IN_SESSION)
    assembly.opened_at = now
    session.add(assembly)
    session.flush()
    assembly_event(
        session,
        assembly,
        "assembly.opened",
        actor,
        opened_at=now,
        chair_user_id=assembly.chair_user_id,
    )
    hooks.assembly_opened.send(assembly, session=session, now=now)
    return assembly


def _appoint_chair(session: Session, assembly: Assembly, chair_user_id: int | None) -> None:
    """Appoint the chair chosen at the opening; without one an assembly cannot be opened."""
    if chair_user_id is not None:
        chair = session.get(User, chair_user_id)
        if chair is None or not chair.active:
            raise DomainError(_l("Choose an active user as the chair."), field="chair_user_id")
        assembly.chair_user_id = chair_user_id
    if assembly.chair_user_id is None:
        raise DomainError(
            _l("An assembly needs a chair before it can be opened."), field="chair_user_id"
        )


def close_session(
    session: Session, *, assembly: Assembly, actor: User | None, now: datetime
) -> Assembly:
    """The chair closes the assembly (in session → closed); no poll may still be open."""
    if assembly.state == AssemblyState.IN_SESSION and hooks.open_poll(
        session, assembly_id=assembly.id
    ):
        raise DomainError(_l("A poll is still open: close it before closing the assembly."))
    assembly.transition(AssemblyState.CLOSED)
    assembly.closed_at = now
    assembly.current_item_id = None
    session.add(assembly)
    session.flush()
    assembly_event(session, assembly, "assembly.closed", actor, closed_at=now)
    return assembly


def declare_all_present(
    session: Session, *, assembly: Assembly, actor: User | None, now: datetime
) -> Assembly:
    """The chair records that all members are present (§46(2): late items become resolvable)."""
    if assembly.state != AssemblyState.IN_SESSION:
        raise DomainError(_l("Presence is declared while the assembly is in session."))
    rows = presence(session, assembly_id=assembly.id, now=now)
    here = sum(1 for p in rows if p.channel is not None)
    if here < len(rows) or not rows:
        raise DomainError(
            _l(
                "Only %(here)d of the %(total)d members on the voter roll are present (in the "
                "room, online or by proxy). Items announced late can only be resolved when all "
                "members are present.",
                here=here,
                total=len(rows),
            )
        )
    assembly.all_present_declared_at = now
    session.add(assembly)
    session.flush()
    assembly_event(session, assembly, "assembly.all_present_declared", actor, members=len(rows))
    return assembly


def set_current_item(
    session: Session, *, assembly: Assembly, item_id: int | None, actor: User | None
) -> Assembly:
    """The chair calls an agenda item (shown on the live page)."""
    if assembly.state != AssemblyState.IN_SESSION:
        raise DomainError(_l("Agenda items are called while the assembly is in session."))
    if item_id is not None:
        item = session.get(AgendaItem, item_id)
        if item is None or item.assembly_id != assembly.id:
            raise DomainError(_l("Choose an item of this agenda."), field="item_id")
    assembly.current_item_id = item_id
    session.add(assembly)
    session.flush()
    assembly_event(session, assembly, "assembly.item_called", actor, item_id=item_id)
    return assembly


# --- reading ----------------------------------------------------------------------------------


def is_staff_user(user: Any) -> bool:
    """Board, supervisory board or secretary."""
    return bool(user.is_authenticated and user.has_any_role(*STAFF_ROLES))


def on_roll(session: Session, *, assembly: Assembly, user: Any) -> bool:
    """Whether the user's member is on the assembly's voter roll."""
    member_id = getattr(user, "member_id", None)
    if member_id is None or not assembly.roll_frozen:
        return False
    return roll_entry(session, assembly_id=assembly.id, member_id=member_id) is not None


def can_see_documents(session: Session, *, assembly: Assembly, user: Any) -> bool:
    """Attachments: eligible members (on the roll), staff and a body's guests only."""
    if assembly.is_staff(user) or on_roll(session, assembly=assembly, user=user):
        return True
    return assembly.of_body and closed.is_guest(assembly, user)


def assemblies_for(session: Session, *, user: Any) -> tuple[list[Assembly], list[Assembly]]:
    """(upcoming, past) assemblies the user may see; upcoming soonest first."""
    rows = session.execute(select(Assembly).order_by(Assembly.starts_at)).scalars().all()
    visible = [a for a in rows if a.can_see(user)]
    done = (AssemblyState.CLOSED, AssemblyState.MINUTES_PUBLISHED)
    upcoming = [a for a in visible if a.state not in done]
    past = sorted((a for a in visible if a.state in done), key=lambda a: a.starts_at, reverse=True)
    return upcoming, past


def staff_users(session: Session) -> list[User]:
    """Active users who may chair or keep the minutes: seated on the board or the supervisory
    board today, or holding the secretary's role."""
    stored = exists().where(UserRole.user_id == User.id, UserRole.role.in_(STAFF_ROLES))
    seated = seated_users([BodyKind.BOARD, BodyKind.SUPERVISORY_BOARD], today())
    users = session.execute(
        select(User).where(User.active.is_(True), or_(stored, seated))
    ).scalars()
    return sorted(users, key=lambda u: (name_key(u.display_name), u.email))  # DIN 5007-1


def effective_proposal_deadline(assembly: Assembly, *, default_days: int) -> datetime:
    """The deadline for members' proposals: set on the assembly, or `default_days` before it."""
    return assembly.proposal_deadline or assembly.starts_at - timedelta(days=default_days)


def my_roll_entry(session: Session, *, assembly: Assembly, user: Any) -> RollEntry | None:
    """The user's own roll entry, if their member is on the roll."""
    member_id = getattr(user, "member_id", None)
    if member_id is None:
        return None
    return roll_entry(session, assembly_id=assembly.id, member_id=member_id)


def my_roll_entry_as_proxy(
    session: Session, *, assembly: Assembly, user: Any
) -> tuple[RollEntry | None, bool]:
    """The user's own roll entry (as my_roll_entry) and whether their member holds a proxy for
    the assembly, in one statement (the live page)."""
    member_id = getattr(user, "member_id", None)
    if member_id is None:
        return None, False
    return roll_entry_as_proxy(session, assembly_id=assembly.id, member_id=member_id)


def my_channel(session: Session, *, assembly: Assembly, user: Any, now: datetime) -> Channel | None:
    """The user's member's own presence channel right now."""
    member_id = getattr(user, "member_id", None)
    if member_id is None:
        return None
    return present_channel(session, assembly_id=assembly.id, member_id=member_id, now=now)
