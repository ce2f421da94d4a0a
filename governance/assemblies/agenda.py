"""The agenda: items numbered TOP 1, 2, … with sub-items (1.1), ordering, §46(2) notice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlmodel import Session

from governance.assemblies.models import Assembly, AssemblyState
from governance.assemblies.models_agenda import AgendaItem, ItemKind
from governance.auditlog import record_event
from governance.errors import DomainError
from governance.i18n import _l

TEMP_POSITION = 100_000  # parks an item while two swap places (positions are unique)


@dataclass(frozen=True)
class NumberedItem:
    """An agenda item with its number ("3" or "3.1") and whether it is a sub-item."""

    item: AgendaItem
    number: str
    depth: int


def agenda(session: Session, *, assembly_id: int) -> list[NumberedItem]:
    """The agenda in order, numbered: top-level items 1, 2, …; sub-items 1.1, 1.2, …"""
    items = session.execute(
        select(AgendaItem)
        .where(AgendaItem.assembly_id == assembly_id)
        .order_by(AgendaItem.position, AgendaItem.id)
    ).scalars()
    top: list[AgendaItem] = []
    children: dict[int, list[AgendaItem]] = {}
    for item in items:
        if item.parent_id is None:
            top.append(item)
        else:
            children.setdefault(item.parent_id, []).append(item)
    result: list[NumberedItem] = []
    for i, item in enumerate(top, start=1):
        result.append(NumberedItem(item, str(i), 0))
        for j, child in enumerate(children.get(item.id or 0, []), start=1):
            result.append(NumberedItem(child, f"{i}.{j}", 1))
    return result


def item_number(session: Session, *, item: AgendaItem) -> str:
    """The item's number on its agenda ("2" or "2.1")."""
    for entry in agenda(session, assembly_id=item.assembly_id):
        if entry.item.id == item.id:
            return entry.number
    return "?"


def is_late(*, starts_at: datetime, announced_at: datetime, notice_days: int) -> bool:
    """Announced less than `notice_days` before the assembly (§46(2) GenG)."""
    return starts_at - announced_at < timedelta(days=notice_days)


def _check_editable(assembly: Assembly) -> None:
    if assembly.state not in (AssemblyState.DRAFT, AssemblyState.CONVENED):
        raise DomainError(_l("The agenda can only be changed before the assembly opens."))


def _next_position(session: Session, *, assembly_id: int, parent_id: int | None) -> int:
    current = session.execute(
        select(func.max(AgendaItem.position)).where(
            AgendaItem.assembly_id == assembly_id,
            AgendaItem.parent_id.is_(None)
            if parent_id is None
            else AgendaItem.parent_id == parent_id,
        )
    ).scalar_one()
    return int(current or 0) + 1


def _check_parent(session: Session, assembly: Assembly, parent_id: int | None) -> None:
    if parent_id is None:
        return
    parent = session.get(AgendaItem, parent_id)
    if parent is None or parent.assembly_id != assembly.id:
        raise DomainError(_l("Choose an item of this agenda."), field="parent_id")
    if parent.parent_id is not None:
        raise DomainError(_l("Sub-items cannot have sub-items."), field="parent_id")


def add_item(
    session: Session,
    *,
    assembly: Assembly,
    title: str,
    description: str = "",
    kind: ItemKind = ItemKind.DISCUSSION,
    parent_id: int | None = None,
    actor: object | None = None,
) -> AgendaItem:
    """Append an item (or sub-item); after convening it waits for a supplement notice."""
    _check_editable(assembly)
    _check_parent(session, assembly, parent_id)
    item = AgendaItem(
        assembly_id=assembly.id,
        parent_id=parent_id,
        position=_next_position(session, assembly_id=assembly.id, parent_id=parent_id),
        title=title.strip(),
        description=description,
        kind=kind,
    )
    session.add(item)
    session.flush()
    record_event(
        session,
        event_type="agenda.item_added",
        actor=actor,
        object_type="agenda_item",
        object_id=item.id,
        assembly_id=assembly.id,
        payload={"title": item.title, "kind": kind, "parent_id": parent_id},
    )
    return item


def update_item(
    session: Session,
    *,
    item: AgendaItem,
    assembly: Assembly,
    title: str,
    description: str,
    kind: ItemKind,
    actor: object | None = None,
) -> AgendaItem:
    """Change an item; announced items keep their wording (members were told it)."""
    _check_editable(assembly)
    if item.announced_at is not None and (title.strip(), description) != (
        item.title,
        item.description,
    ):
        raise DomainError(
            _l("This item was announced to the members; its wording can no longer change.")
        )
    item.title, item.description, item.kind = title.strip(), description, kind
    session.add(item)
    record_event(
        session,
        event_type="agenda.item_changed",
        actor=actor,
        object_type="agenda_item",
        object_id=item.id,
        assembly_id=assembly.id,
        payload={"title": item.title, "kind": kind},
    )
    return item


def _siblings(session: Session, item: AgendaItem) -> list[AgendaItem]:
    parent_cond = (
        AgendaItem.parent_id.is_(None)
        if item.parent_id is None
        else AgendaItem.parent_id == item.parent_id
    )
    return list(
        session.execute(
            select(AgendaItem)
            .where(AgendaItem.assembly_id == item.assembly_id, parent_cond)
            .order_by(AgendaItem.position, AgendaItem.id)
        ).scalars()
    )


def _renumber(session: Session, items: list[AgendaItem]) -> None:
    """Give `items` the positions 1..n in list order (parking them first: positions are unique)."""
    for i, item in enumerate(items, start=1):
        item.position = TEMP_POSITION + i
        session.add(item)
    session.flush()
    for i, item in enumerate(items, start=1):
        item.position = i
    session.flush()


def move_item(
    session: Session, *, item: AgendaItem, assembly: Assembly, up: bool, actor: object | None
) -> None:
    """Move an item one place up or down among its siblings."""
    _check_editable(assembly)
    siblings = _siblings(session, item)
    index = next(i for i, s in enumerate(siblings) if s.id == item.id)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(siblings):
        return
    siblings[index], siblings[other] = siblings[other], siblings[index]
    _renumber(session, siblings)
    record_event(
        session,
        event_type="agenda.item_moved",
        actor=actor,
        object_type="agenda_item",
        object_id=item.id,
        assembly_id=assembly.id,
        payload={"up": up},
    )


def delete_item(
    session: Session, *, item: AgendaItem, assembly: Assembly, actor: object | None
) -> list[str]:
    """Delete an item not yet announced; returns the stored names of its attachments."""
    from governance.assemblies.attachments import stored_names_of_item

    _check_editable(assembly)
    if item.announced_at is not None:
        raise DomainError(_l("This item was announced to the members and cannot be deleted."))
    files = stored_names_of_item(session, item_id=item.id)
    siblings = [s for s in _siblings(session, item) if s.id != item.id]
    record_event(
        session,
        event_type="agenda.item_deleted",
        actor=actor,
        object_type="agenda_item",
        object_id=item.id,
        assembly_id=assembly.id,
        payload={"title": item.title},
    )
    session.delete(item)
    session.flush()
    _renumber(session, siblings)
    return files


def announce_items(
    session: Session, *, assembly: Assembly, now: datetime, notice_days: int
) -> list[AgendaItem]:
    """Mark every unannounced item as announced now; flags items announced late (§46(2))."""
    items = list(
        session.execute(
            select(AgendaItem).where(
                AgendaItem.assembly_id == assembly.id, AgendaItem.announced_at.is_(None)
            )
        ).scalars()
    )
    for item in items:
        item.announced_at = now
        item.announced_late = is_late(
            starts_at=assembly.starts_at, announced_at=now, notice_days=notice_days
        )
        session.add(item)
    session.flush()
    return items


def resolution_possible(session: Session, *, item_id: int) -> bool:
    """Whether the assembly may resolve on the item (§46(2) GenG).

    Not when the item was never announced or was announced less than the agenda notice
    before the assembly, unless the chair recorded that all members are present.
    """
    item = session.get(AgendaItem, item_id)
    if item is None:
        return False
    if item.announced_at is not None and not item.announced_late:
        return True
    assembly = session.get(Assembly, item.assembly_id)
    return bool(assembly and assembly.all_present_declared_at is not None)


def assert_resolution_possible(session: Session, *, item_id: int) -> None:
    """Raise a DomainError saying why no resolution on the item is possible, if so."""
    if resolution_possible(session, item_id=item_id):
        return
    item = session.get(AgendaItem, item_id)
    number = item_number(session, item=item) if item else "?"
    if item is not None and item.announced_at is None:
        raise DomainError(
            _l(
                "TOP %(number)s has not been announced to the members: no resolution is "
                "possible on it (§46(2) GenG) unless all members are present.",
                number=number,
            )
        )
    raise DomainError(
        _l(
            "TOP %(number)s was announced less than the required notice before the assembly: "
            "no resolution is possible on it (§46(2) GenG) unless all members are present.",
            number=number,
        )
    )


def unannounced_count(session: Session, *, assembly_id: int) -> int:
    """Items added after convening that have not been announced yet."""
    return int(
        session.execute(
            select(func.count(AgendaItem.id)).where(
                AgendaItem.assembly_id == assembly_id, AgendaItem.announced_at.is_(None)
            )
        ).scalar_one()
    )
