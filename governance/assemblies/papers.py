"""Papers of agenda items that live in a body's room: linked, never copied.

Who links: whoever edits the agenda, and only papers of rooms in which they hold a current
seat (they read the paper there). Who reads: whoever may see the assembly's documents
(`services.can_see_documents`: staff and members on the roll; the guests of a body's
meeting once the meetings add them to that gate) — the room's own gate is not asked, so a
guest gets the meeting's papers and nothing else of the room. Every download through a link
is recorded in the audit chain like a download in the room.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlmodel import Session

from governance.assemblies.models_agenda import AgendaItem
from governance.assemblies.models_papers import AgendaPaper
from governance.auditlog import record_event
from governance.bodies import rooms
from governance.bodies.models import Body
from governance.bodies.models_rooms import RoomFile, RoomFileVersion
from governance.bodies.queries import user_seats
from governance.errors import DomainError
from governance.i18n import _l


@dataclass(frozen=True)
class Linked:
    """A linked paper with the version it stands for now."""

    link: AgendaPaper
    file: RoomFile
    version: RoomFileVersion


def linkable(
    session: Session, *, user: Any, day: date, tz: ZoneInfo
) -> list[tuple[Body, rooms.Paper]]:
    """The papers of every room in which the user holds a seat on `day`."""
    out = []
    for seat in user_seats(session, user=user, day=day):
        body = session.get(Body, seat.body_id)
        access = rooms.RoomAccess(writes=True, tz=tz)
        out += [(body, p) for p in rooms.papers(session, body=body, access=access, everywhere=True)]
    return out  # type: ignore[return-value]


def link_paper(
    session: Session,
    *,
    item: AgendaItem,
    choice: str,
    user: Any,
    day: date,
    tz: ZoneInfo,
) -> AgendaPaper:
    """Link the chosen room paper ("<file>:<version>", version 0: the current one)."""
    offered = {
        f"{p.file.id}:{v}": p
        for _b, p in linkable(session, user=user, day=day, tz=tz)
        for v in [0, *(x.id for x in p.versions)]
    }
    paper = offered.get(choice)
    if paper is None:
        raise DomainError(_l("Choose a paper from a room you sit in."), field="paper")
    exists = select(AgendaPaper.id).where(
        AgendaPaper.agenda_item_id == item.id, AgendaPaper.room_file_id == paper.file.id
    )
    if session.execute(exists).first() is not None:
        raise DomainError(_l("This paper is linked to the item already."), field="paper")
    version_id = int(choice.split(":")[1]) or None
    link = AgendaPaper(
        agenda_item_id=item.id,
        room_file_id=paper.file.id,
        version_id=version_id,
        linked_by_id=getattr(user, "id", None),
    )
    session.add(link)
    session.flush()
    record_event(
        session,
        event_type="agenda.paper_linked",
        actor=user,
        object_type="agenda_item",
        object_id=item.id,
        assembly_id=item.assembly_id,
        payload={"file": paper.file.id, "version": version_id, "title": paper.file.title},
    )
    return link


def _resolve(session: Session, link: AgendaPaper) -> Linked:
    file = session.get(RoomFile, link.room_file_id)
    query = select(RoomFileVersion).where(RoomFileVersion.file_id == link.room_file_id)
    if link.version_id is not None:
        query = query.where(RoomFileVersion.id == link.version_id)
    version = session.execute(query.order_by(RoomFileVersion.number.desc())).scalars().first()  # type: ignore[attr-defined]
    return Linked(link=link, file=file, version=version)  # type: ignore[arg-type]


def papers_by_item(session: Session, *, assembly_id: int) -> dict[int, list[Linked]]:
    """The assembly's linked papers grouped by agenda item id."""
    rows = session.execute(
        select(AgendaPaper)
        .join(AgendaItem, AgendaItem.id == AgendaPaper.agenda_item_id)
        .where(AgendaItem.assembly_id == assembly_id)
        .order_by(AgendaPaper.id)
    ).scalars()
    grouped: dict[int, list[Linked]] = {}
    for link in rows:
        grouped.setdefault(link.agenda_item_id, []).append(_resolve(session, link))
    return grouped


def linked_paper(session: Session, *, assembly_id: int, link_id: int) -> Linked | None:
    """A linked paper of the assembly, or None."""
    link = session.get(AgendaPaper, link_id)
    item = session.get(AgendaItem, link.agenda_item_id) if link else None
    if link is None or item is None or item.assembly_id != assembly_id:
        return None
    return _resolve(session, link)
