"""The list of speakers: asking for the floor, calling the next, ending, withdrawing.

The queue of an item: points of order first, then in the order asked. The member asks for
the item being discussed (the assembly's current item), present in the room or online; the
secretary may put a member in the room on the list. The chair calls the next speaker (the
speaker before is done) with an optional speaking time. The database refuses a second open
request of the same member on an item, a second speaker at a time and any step backwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from governance.accounts.models import User
from governance.assemblies.attendance import present_channel
from governance.assemblies.floor import MAX_SPEAKING_SECONDS, Speaker, SpeakerKind, SpeakerState
from governance.assemblies.models import Assembly, AssemblyState, Channel
from governance.assemblies.roll import roll_entry
from governance.auditlog import record_event
from governance.errors import DomainError
from governance.i18n import _l
from governance.register.models import Member


@dataclass(frozen=True)
class SpeakerRow:
    """A speaker as the pages show them."""

    id: int
    member_id: int
    name: str
    kind: str
    state: str
    started_at: datetime | None
    speaking_time_s: int | None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "speaking_time_s": self.speaking_time_s,
        }


def _event(session: Session, speaker: Speaker, event_type: str, actor: Any, **extra: Any) -> None:
    record_event(
        session,
        event_type=event_type,
        actor=actor,
        object_type="speaker",
        object_id=speaker.id,
        assembly_id=speaker.assembly_id,
        payload={
            "item_id": speaker.agenda_item_id,
            "member_id": speaker.member_id,
            "kind": speaker.kind.value,
            **extra,
        },
    )


def _current_item(assembly: Assembly) -> int:
    if assembly.state != AssemblyState.IN_SESSION:
        raise DomainError(_l("Speakers are listed while the assembly is in session."))
    if assembly.current_item_id is None:
        raise DomainError(_l("No agenda item is being discussed: the chair calls one first."))
    return assembly.current_item_id


def request_to_speak(
    session: Session,
    *,
    assembly: Assembly,
    member_id: int,
    kind: SpeakerKind,
    actor: User | None,
    now: datetime,
    in_room: bool = False,
) -> Speaker:
    """Put a member on the list of the current item; they must be on the roll and present
    (`in_room`: the secretary adds a member in the room, who need not be checked in)."""
    item_id = _current_item(assembly)
    if roll_entry(session, assembly_id=assembly.id, member_id=member_id) is None:
        raise DomainError(_l("Only members on the voter roll may ask to speak."), field="member_id")
    channel = present_channel(session, assembly_id=assembly.id, member_id=member_id, now=now)
    if not in_room and channel not in (Channel.ROOM, Channel.ONLINE):
        raise DomainError(_l("Ask to speak while you are present (in the room or online)."))
    if _open_request(session, item_id=item_id, member_id=member_id) is not None:
        raise DomainError(_l("This member is already on the list of speakers."), field="member_id")
    speaker = Speaker(
        assembly_id=assembly.id,
        agenda_item_id=item_id,
        member_id=member_id,
        kind=kind,
        requested_at=now,
        added_by_id=getattr(actor, "id", None),
    )
    try:
        with session.begin_nested():
            session.add(speaker)
            session.flush()
    except IntegrityError as exc:  # a second tab asked at the same moment
        raise DomainError(_l("This member is already on the list of speakers.")) from exc
    _event(session, speaker, "speaker.requested", actor)
    return speaker


def _open_request(session: Session, *, item_id: int, member_id: int) -> Speaker | None:
    return session.execute(
        select(Speaker).where(
            Speaker.agenda_item_id == item_id,
            Speaker.member_id == member_id,
            Speaker.state.in_((SpeakerState.WAITING, SpeakerState.SPEAKING)),
        )
    ).scalar_one_or_none()


def _queue_order() -> tuple[Any, ...]:
    first = case((Speaker.kind == SpeakerKind.POINT_OF_ORDER, 0), else_=1)
    return (first, Speaker.requested_at, Speaker.id)


def speaking(session: Session, *, assembly_id: int) -> Speaker | None:
    """Who has the floor now."""
    return session.execute(
        select(Speaker).where(
            Speaker.assembly_id == assembly_id, Speaker.state == SpeakerState.SPEAKING
        )
    ).scalar_one_or_none()


def _finish(session: Session, speaker: Speaker, actor: Any, now: datetime) -> None:
    speaker.state = SpeakerState.DONE
    speaker.ended_at = now
    session.add(speaker)
    session.flush()
    _event(session, speaker, "speaker.done", actor)


def call_next(
    session: Session,
    *,
    assembly: Assembly,
    speaking_time_s: int | None,
    actor: User | None,
    now: datetime,
) -> Speaker | None:
    """The chair gives the floor to the first waiting (points of order first); the speaker
    before is done. None when nobody waits."""
    item_id = _current_item(assembly)
    if speaking_time_s is not None and not 1 <= speaking_time_s <= MAX_SPEAKING_SECONDS:
        raise DomainError(_l("Choose a speaking time up to one hour."), field="speaking_time")
    current = speaking(session, assembly_id=assembly.id)
    if current is not None:
        _finish(session, current, actor, now)
    nxt = session.execute(
        select(Speaker)
        .where(Speaker.agenda_item_id == item_id, Speaker.state == SpeakerState.WAITING)
        .order_by(*_queue_order())
        .limit(1)
    ).scalar_one_or_none()
    if nxt is None:
        return None
    nxt.state = SpeakerState.SPEAKING
    nxt.started_at = now
    nxt.speaking_time_s = speaking_time_s
    session.add(nxt)
    session.flush()
    _event(session, nxt, "speaker.called", actor, speaking_time_s=speaking_time_s)
    return nxt


def end_speech(session: Session, *, assembly: Assembly, actor: User | None, now: datetime) -> None:
    """The chair ends the current speech."""
    current = speaking(session, assembly_id=assembly.id)
    if current is None:
        raise DomainError(_l("Nobody has the floor."))
    _finish(session, current, actor, now)


def withdraw(
    session: Session, *, assembly: Assembly, speaker_id: int, member_id: int | None, actor: Any
) -> Speaker:
    """A waiting request is withdrawn: by its member (`member_id`), or by the chair (None)."""
    speaker = session.get(Speaker, speaker_id)
    if speaker is None or speaker.assembly_id != assembly.id:
        raise DomainError(_l("No such request to speak."))
    if member_id is not None and speaker.member_id != member_id:
        raise DomainError(_l("Only your own request can be withdrawn."))
    if speaker.state != SpeakerState.WAITING:
        raise DomainError(_l("Only a waiting request can be withdrawn."))
    speaker.state = SpeakerState.WITHDRAWN
    session.add(speaker)
    session.flush()
    _event(session, speaker, "speaker.withdrawn", actor)
    return speaker


# --- reading ----------------------------------------------------------------------------------


def _rows(session: Session, query: Any) -> list[SpeakerRow]:
    return [
        SpeakerRow(
            id=s.id or 0,
            member_id=s.member_id,
            name=m.display_name,
            kind=s.kind.value,
            state=s.state.value,
            started_at=s.started_at,
            speaking_time_s=s.speaking_time_s,
        )
        for s, m in session.execute(query.join(Member, Member.id == Speaker.member_id)).all()
    ]


def queue(session: Session, *, assembly: Assembly) -> list[SpeakerRow]:
    """Who waits to speak on the current item, in the order they will be called."""
    if assembly.current_item_id is None:
        return []
    query = (
        select(Speaker, Member)
        .where(
            Speaker.agenda_item_id == assembly.current_item_id,
            Speaker.state == SpeakerState.WAITING,
        )
        .order_by(*_queue_order())
    )
    return _rows(session, query)


def floor_state(session: Session, *, assembly: Assembly) -> dict[str, Any]:
    """The current speaker and the queue, JSON-ready (for the live page, cockpit and screen)."""
    rows = _rows(
        session,
        select(Speaker, Member).where(
            Speaker.assembly_id == assembly.id, Speaker.state == SpeakerState.SPEAKING
        ),
    )
    return {
        "current": rows[0].as_json() if rows else None,
        "queue": [r.as_json() for r in queue(session, assembly=assembly)],
    }


def spoken_by_item(session: Session, *, assembly_id: int) -> dict[int, list[str]]:
    """Who spoke on each item, in order (for the minutes: "Wortmeldungen")."""
    query = (
        select(Speaker, Member)
        .join(Member, Member.id == Speaker.member_id)
        .where(
            Speaker.assembly_id == assembly_id,
            Speaker.state.in_((SpeakerState.SPEAKING, SpeakerState.DONE)),
        )
        .order_by(Speaker.started_at, Speaker.id)
    )
    spoken: dict[int, list[str]] = {}
    for speaker, member in session.execute(query).all():
        spoken.setdefault(speaker.agenda_item_id, []).append(member.display_name)
    return spoken


def my_request(session: Session, *, assembly: Assembly, member_id: int) -> Speaker | None:
    """The member's open request on the current item."""
    if assembly.current_item_id is None:
        return None
    return _open_request(session, item_id=assembly.current_item_id, member_id=member_id)


def floor_key(floor: dict[str, Any]) -> str:
    """A short signature of who speaks and who waits (static/js/room.js compares it)."""
    current = floor["current"]["id"] if floor["current"] else ""
    return f"{current}-" + ".".join(str(s["id"]) for s in floor["queue"])
