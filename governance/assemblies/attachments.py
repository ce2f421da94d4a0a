"""Documents attached to agenda items: checked and stored by `governance.uploads`."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import or_, select
from sqlmodel import Session

from governance.assemblies import hooks
from governance.assemblies.documents import AgendaAttachment
from governance.assemblies.models_agenda import AgendaItem
from governance.auditlog import record_event
from governance.uploads import store_file, stored_path

SUBDIR = "agenda"


def storage_path(upload_dir: str, stored_name: str) -> Path:
    """Where an attachment's bytes are kept."""
    return stored_path(upload_dir, SUBDIR, stored_name)


def add_attachment(
    session: Session,
    *,
    item: AgendaItem,
    filename: str,
    data: bytes,
    upload_dir: str,
    max_bytes: int,
    actor: object | None,
) -> AgendaAttachment:
    """Check and store an uploaded file for an agenda item."""
    stored = store_file(
        filename=filename, data=data, upload_dir=upload_dir, subdir=SUBDIR, max_bytes=max_bytes
    )
    attachment = AgendaAttachment(
        agenda_item_id=item.id,
        filename=stored.filename,
        stored_name=stored.stored_name,
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
        uploaded_by_id=getattr(actor, "id", None),
    )
    session.add(attachment)
    session.flush()
    record_event(
        session,
        event_type="agenda.attachment_added",
        actor=actor,
        object_type="agenda_attachment",
        object_id=attachment.id,
        assembly_id=item.assembly_id,
        payload={"item": item.id, "filename": attachment.filename, "sha256": attachment.sha256},
    )
    hooks.attachment_added.send(
        attachment, session=session, assembly_id=item.assembly_id, item=item
    )
    return attachment


def delete_attachment(
    session: Session, *, attachment: AgendaAttachment, assembly_id: int, actor: object | None
) -> str:
    """Remove an attachment's row; returns its stored name (the view deletes the file)."""
    record_event(
        session,
        event_type="agenda.attachment_deleted",
        actor=actor,
        object_type="agenda_attachment",
        object_id=attachment.id,
        assembly_id=assembly_id,
        payload={"filename": attachment.filename, "sha256": attachment.sha256},
    )
    session.delete(attachment)
    session.flush()
    return attachment.stored_name


def remove_files(upload_dir: str, stored_names: list[str]) -> None:
    """Delete stored files (after the transaction that dropped their rows committed)."""
    for name in stored_names:
        storage_path(upload_dir, name).unlink(missing_ok=True)


def attachments_by_item(session: Session, *, assembly_id: int) -> dict[int, list[AgendaAttachment]]:
    """The assembly's attachments grouped by agenda item id."""
    rows = session.execute(
        select(AgendaAttachment)
        .join(AgendaItem, AgendaItem.id == AgendaAttachment.agenda_item_id)
        .where(AgendaItem.assembly_id == assembly_id)
        .order_by(AgendaAttachment.id)
    ).scalars()
    grouped: dict[int, list[AgendaAttachment]] = {}
    for att in rows:
        grouped.setdefault(att.agenda_item_id, []).append(att)
    return grouped


def stored_names_of_item(session: Session, *, item_id: int | None) -> list[str]:
    """Stored names of the attachments of an item and of its sub-items."""
    sub_ids = select(AgendaItem.id).where(AgendaItem.parent_id == item_id)
    return list(
        session.execute(
            select(AgendaAttachment.stored_name).where(
                or_(
                    AgendaAttachment.agenda_item_id == item_id,
                    AgendaAttachment.agenda_item_id.in_(sub_ids),
                )
            )
        ).scalars()
    )
