"""Documents attached to agenda items: type- and size-checked, stored under UPLOAD_DIR."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path, PurePath

from sqlalchemy import or_, select
from sqlmodel import Session

from governance.assemblies import hooks
from governance.assemblies.documents import AgendaAttachment
from governance.assemblies.models import AgendaItem
from governance.auditlog import record_event
from governance.errors import DomainError
from governance.i18n import _l

SUBDIR = "agenda"


@dataclass(frozen=True)
class FileType:
    content_type: str
    magic: tuple[bytes, ...]  # accepted leading bytes; empty: text (UTF-8, no NUL)


FILE_TYPES: dict[str, FileType] = {
    "pdf": FileType("application/pdf", (b"%PDF-",)),
    "png": FileType("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": FileType("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": FileType("image/jpeg", (b"\xff\xd8\xff",)),
    "txt": FileType("text/plain; charset=utf-8", ()),
    "csv": FileType("text/csv; charset=utf-8", ()),
    "odt": FileType("application/vnd.oasis.opendocument.text", (b"PK\x03\x04",)),
    "ods": FileType("application/vnd.oasis.opendocument.spreadsheet", (b"PK\x03\x04",)),
    "docx": FileType(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
    ),
    "xlsx": FileType(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)
    ),
}
ALLOWED_EXTENSIONS = tuple(sorted(FILE_TYPES))


def _clean_filename(filename: str) -> str:
    name = PurePath(filename.replace("\\", "/")).name.strip().replace("\x00", "")
    return name[:200] or "document"


def check_file(filename: str, data: bytes, *, max_bytes: int) -> FileType:
    """The file's type, or a DomainError when the type or size is not allowed."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    ftype = FILE_TYPES.get(ext)
    if ftype is None:
        raise DomainError(
            _l("Allowed file types: %(types)s.", types=", ".join(ALLOWED_EXTENSIONS)),
            field="file",
        )
    if not data:
        raise DomainError(_l("The file is empty."), field="file")
    if len(data) > max_bytes:
        megabytes = "%g" % (max_bytes / 1_048_576)
        raise DomainError(_l("The file is larger than %(mb)s MB.", mb=megabytes), field="file")
    if ftype.magic and not data.startswith(ftype.magic):
        raise DomainError(_l("The file's content does not match its type."), field="file")
    if not ftype.magic:
        try:
            if "\x00" in data.decode("utf-8"):
                raise ValueError
        except ValueError:
            raise DomainError(
                _l("The file's content does not match its type."), field="file"
            ) from None
    return ftype


def storage_path(upload_dir: str, stored_name: str) -> Path:
    """Where an attachment's bytes are kept."""
    return Path(upload_dir) / SUBDIR / stored_name


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
    ftype = check_file(filename, data, max_bytes=max_bytes)
    stored = secrets.token_hex(16)
    path = storage_path(upload_dir, stored)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    attachment = AgendaAttachment(
        agenda_item_id=item.id,
        filename=_clean_filename(filename),
        stored_name=stored,
        content_type=ftype.content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
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
