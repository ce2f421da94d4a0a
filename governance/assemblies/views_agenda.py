"""Agenda views: items, sub-items, reordering, attachments (upload and download)."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from governance import uploads
from governance.accounts.forms import ConfirmForm
from governance.assemblies import agenda as agenda_services
from governance.assemblies import attachments as files
from governance.assemblies.access import load_assembly
from governance.assemblies.blueprint import bp, to_detail
from governance.assemblies.documents import AgendaAttachment
from governance.assemblies.forms import AgendaItemForm, AttachmentForm, options
from governance.assemblies.models import Assembly
from governance.assemblies.models_agenda import AgendaItem, ItemKind
from governance.assemblies.services import can_see_documents
from governance.errors import DomainError
from governance.i18n import _
from governance.web import db, fail, get_or_404, require


def _item(assembly: Assembly, item_id: int) -> AgendaItem:
    item = get_or_404(AgendaItem, item_id)
    if item.assembly_id != assembly.id:
        abort(404)
    return item


def _parent_choices(assembly: Assembly, exclude: int | None = None) -> list[Any]:
    entries = agenda_services.agenda(db(), assembly_id=assembly.id)
    return options(
        [(0, "—")]
        + [
            (e.item.id, f"{_('TOP')} {e.number} {e.item.title}")
            for e in entries
            if e.depth == 0 and e.item.id != exclude
        ]
    )


def _warn_if_late(assembly: Assembly, item: AgendaItem) -> None:
    if assembly.convened_at is not None:
        flash(
            _(
                "The members were invited already: announce the new item with a supplement. "
                "Items announced less than %(days)d days before the assembly cannot be resolved "
                "on (§46(2) GenG) unless all members are present.",
                days=current_app.config["AGENDA_NOTICE_DAYS"],
            ),
            "warning",
        )


@bp.route("/<int:assembly_id>/agenda/new", methods=["GET", "POST"])
@login_required
def item_new(assembly_id: int) -> Any:
    """Add an agenda item or sub-item."""
    assembly = load_assembly(assembly_id, Assembly.can_manage)
    form = AgendaItemForm()
    form.parent_id.choices = _parent_choices(assembly)
    if form.validate_on_submit():
        try:
            item = agenda_services.add_item(
                db(),
                assembly=assembly,
                title=form.title.data,
                description=form.description.data or "",
                kind=ItemKind(form.kind.data),
                parent_id=form.parent_id.data or None,
                actor=current_user,
            )
        except DomainError as exc:
            fail(exc, form)
        else:
            _warn_if_late(assembly, item)
            flash(_("The item has been added."), "success")
            return to_detail(assembly, "agenda")
    return render_template("assemblies/item_form.html", form=form, assembly=assembly, item=None)


@bp.route("/<int:assembly_id>/agenda/<int:item_id>/edit", methods=["GET", "POST"])
@login_required
def item_edit(assembly_id: int, item_id: int) -> Any:
    """Change an item; upload its documents."""
    assembly = load_assembly(assembly_id, Assembly.can_manage)
    item = _item(assembly, item_id)
    form = AgendaItemForm(obj=item)
    form.parent_id.choices = _parent_choices(assembly, exclude=item.id)
    if form.validate_on_submit():
        try:
            agenda_services.update_item(
                db(),
                item=item,
                assembly=assembly,
                title=form.title.data,
                description=form.description.data or "",
                kind=ItemKind(form.kind.data),
                actor=current_user,
            )
        except DomainError as exc:
            fail(exc, form)
        else:
            flash(_("Saved."), "success")
            return to_detail(assembly, "agenda")
    attachments = files.attachments_by_item(db(), assembly_id=assembly.id).get(item.id, [])
    return render_template(
        "assemblies/item_form.html",
        form=form,
        assembly=assembly,
        item=item,
        attachments=attachments,
        upload=AttachmentForm(),
        allowed=", ".join(uploads.ALLOWED_EXTENSIONS),
        confirm=ConfirmForm(),
    )


@bp.route(
    "/<int:assembly_id>/agenda/<int:item_id>/move/<any(up, down):direction>", methods=["POST"]
)
@login_required
def item_move(assembly_id: int, item_id: int, direction: str) -> Any:
    """Move an item one place up or down."""
    assembly = load_assembly(assembly_id, Assembly.can_manage)
    item = _item(assembly, item_id)
    if ConfirmForm().validate_on_submit():
        try:
            agenda_services.move_item(
                db(), item=item, assembly=assembly, up=direction == "up", actor=current_user
            )
        except DomainError as exc:
            fail(exc)
    return to_detail(assembly, "agenda")


@bp.route("/<int:assembly_id>/agenda/<int:item_id>/delete", methods=["POST"])
@login_required
def item_delete(assembly_id: int, item_id: int) -> Any:
    """Delete an item not yet announced."""
    assembly = load_assembly(assembly_id, Assembly.can_manage)
    item = _item(assembly, item_id)
    if ConfirmForm().validate_on_submit():
        try:
            stored = agenda_services.delete_item(
                db(), item=item, assembly=assembly, actor=current_user
            )
        except DomainError as exc:
            fail(exc)
        else:
            db().commit()
            files.remove_files(current_app.config["UPLOAD_DIR"], stored)
            flash(_("The item has been deleted."), "success")
    return to_detail(assembly, "agenda")


@bp.route("/<int:assembly_id>/agenda/<int:item_id>/attachments", methods=["POST"])
@login_required
def attachment_upload(assembly_id: int, item_id: int) -> Any:
    """Attach a document to an item (type- and size-checked)."""
    assembly = load_assembly(assembly_id, Assembly.can_manage)
    item = _item(assembly, item_id)
    form = AttachmentForm()
    if form.validate_on_submit():
        upload = form.file.data
        max_bytes = uploads.max_upload_bytes(current_app.config)
        try:
            files.add_attachment(
                db(),
                item=item,
                filename=upload.filename or "",
                data=upload.read(max_bytes + 1),
                upload_dir=current_app.config["UPLOAD_DIR"],
                max_bytes=max_bytes,
                actor=current_user,
            )
        except DomainError as exc:
            fail(exc)
        else:
            flash(_("The document has been attached."), "success")
    else:
        for error in form.file.errors:
            flash(str(error), "error")
    return redirect(url_for("assemblies.item_edit", assembly_id=assembly.id, item_id=item.id))


def _attachment(assembly: Assembly, attachment_id: int) -> AgendaAttachment:
    attachment = get_or_404(AgendaAttachment, attachment_id)
    item = db().get(AgendaItem, attachment.agenda_item_id)
    if item is None or item.assembly_id != assembly.id:
        abort(404)
    return attachment


@bp.route("/<int:assembly_id>/attachments/<int:attachment_id>")
@login_required
def attachment_download(assembly_id: int, attachment_id: int) -> Any:
    """Download a document: eligible members (on the roll) and staff only."""
    assembly = load_assembly(assembly_id)
    require(can_see_documents(db(), assembly=assembly, user=current_user))
    attachment = _attachment(assembly, attachment_id)
    path = files.storage_path(current_app.config["UPLOAD_DIR"], attachment.stored_name)
    return uploads.send_stored(
        path, content_type=attachment.content_type, filename=attachment.filename
    )


@bp.route("/<int:assembly_id>/attachments/<int:attachment_id>/delete", methods=["POST"])
@login_required
def attachment_delete(assembly_id: int, attachment_id: int) -> Any:
    """Remove a document."""
    assembly = load_assembly(assembly_id, Assembly.can_manage)
    attachment = _attachment(assembly, attachment_id)
    item_id = attachment.agenda_item_id
    if ConfirmForm().validate_on_submit():
        stored = files.delete_attachment(
            db(), attachment=attachment, assembly_id=assembly.id, actor=current_user
        )
        db().commit()
        files.remove_files(current_app.config["UPLOAD_DIR"], [stored])
        flash(_("The document has been removed."), "success")
    return redirect(url_for("assemblies.item_edit", assembly_id=assembly.id, item_id=item_id))
