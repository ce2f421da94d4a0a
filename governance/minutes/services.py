"""Drafting the minutes: start, per-item text, objections (Widerspruch zu Protokoll, §51).

Every change raises the draft's revision, which leaves earlier renderings — and the approvals
given over them — behind. Renderings, approvals and publication: `signing.py`, `rendering.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from governance.assemblies.models import Assembly, AssemblyState, Attendance, RollEntry
from governance.assemblies.models_agenda import AgendaItem
from governance.auditlog import record_event
from governance.ballots.models import Participation, Poll
from governance.db import utcnow
from governance.errors import DomainError
from governance.i18n import _l
from governance.minutes.models import Approval, Minutes, MinutesItem, Objection, RenderJob
from governance.register.models import Member

DRAFTING_STATES = (
    AssemblyState.IN_SESSION,
    AssemblyState.CLOSED,
    AssemblyState.MINUTES_PUBLISHED,
)


@dataclass(frozen=True)
class ObjectionData:
    member_number: str
    statement: str = ""
    poll_id: int | None = None


def minutes_of(session: Session, *, assembly_id: int) -> Minutes | None:
    """The minutes of an assembly, if started."""
    return session.scalar(select(Minutes).where(Minutes.assembly_id == assembly_id))


def start_minutes(session: Session, *, assembly: Assembly, actor: Any) -> Minutes:
    """Begin the minutes of an assembly in session or closed (idempotent)."""
    if assembly.state not in DRAFTING_STATES:
        raise DomainError(_l("Minutes can be written once the assembly is in session."))
    assert assembly.id is not None
    existing = minutes_of(session, assembly_id=assembly.id)
    if existing is not None:
        return existing
    minutes = Minutes(assembly_id=assembly.id, created_by_id=actor.id, updated_by_id=actor.id)
    session.add(minutes)
    session.flush()
    _event(session, minutes, "minutes.started", actor)
    return minutes


def _event(session: Session, minutes: Minutes, event_type: str, actor: Any, **payload: Any) -> None:
    record_event(
        session,
        event_type=event_type,
        actor=actor,
        object_type="minutes",
        object_id=minutes.id,
        assembly_id=minutes.assembly_id,
        payload={"revision": minutes.revision, **payload},
    )


def _changed(session: Session, minutes: Minutes, actor: Any, what: str, **payload: Any) -> None:
    """Record a change of the draft: a new revision; approvals given before no longer count."""
    approvals = session.scalar(
        select(func.count()).where(
            Approval.minutes_id == minutes.id, Approval.revision == minutes.revision
        )
    )
    minutes.revision += 1
    minutes.updated_at = utcnow()
    minutes.updated_by_id = actor.id
    session.add(minutes)
    session.flush()
    _event(session, minutes, f"minutes.{what}", actor, **payload)
    if approvals:
        _event(session, minutes, "minutes.approvals_invalidated", actor, approvals=approvals)


def update_general(
    session: Session, *, minutes: Minutes, preamble: str, closing: str, actor: Any
) -> Minutes:
    """Set the opening and closing remarks."""
    if (minutes.preamble, minutes.closing) == (preamble, closing):
        return minutes
    minutes.preamble, minutes.closing = preamble, closing
    _changed(session, minutes, actor, "general_updated")
    return minutes


def _agenda_item(session: Session, minutes: Minutes, item_id: int) -> AgendaItem:
    item = session.get(AgendaItem, item_id)
    if item is None or item.assembly_id != minutes.assembly_id:
        raise DomainError(_l("This agenda item belongs to another assembly."))
    return item


def item_text(session: Session, *, minutes: Minutes, item_id: int) -> MinutesItem | None:
    """The secretary's text of one agenda item, if written."""
    return session.scalar(
        select(MinutesItem).where(
            MinutesItem.minutes_id == minutes.id, MinutesItem.agenda_item_id == item_id
        )
    )


def update_item(
    session: Session, *, minutes: Minutes, item_id: int, discussion: str, motions: str, actor: Any
) -> MinutesItem:
    """Write the discussion summary and the motions from the floor of one agenda item."""
    _agenda_item(session, minutes, item_id)
    row = item_text(session, minutes=minutes, item_id=item_id)
    if row is None:
        row = MinutesItem(minutes_id=minutes.id or 0, agenda_item_id=item_id)
    elif (row.discussion, row.motions) == (discussion, motions):
        return row
    row.discussion, row.motions, row.updated_at = discussion, motions, utcnow()
    session.add(row)
    session.flush()
    _changed(session, minutes, actor, "item_updated", agenda_item_id=item_id)
    return row


def _took_part(session: Session, assembly_id: int, member_id: int) -> bool:
    """Present (attendance) or voted (participation) at the assembly."""
    attended = session.scalar(
        select(Attendance.id).where(
            Attendance.assembly_id == assembly_id, Attendance.member_id == member_id
        )
    )
    if attended is not None:
        return True
    voted = session.execute(
        select(Participation.poll_id)
        .join(Poll, Poll.id == Participation.poll_id)
        .where(Poll.assembly_id == assembly_id, Participation.member_id == member_id)
        .limit(1)
    ).first()
    return voted is not None


def _objecting_member(session: Session, minutes: Minutes, number: str) -> Member:
    member = session.scalar(select(Member).where(Member.number == number.strip().upper()))
    if member is None:
        raise DomainError(_l("No member has this number."), field="member_number")
    on_roll = session.scalar(
        select(RollEntry.id).where(
            RollEntry.assembly_id == minutes.assembly_id, RollEntry.member_id == member.id
        )
    )
    if on_roll is None or not _took_part(session, minutes.assembly_id, member.id or 0):
        raise DomainError(
            _l("Only a member who took part in the assembly can object for the minutes."),
            field="member_number",
        )
    return member


def add_objection(
    session: Session, *, minutes: Minutes, item_id: int, data: ObjectionData, actor: Any
) -> Objection:
    """Record a member's objection to a resolution of this item (§51 GenG)."""
    _agenda_item(session, minutes, item_id)
    member = _objecting_member(session, minutes, data.member_number)
    if data.poll_id is not None:
        poll = session.get(Poll, data.poll_id)
        if poll is None or poll.agenda_item_id != item_id:
            raise DomainError(_l("Choose a vote of this agenda item."), field="poll_id")
    objection = Objection(
        minutes_id=minutes.id or 0,
        agenda_item_id=item_id,
        poll_id=data.poll_id,
        member_id=member.id or 0,
        statement=data.statement.strip(),
        recorded_by_id=actor.id,
    )
    try:
        with session.begin_nested():
            session.add(objection)
            session.flush()
    except IntegrityError:
        raise DomainError(
            _l("This member's objection to this item is recorded already."), field="member_number"
        ) from None
    _changed(
        session, minutes, actor, "objection_added", agenda_item_id=item_id, member=member.number
    )
    return objection


def remove_objection(
    session: Session, *, minutes: Minutes, objection: Objection, actor: Any
) -> None:
    """Remove an objection recorded by mistake (the audit log keeps that it was there)."""
    if objection.minutes_id != minutes.id:
        raise DomainError(_l("This objection belongs to other minutes."))
    item_id = objection.agenda_item_id
    session.delete(objection)
    session.flush()
    _changed(session, minutes, actor, "objection_removed", agenda_item_id=item_id)


def objections_of(
    session: Session, *, minutes: Minutes, item_id: int
) -> list[tuple[Objection, Member]]:
    """The objections recorded for one agenda item, with the objecting members."""
    rows = session.execute(
        select(Objection, Member)
        .join(Member, Member.id == Objection.member_id)
        .where(Objection.minutes_id == minutes.id, Objection.agenda_item_id == item_id)
        .order_by(Member.number)
    ).all()
    return [(o, m) for o, m in rows]


def latest_render(session: Session, *, minutes: Minutes) -> RenderJob | None:
    """The most recent rendering of the minutes (any status)."""
    return session.scalar(
        select(RenderJob)
        .where(RenderJob.minutes_id == minutes.id)
        .order_by(RenderJob.id.desc())
        .limit(1)
    )
