"""Agenda items' papers from a body's room: link one, download it through the meeting's gate."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, url_for
from flask_login import current_user, login_required

from governance import uploads
from governance.accounts.models import Role
from governance.assemblies import papers
from governance.assemblies.access import load_assembly
from governance.assemblies.blueprint import bp
from governance.assemblies.forms import PaperLinkForm
from governance.assemblies.models import Assembly
from governance.assemblies.models_agenda import AgendaItem
from governance.assemblies.services import can_see_documents
from governance.bodies import rooms
from governance.errors import DomainError
from governance.i18n import _, local_tz, today
from governance.security import role_required
from governance.web import db, fail, get_or_404, require


@bp.app_template_global("agenda_paper_form")
def agenda_paper_form() -> PaperLinkForm:
    """The form to link a paper, offering the papers of the current user's rooms."""
    form = PaperLinkForm()
    form.paper.choices = [
        (f"{p.file.id}:{v}", f"{body.name}: {p.file.title} · " + (label or _("current version")))
        for body, p in papers.linkable(db(), user=current_user, day=today(), tz=local_tz())
        for v, label in [(0, None), *((x.id, _("version %(n)d", n=x.number)) for x in p.versions)]
    ]
    return form


@bp.app_template_global("agenda_papers")
def agenda_papers(assembly: Assembly) -> dict[int, list[papers.Linked]]:
    """The assembly's linked room papers by agenda item id."""
    return papers.papers_by_item(db(), assembly_id=int(assembly.id or 0))


@bp.route("/<int:assembly_id>/agenda/<int:item_id>/papers", methods=["POST"])
@role_required(Role.BOARD)
def paper_link(assembly_id: int, item_id: int) -> Any:
    """Link a paper of a room the user sits in to an agenda item."""
    assembly = load_assembly(assembly_id)
    item = get_or_404(AgendaItem, item_id)
    if item.assembly_id != assembly.id:
        abort(404)
    form = agenda_paper_form()
    if form.validate_on_submit():
        try:
            papers.link_paper(
                db(),
                item=item,
                choice=form.paper.data,
                user=current_user,
                day=today(),
                tz=local_tz(),
            )
        except DomainError as exc:
            fail(exc)
        else:
            flash(_("The paper has been linked."), "success")
    else:
        for error in form.paper.errors:
            flash(str(error), "error")
    return redirect(url_for("assemblies.item_edit", assembly_id=assembly.id, item_id=item.id))


@bp.route("/<int:assembly_id>/papers/<int:link_id>")
@login_required
def paper_download(assembly_id: int, link_id: int) -> Any:
    """Download a linked paper: whoever may see the assembly's documents (audit-logged)."""
    assembly = load_assembly(assembly_id)
    require(can_see_documents(db(), assembly=assembly, user=current_user))
    linked = papers.linked_paper(db(), assembly_id=assembly.id, link_id=link_id)
    if linked is None:
        abort(404)
    rooms.record_download(
        db(), file=linked.file, version=linked.version, actor=current_user, via="agenda"
    )
    path = rooms.version_path(current_app.config["UPLOAD_DIR"], linked.version)
    return uploads.send_stored(
        path, content_type=linked.version.content_type, filename=linked.version.filename
    )
