"""Views of the minutes domain: drafting, rendering, approval, publication, downloads."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from governance.accounts.forms import ConfirmForm
from governance.assemblies.access import load_assembly
from governance.assemblies.models import Assembly, AssemblyState
from governance.assemblies.models_agenda import AgendaItem
from governance.errors import DomainError
from governance.i18n import _
from governance.minutes import access, rendering, services, signing
from governance.minutes.blueprint import bp
from governance.minutes.completeness import check
from governance.minutes.forms import ApproveForm, GeneralForm, ItemForm, ObjectionForm, PublishForm
from governance.minutes.labels import all_labels
from governance.minutes.models import Minutes, Objection, RenderJob, RenderStatus
from governance.minutes.pdf import render_minutes
from governance.minutes.polls import polls_of_item
from governance.web import db, fail, get_or_404


def _coop() -> rendering.CoopSettings:
    return rendering.CoopSettings.from_config(current_app.config)


def _minutes(assembly: Assembly) -> Minutes:
    minutes = services.minutes_of(db(), assembly_id=assembly.id or 0)
    if minutes is None:
        abort(404)
    return minutes


def _to_workspace(assembly: Assembly) -> Any:
    return redirect(url_for("minutes.workspace", assembly_id=assembly.id))


def _pdf_response(data: bytes, filename: str, sha256: str) -> Any:
    response = current_app.response_class(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["X-Content-SHA256"] = sha256
    return response


@bp.route("/minutes")
@login_required
def index() -> Any:
    """Assemblies with published minutes; for the staff also those being written."""
    if not access.can_read_published(current_user):
        abort(403)
    published = (
        db()
        .scalars(
            select(Assembly)
            .where(Assembly.state == AssemblyState.MINUTES_PUBLISHED)
            .order_by(Assembly.starts_at.desc())
        )
        .all()
    )
    drafting: list[Assembly] = []
    if access.is_staff(current_user):
        drafting = list(
            db().scalars(
                select(Assembly)
                .where(Assembly.state.in_([AssemblyState.IN_SESSION, AssemblyState.CLOSED]))
                .order_by(Assembly.starts_at.desc())
            )
        )
    published = [a for a in published if a.can_see(current_user)]
    drafting = [a for a in drafting if a.can_see(current_user)]
    return render_template("minutes/index.html", published=published, drafting=drafting)


@bp.route("/assemblies/<int:assembly_id>/minutes")
@login_required
def workspace(assembly_id: int) -> Any:
    """The draft: completeness, items, rendering, approvals, publication."""
    assembly = load_assembly(assembly_id, access.can_view_draft)
    minutes = services.minutes_of(db(), assembly_id=assembly_id)
    context: dict[str, Any] = {"assembly": assembly, "minutes": minutes, "form": ConfirmForm()}
    if minutes is not None:
        context.update(_workspace_context(assembly, minutes))
    return render_template("minutes/workspace.html", **context)


def _workspace_context(assembly: Assembly, minutes: Minutes) -> dict[str, Any]:
    doc = rendering.document(db(), minutes=minutes, coop=_coop())
    render = rendering.current_render(db(), minutes=minutes, doc=doc)
    approvals = signing.approvals_of(db(), minutes=minutes, render=render)
    return {
        "doc": doc,
        "missing": check(doc),
        "latest": services.latest_render(db(), minutes=minutes),
        "render": render,
        "approvals": approvals,
        "all_approvals": signing.all_approvals(db(), minutes=minutes),
        "complete": signing.signatures_complete(approvals),
        "capacity": signing.capacity_of(db(), assembly=assembly, user=current_user),
        "approve_form": ApproveForm(pdf_sha256=render.pdf_sha256 if render else ""),
        "versions": signing.versions_of(db(), assembly_id=assembly.id or 0),
        "text": all_labels(),
        "can_write": access.can_write(assembly, current_user),
        "can_approve": access.can_approve(assembly, current_user),
        "can_publish": access.can_publish(current_user, assembly),
    }


@bp.route("/assemblies/<int:assembly_id>/minutes/start", methods=["POST"])
@login_required
def start(assembly_id: int) -> Any:
    """Begin writing the minutes."""
    assembly = load_assembly(assembly_id, access.can_write)
    if ConfirmForm().validate_on_submit():
        try:
            services.start_minutes(db(), assembly=assembly, actor=current_user)
        except DomainError as exc:
            fail(exc)
    return _to_workspace(assembly)


@bp.route("/assemblies/<int:assembly_id>/minutes/general", methods=["GET", "POST"])
@login_required
def general(assembly_id: int) -> Any:
    """Edit the opening and closing remarks."""
    assembly = load_assembly(assembly_id, access.can_write)
    minutes = _minutes(assembly)
    form = GeneralForm(obj=minutes)
    if form.validate_on_submit():
        services.update_general(
            db(), minutes=minutes, preamble=form.preamble.data or "", closing=form.closing.data or "",
            actor=current_user,
        )  # fmt: skip
        flash(_("Saved."), "info")
        return _to_workspace(assembly)
    return render_template("minutes/general.html", assembly=assembly, form=form)


def _item(assembly: Assembly, item_id: int) -> AgendaItem:
    item = get_or_404(AgendaItem, item_id)
    if item.assembly_id != assembly.id:
        abort(404)
    return item


def _objection_form(item: AgendaItem) -> ObjectionForm:
    form = ObjectionForm()
    form.set_polls([(p.id or 0, p.title) for p in polls_of_item(db(), agenda_item_id=item.id or 0)])
    return form


def _item_page(
    assembly: Assembly, minutes: Minutes, item: AgendaItem, form: Any, objection_form: Any
) -> Any:
    doc = rendering.document(db(), minutes=minutes, coop=_coop())
    record = next((i for i in doc.items if i.id == item.id), None)
    return render_template(
        "minutes/item.html",
        assembly=assembly,
        item=item,
        record=record,
        form=form,
        objection_form=objection_form,
        objections=services.objections_of(db(), minutes=minutes, item_id=item.id or 0),
        confirm=ConfirmForm(),
        text=all_labels(),
    )


@bp.route("/assemblies/<int:assembly_id>/minutes/items/<int:item_id>", methods=["GET", "POST"])
@login_required
def item(assembly_id: int, item_id: int) -> Any:
    """Write the record of one agenda item; its vote results are filled in, read-only."""
    assembly = load_assembly(assembly_id, access.can_write)
    minutes = _minutes(assembly)
    agenda_item = _item(assembly, item_id)
    text = services.item_text(db(), minutes=minutes, item_id=item_id)
    form = ItemForm(obj=text)
    if form.validate_on_submit():
        services.update_item(
            db(), minutes=minutes, item_id=item_id, discussion=form.discussion.data or "",
            motions=form.motions.data or "", actor=current_user,
        )  # fmt: skip
        flash(_("Saved."), "info")
        return _to_workspace(assembly)
    return _item_page(assembly, minutes, agenda_item, form, _objection_form(agenda_item))


@bp.route("/assemblies/<int:assembly_id>/minutes/items/<int:item_id>/objections", methods=["POST"])
@login_required
def add_objection(assembly_id: int, item_id: int) -> Any:
    """Record an objection for the minutes (Widerspruch zu Protokoll, §51 GenG)."""
    assembly = load_assembly(assembly_id, access.can_write)
    minutes = _minutes(assembly)
    agenda_item = _item(assembly, item_id)
    form = _objection_form(agenda_item)
    if form.validate_on_submit():
        data = services.ObjectionData(
            member_number=form.member_number.data or "",
            statement=form.statement.data or "",
            poll_id=form.poll_id.data or None,
        )
        try:
            services.add_objection(
                db(), minutes=minutes, item_id=item_id, data=data, actor=current_user
            )
        except DomainError as exc:
            fail(exc, form)
        else:
            flash(_("The objection is recorded."), "info")
            return redirect(url_for("minutes.item", assembly_id=assembly_id, item_id=item_id))
    text = services.item_text(db(), minutes=minutes, item_id=item_id)
    return _item_page(assembly, minutes, agenda_item, ItemForm(obj=text, formdata=None), form), 400


@bp.route(
    "/assemblies/<int:assembly_id>/minutes/objections/<int:objection_id>/delete", methods=["POST"]
)
@login_required
def delete_objection(assembly_id: int, objection_id: int) -> Any:
    """Remove an objection recorded by mistake."""
    assembly = load_assembly(assembly_id, access.can_write)
    minutes = _minutes(assembly)
    objection = get_or_404(Objection, objection_id)
    if ConfirmForm().validate_on_submit():
        try:
            services.remove_objection(
                db(), minutes=minutes, objection=objection, actor=current_user
            )
        except DomainError as exc:
            fail(exc)
    return redirect(
        url_for("minutes.item", assembly_id=assembly_id, item_id=objection.agenda_item_id)
    )


@bp.route("/assemblies/<int:assembly_id>/minutes/render", methods=["POST"])
@login_required
def render(assembly_id: int) -> Any:
    """Render the current draft: at once when small, else queued for the worker."""
    assembly = load_assembly(assembly_id, access.can_write)
    minutes = _minutes(assembly)
    if not ConfirmForm().validate_on_submit():
        return _to_workspace(assembly)
    limit = current_app.config["MINUTES_INLINE_RENDER_MAX"]  # participants; more: the worker
    if rendering.participant_count(db(), minutes=minutes) > limit:
        rendering.request_render(db(), minutes=minutes, actor=current_user)
        flash(
            _("The PDF is being rendered by the worker; this page shows when it is ready."), "info"
        )
    else:
        job = rendering.render_now(
            db(), minutes=minutes, actor=current_user, coop=_coop(), render=render_minutes
        )
        if job.status == RenderStatus.FAILED:
            flash(_("Rendering failed: %(e)s", e=job.error), "error")
    return _to_workspace(assembly)


@bp.route("/assemblies/<int:assembly_id>/minutes/renders/<int:render_id>.pdf")
@login_required
def draft_pdf(assembly_id: int, render_id: int) -> Any:
    """A rendered draft PDF (staff only)."""
    assembly = load_assembly(assembly_id, access.can_view_draft)
    minutes = _minutes(assembly)
    job = get_or_404(RenderJob, render_id)
    if job.minutes_id != minutes.id or job.status != RenderStatus.DONE or job.pdf is None:
        abort(404)
    name = f"minutes-{assembly_id}-draft-r{job.revision}.pdf"
    return _pdf_response(job.pdf, name, job.pdf_sha256 or "")


@bp.route("/assemblies/<int:assembly_id>/minutes/approve", methods=["POST"])
@login_required
def approve(assembly_id: int) -> Any:
    """Sign the current PDF (chair, board members present)."""
    assembly = load_assembly(assembly_id, access.can_approve)
    minutes = _minutes(assembly)
    form = ApproveForm()
    if form.validate_on_submit():
        try:
            signing.approve(
                db(), minutes=minutes, user=current_user, expected_sha256=form.pdf_sha256.data,
                coop=_coop(),
            )  # fmt: skip
        except DomainError as exc:
            fail(exc)
        else:
            flash(_("Your approval is recorded."), "info")
    return _to_workspace(assembly)


@bp.route("/assemblies/<int:assembly_id>/minutes/publish", methods=["GET", "POST"])
@login_required
def publish(assembly_id: int) -> Any:
    """Publish the signed minutes (supervisory board); members are notified."""
    assembly = load_assembly(assembly_id, lambda a, user: access.can_publish(user, a))
    minutes = _minutes(assembly)
    form = PublishForm()
    if form.validate_on_submit():
        try:
            version = signing.publish(
                db(),
                minutes=minutes,
                user=current_user,
                reason=form.reason.data or "",
                coop=_coop(),
            )
        except DomainError as exc:
            fail(exc, form)
        else:
            flash(
                _(
                    "Version %(n)d is published; the members on the roll are notified.",
                    n=version.number,
                ),
                "info",
            )
            return redirect(url_for("minutes.versions", assembly_id=assembly_id))
    previous = signing.versions_of(db(), assembly_id=assembly_id)
    return render_template("minutes/publish.html", assembly=assembly, form=form, previous=previous)


@bp.route("/assemblies/<int:assembly_id>/minutes/versions")
@login_required
def versions(assembly_id: int) -> Any:
    """The published versions of the minutes, for every member."""
    assembly = load_assembly(assembly_id, lambda _a, user: access.can_read_published(user))
    rows = signing.versions_of(db(), assembly_id=assembly_id)
    return render_template("minutes/versions.html", assembly=assembly, versions=rows)


@bp.route("/assemblies/<int:assembly_id>/minutes/versions/<int:number>.pdf")
@login_required
def version_pdf(assembly_id: int, number: int) -> Any:
    """Download one published version: the exact bytes that were signed."""
    load_assembly(assembly_id, lambda _a, user: access.can_read_published(user))
    row = signing.version(db(), assembly_id=assembly_id, number=number)
    if row is None:
        abort(404)
    return _pdf_response(row.pdf, f"minutes-{assembly_id}-v{number}.pdf", row.pdf_sha256)
