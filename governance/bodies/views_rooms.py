"""A body's document room: folders, papers with their versions, uploads and downloads.

Every view loads the body through `load_body(former=True)` (current and former seats only)
and then asks `rooms.room_access` what this user may do: current seats read and write,
former seats read the versions of their own terms (see bodies/rooms.py).
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from governance import uploads
from governance.bodies import rooms
from governance.bodies.access import load_body
from governance.bodies.blueprint import bp
from governance.bodies.forms_rooms import FolderForm, PaperForm, VersionForm
from governance.bodies.models import Body
from governance.bodies.models_rooms import RoomFile, RoomFileVersion, RoomFolder
from governance.errors import DomainError
from governance.i18n import _, local_tz, today
from governance.web import db, fail, get_or_404, require


def _access(body: Body, user: Any = None) -> rooms.RoomAccess | None:
    user = current_user if user is None else user
    return rooms.room_access(db(), body=body, user=user, day=today(), tz=local_tz())


def _room(body_id: int) -> tuple[Body, rooms.RoomAccess]:
    body = load_body(body_id, former=True)
    access = _access(body)
    require(access is not None)
    return body, access  # type: ignore[return-value]


def _in_body(body: Body, model: Any, ident: int) -> Any:
    obj = get_or_404(model, ident)
    if obj.body_id != body.id:
        abort(404)
    return obj


def _folder(body: Body, folder_id: int) -> RoomFolder | None:
    return _in_body(body, RoomFolder, folder_id) if folder_id else None


def _upload(field: Any) -> rooms.Upload:
    max_bytes = uploads.max_upload_bytes(current_app.config)
    return rooms.Upload(
        filename=field.data.filename or "",
        data=field.data.read(max_bytes + 1),
        upload_dir=current_app.config["UPLOAD_DIR"],
        max_bytes=max_bytes,
    )


def _render_room(
    body: Body, access: rooms.RoomAccess, folder: RoomFolder | None, **forms: Any
) -> Any:
    session, folder_id = db(), folder.id if folder else None
    if folder is not None and not access.writes:
        require(
            folder in rooms.folders(session, body=body, access=access, parent_id=folder.parent_id)
        )
    listed = rooms.papers(session, body=body, access=access, folder_id=folder_id)
    return render_template(
        "bodies/room.html",
        body=body,
        access=access,
        folder=folder,
        path=rooms.folder_path(session, folder=folder),
        folders=rooms.folders(session, body=body, access=access, parent_id=folder_id),
        papers=listed,
        names=rooms.uploaders(session, listed),
        folder_form=forms.get("folder_form") or FolderForm(prefix="folder"),
        paper_form=forms.get("paper_form") or PaperForm(prefix="paper"),
        allowed=", ".join(uploads.ALLOWED_EXTENSIONS),
    )


@bp.route("/<int:body_id>/room", defaults={"folder_id": 0})
@bp.route("/<int:body_id>/room/folders/<int:folder_id>")
@login_required
def room(body_id: int, folder_id: int) -> Any:
    """The room, or one of its folders: folders and papers with their current versions."""
    body, access = _room(body_id)
    return _render_room(body, access, _folder(body, folder_id))


@bp.route("/<int:body_id>/room/folders/<int:folder_id>/new", methods=["POST"])
@login_required
def room_folder_new(body_id: int, folder_id: int) -> Any:
    """Create a folder (current seats only)."""
    body, access = _room(body_id)
    require(access.writes)
    parent, form = _folder(body, folder_id), FolderForm(prefix="folder")
    if form.validate_on_submit():
        new = rooms.create_folder(
            db(),
            body=body,
            parent=parent,
            name=form.name.data,
            description=form.description.data or "",
            actor=current_user,
        )
        flash(_("The folder has been created."), "success")
        return redirect(url_for("bodies.room", body_id=body.id, folder_id=new.id))
    return _render_room(body, access, parent, folder_form=form)


@bp.route("/<int:body_id>/room/folders/<int:folder_id>/upload", methods=["POST"])
@login_required
def room_upload(body_id: int, folder_id: int) -> Any:
    """Upload a new paper (current seats only): checked as every upload."""
    body, access = _room(body_id)
    require(access.writes)
    folder, form = _folder(body, folder_id), PaperForm(prefix="paper")
    if form.validate_on_submit():
        try:
            file = rooms.add_paper(
                db(),
                body=body,
                folder=folder,
                title=form.title.data or "",
                description=form.description.data or "",
                upload=_upload(form.file),
                actor=current_user,
            )
        except DomainError as exc:
            fail(exc, form)
        else:
            flash(_("The paper has been uploaded."), "success")
            return redirect(url_for("bodies.room_file", body_id=body.id, file_id=file.id))
    return _render_room(body, access, folder, paper_form=form)


def _render_file(body: Body, access: rooms.RoomAccess, file: RoomFile, form: Any = None) -> Any:
    session = db()
    paper = rooms.paper(session, file=file, access=access)
    require(paper is not None)
    folder = session.get(RoomFolder, file.folder_id) if file.folder_id else None
    return render_template(
        "bodies/room_file.html",
        body=body,
        access=access,
        paper=paper,
        names=rooms.uploaders(session, [paper]),  # type: ignore[list-item]
        path=rooms.folder_path(session, folder=folder),
        form=form or VersionForm(),
        allowed=", ".join(uploads.ALLOWED_EXTENSIONS),
    )


@bp.route("/<int:body_id>/room/files/<int:file_id>")
@login_required
def room_file(body_id: int, file_id: int) -> Any:
    """A paper: its description and its versions, newest first."""
    body, access = _room(body_id)
    return _render_file(body, access, _in_body(body, RoomFile, file_id))


@bp.route("/<int:body_id>/room/files/<int:file_id>/versions", methods=["POST"])
@login_required
def room_version_new(body_id: int, file_id: int) -> Any:
    """Upload a new version of a paper (current seats only); the old ones stay."""
    body, access = _room(body_id)
    require(access.writes)
    file, form = _in_body(body, RoomFile, file_id), VersionForm()
    if form.validate_on_submit():
        try:
            version = rooms.add_version(
                db(),
                file=file,
                upload=_upload(form.file),
                note=form.note.data or "",
                actor=current_user,
            )
        except DomainError as exc:
            fail(exc, form)
        else:
            flash(_("Version %(n)d has been uploaded.", n=version.number), "success")
            return redirect(url_for("bodies.room_file", body_id=body.id, file_id=file.id))
    return _render_file(body, access, file, form)


@bp.route("/<int:body_id>/room/versions/<int:version_id>")
@login_required
def room_download(body_id: int, version_id: int) -> Any:
    """Download one version (recorded in the audit log), served as an attachment."""
    body, access = _room(body_id)
    version = get_or_404(RoomFileVersion, version_id)
    file = _in_body(body, RoomFile, version.file_id)
    require(access.reads(version))
    rooms.record_download(db(), file=file, version=version, actor=current_user)
    path = rooms.version_path(current_app.config["UPLOAD_DIR"], version)
    return uploads.send_stored(path, content_type=version.content_type, filename=version.filename)


@bp.app_template_global("body_room")
def body_room(body: Body) -> dict[str, Any] | None:
    """The body page's room box: the newest papers the viewer may read, or None."""
    access = _access(body)
    if access is None:
        return None
    return {"access": access, "papers": rooms.recent_papers(db(), body=body, access=access)}
