"""A body's document room: who reads which paper, folders, uploads, new versions, downloads.

Who reads what (the one predicate, `RoomAccess.reads`):
- a current seat of the body (a seat whose term covers today) reads every paper and writes:
  creates folders, uploads papers and new versions;
- a former seat (no seat today, but one or more ended terms) reads, read-only, the versions
  uploaded during one of their own terms: a version is theirs when the cooperative's day of
  its upload lies within a term, both end days included. They see a paper if they may read at
  least one of its versions (and then only those versions), and a folder if it holds such a
  paper (directly or below);
- nobody else reads the room. Guests of a body's meeting get the meeting's papers through the
  links of its agenda items (assemblies/papers.py), behind the meeting's own gate.
Uploads pass `governance.uploads` (type allowlist, magic bytes, size limit); every upload,
folder and download is recorded in the audit chain.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlmodel import Session

from governance.accounts.models import User
from governance.auditlog import record_event
from governance.bodies.models import Body
from governance.bodies.models_rooms import RoomFile, RoomFileVersion, RoomFolder
from governance.bodies.queries import user_seats
from governance.errors import DomainError
from governance.i18n import _l
from governance.uploads import store_file, stored_path

SUBDIR = "rooms"


@dataclass(frozen=True)
class RoomAccess:
    """What one user may do in one body's room (see the module docstring)."""

    writes: bool
    terms: tuple[tuple[date, date], ...] = ()  # ended terms, for reading as a former seat
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))

    def reads(self, version: RoomFileVersion) -> bool:
        """Whether the user may read (download) this version."""
        if self.writes:
            return True
        day = version.uploaded_at.astimezone(self.tz).date()
        return any(start <= day <= end for start, end in self.terms)


def room_access(
    session: Session, *, body: Body, user: Any, day: date, tz: ZoneInfo
) -> RoomAccess | None:
    """The user's access to the body's room on `day`, or None (no seat now or before)."""
    seats = [s for s in user_seats(session, user=user) if s.body_id == body.id]
    if any(s.holds_on(day) for s in seats):
        return RoomAccess(writes=True, tz=tz)
    terms = tuple((s.starts_on, s.ends_on) for s in seats if s.ends_on and s.ends_on < day)
    return RoomAccess(writes=False, terms=terms, tz=tz) if terms else None


@dataclass(frozen=True)
class Paper:
    """A paper with the versions the user may read, newest first (the first is current)."""

    file: RoomFile
    versions: tuple[RoomFileVersion, ...]

    @property
    def current(self) -> RoomFileVersion:
        return self.versions[0]


def _versions(session: Session, file_ids: Iterable[int]) -> dict[int, list[RoomFileVersion]]:
    ids = list(file_ids)
    grouped: dict[int, list[RoomFileVersion]] = {i: [] for i in ids}
    if ids:
        rows = session.execute(
            select(RoomFileVersion)
            .where(RoomFileVersion.file_id.in_(ids))  # type: ignore[attr-defined]
            .order_by(RoomFileVersion.number.desc())  # type: ignore[attr-defined]
        ).scalars()
        for version in rows:
            grouped[version.file_id].append(version)
    return grouped


def papers(
    session: Session, *, body: Body, access: RoomAccess, folder_id: int | None = None, **kw: Any
) -> list[Paper]:
    """The readable papers of a folder (None: the room's top), or with `everywhere=True` all."""
    query = select(RoomFile).where(RoomFile.body_id == body.id)
    if not kw.get("everywhere"):
        query = query.where(RoomFile.folder_id == folder_id)  # type: ignore[arg-type]
    files = list(session.execute(query.order_by(RoomFile.title)).scalars())
    versions = _versions(session, [int(f.id or 0) for f in files])
    out = []
    for f in files:
        readable = tuple(v for v in versions[int(f.id or 0)] if access.reads(v))
        if readable:
            out.append(Paper(file=f, versions=readable))
    return out


def recent_papers(
    session: Session, *, body: Body, access: RoomAccess, limit: int = 5
) -> list[Paper]:
    """The papers with the newest readable versions (for the body page)."""
    everything = papers(session, body=body, access=access, everywhere=True)
    return sorted(everything, key=lambda p: p.current.uploaded_at, reverse=True)[:limit]


def folders(
    session: Session, *, body: Body, access: RoomAccess, parent_id: int | None
) -> list[RoomFolder]:
    """The folders in a folder (None: the top) that the user may see."""
    rows = session.execute(
        select(RoomFolder)
        .where(RoomFolder.body_id == body.id, RoomFolder.parent_id == parent_id)  # type: ignore[arg-type]
        .order_by(RoomFolder.name)
    ).scalars()
    result = list(rows)
    if access.writes:
        return result
    visible = _folders_with_papers(session, body=body, access=access)
    return [f for f in result if f.id in visible]


def _folders_with_papers(session: Session, *, body: Body, access: RoomAccess) -> set[int]:
    """Folders holding a readable paper, directly or below."""
    parent = dict(
        session.execute(
            select(RoomFolder.id, RoomFolder.parent_id).where(RoomFolder.body_id == body.id)
        ).all()
    )
    visible: set[int] = set()
    for paper in papers(session, body=body, access=access, everywhere=True):
        folder_id = paper.file.folder_id
        while folder_id is not None and folder_id not in visible:
            visible.add(folder_id)
            folder_id = parent.get(folder_id)
    return visible


def folder_path(session: Session, *, folder: RoomFolder | None) -> list[RoomFolder]:
    """The folder and its parents, the top first (for the breadcrumb)."""
    path = []
    while folder is not None:
        path.append(folder)
        folder = session.get(RoomFolder, folder.parent_id) if folder.parent_id else None
    return path[::-1]


def paper(session: Session, *, file: RoomFile, access: RoomAccess) -> Paper | None:
    """The paper with its readable versions, or None if the user may read none of them."""
    readable = tuple(
        v for v in _versions(session, [int(file.id or 0)])[int(file.id or 0)] if access.reads(v)
    )
    return Paper(file=file, versions=readable) if readable else None


def uploaders(session: Session, papers: Iterable[Paper]) -> dict[int, str]:
    """The names of the users who uploaded the papers' versions, by user id."""
    ids = {v.uploaded_by_id for p in papers for v in p.versions if v.uploaded_by_id}
    if not ids:
        return {}
    rows = session.execute(select(User.id, User.display_name).where(User.id.in_(ids)))  # type: ignore[union-attr]
    return {int(uid): str(name) for uid, name in rows.all()}


# --- writing ----------------------------------------------------------------------------------


def _check_folder(body: Body, folder: RoomFolder | None) -> None:
    if folder is not None and folder.body_id != body.id:
        raise DomainError(_l("This folder belongs to another body's room."))


def create_folder(
    session: Session,
    *,
    body: Body,
    parent: RoomFolder | None,
    name: str,
    description: str,
    actor: Any,
) -> RoomFolder:
    """Create a folder in the room (at the top or in `parent`)."""
    _check_folder(body, parent)
    folder = RoomFolder(
        body_id=body.id,
        parent_id=parent.id if parent else None,
        name=name.strip(),
        description=description.strip(),
        created_by_id=getattr(actor, "id", None),
    )
    session.add(folder)
    session.flush()
    record_event(
        session,
        event_type="room.folder_created",
        actor=actor,
        object_type="room_folder",
        object_id=folder.id,
        payload={"body": body.id, "parent": folder.parent_id, "name": folder.name},
    )
    return folder


@dataclass(frozen=True)
class Upload:
    """An uploaded file as the view received it, with the limits of this installation."""

    filename: str
    data: bytes
    upload_dir: str
    max_bytes: int


def _store_version(
    session: Session, *, file: RoomFile, upload: Upload, note: str, actor: Any
) -> RoomFileVersion:
    stored = store_file(
        filename=upload.filename,
        data=upload.data,
        upload_dir=upload.upload_dir,
        subdir=SUBDIR,
        max_bytes=upload.max_bytes,
    )
    last = session.execute(
        select(func.max(RoomFileVersion.number)).where(RoomFileVersion.file_id == file.id)
    ).scalar_one()
    version = RoomFileVersion(
        file_id=file.id,
        number=(last or 0) + 1,
        filename=stored.filename,
        stored_name=stored.stored_name,
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
        note=note.strip(),
        uploaded_by_id=getattr(actor, "id", None),
    )
    session.add(version)
    session.flush()
    _record(session, "room.version_added", file, version, actor, sha256=version.sha256)
    return version


def _record(
    session: Session,
    event_type: str,
    file: RoomFile,
    version: RoomFileVersion,
    actor: Any,
    **extra: str,
) -> None:
    """An event about one version of a paper (which body, paper, version, file name)."""
    payload = {"body": file.body_id, "file": file.id, "number": version.number}
    record_event(
        session,
        event_type=event_type,
        actor=actor,
        object_type="room_file_version",
        object_id=version.id,
        payload=payload | {"filename": version.filename, **extra},
    )


def add_paper(
    session: Session,
    *,
    body: Body,
    folder: RoomFolder | None,
    title: str,
    description: str,
    upload: Upload,
    actor: Any,
) -> RoomFile:
    """Put a new paper into the room (or a folder of it) with its first version."""
    _check_folder(body, folder)
    file = RoomFile(
        body_id=body.id,
        folder_id=folder.id if folder else None,
        title=(title.strip() or upload.filename.strip())[:200] or "document",
        description=description.strip(),
        created_by_id=getattr(actor, "id", None),
    )
    session.add(file)
    session.flush()
    _store_version(session, file=file, upload=upload, note="", actor=actor)
    return file


def add_version(
    session: Session, *, file: RoomFile, upload: Upload, note: str, actor: Any
) -> RoomFileVersion:
    """Add a new version of a paper; the earlier versions stay as they were."""
    return _store_version(session, file=file, upload=upload, note=note, actor=actor)


def record_download(
    session: Session, *, file: RoomFile, version: RoomFileVersion, actor: Any, via: str = "room"
) -> None:
    """Write a download into the audit chain: who took which version of which paper."""
    _record(session, "room.file_downloaded", file, version, actor, via=via)


def version_path(upload_dir: str, version: RoomFileVersion) -> Path:
    """Where a version's bytes are kept."""
    return stored_path(upload_dir, SUBDIR, version.stored_name)
