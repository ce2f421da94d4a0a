"""Views of the assemblies domain: list, detail, create/edit, opening and closing.

Agenda, convening, records (roll, attendance, proxies) and the live page are in views_agenda.py,
views_convening.py, views_records.py and views_live.py; all add routes to `blueprint.bp`.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from governance.accounts.forms import ConfirmForm
from governance.accounts.models import Role
from governance.assemblies import body_meetings, hooks, services
from governance.assemblies.access import load_assembly
from governance.assemblies.agenda import agenda, unannounced_count
from governance.assemblies.attachments import attachments_by_item, remove_files
from governance.assemblies.attendance import present_counts
from governance.assemblies.blueprint import (
    bp,
    forget_live,
    proposal_deadline_days,
    to_detail,
)
from governance.assemblies.forms import (
    BODY_LABELS,
    CHANNEL_LABELS,
    FORM_LABELS,
    ITEM_KIND_LABELS,
    KIND_LABELS,
    RELATIONSHIP_LABELS,
    STATE_LABELS,
    AssemblyEditForm,
    CurrentItemForm,
    OpenSessionForm,
    options,
    to_local,
    to_utc,
)
from governance.assemblies.models import Assembly, AssemblyForm, AssemblyKind, Body
from governance.assemblies.roll import roll_size
from governance.bodies.models import Body as BodyRow
from governance.db import utcnow
from governance.errors import DomainError
from governance.i18n import _, today
from governance.security import role_required
from governance.web import db, fail, get_or_404, require


@bp.app_context_processor
def _labels() -> dict[str, Any]:
    return {
        "BODY_LABELS": BODY_LABELS,
        "FORM_LABELS": FORM_LABELS,
        "KIND_LABELS": KIND_LABELS,
        "ITEM_KIND_LABELS": ITEM_KIND_LABELS,
        "STATE_LABELS": STATE_LABELS,
        "CHANNEL_LABELS": CHANNEL_LABELS,
        "RELATIONSHIP_LABELS": RELATIONSHIP_LABELS,
    }


@bp.route("/")
@login_required
def index() -> Any:
    """Upcoming and past assemblies."""
    upcoming, past = services.assemblies_for(db(), user=current_user)
    return render_template("assemblies/index.html", upcoming=upcoming, past=past)


def _form_data(form: AssemblyEditForm) -> services.AssemblyData:
    return services.AssemblyData(
        title=form.title.data,
        body=Body(form.body.data),
        kind=AssemblyKind(form.kind.data),
        form=AssemblyForm(form.form.data),
        starts_at=to_utc(form.starts_at.data),  # type: ignore[arg-type]
        place=form.place.data or "",
        remote_access=form.remote_access.data or "",
        record_date=form.record_date.data,
        voting_starts_at=to_utc(form.voting_starts_at.data),
        voting_ends_at=to_utc(form.voting_ends_at.data),
        chair_user_id=form.chair_user_id.data or None,
        secretary_user_id=form.secretary_user_id.data or None,
        proposal_deadline=to_utc(form.proposal_deadline.data),
    )


def _initial(assembly: Assembly) -> dict[str, Any]:
    return {
        "title": assembly.title,
        "body": assembly.body.value,
        "kind": assembly.kind.value,
        "form": assembly.form.value,
        "starts_at": to_local(assembly.starts_at),
        "place": assembly.place,
        "remote_access": assembly.remote_access,
        "voting_starts_at": to_local(assembly.voting_starts_at),
        "voting_ends_at": to_local(assembly.voting_ends_at),
        "record_date": assembly.record_date,
        "proposal_deadline": to_local(assembly.proposal_deadline),
        "chair_user_id": assembly.chair_user_id or 0,
        "secretary_user_id": assembly.secretary_user_id or 0,
    }


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.BOARD)
def new() -> Any:
    """The board prepares an assembly (draft)."""
    form = AssemblyEditForm()
    _one_body(form, None)
    form.set_people(services.staff_users(db()))
    if form.validate_on_submit():
        try:
            assembly = services.create_assembly(
                db(), data=_form_data(form), actor=current_user, now=utcnow()
            )
        except DomainError as exc:
            fail(exc, form)
        else:
            flash(_("The assembly has been created as a draft. Add its agenda."), "success")
            return to_detail(assembly)
    return render_template("assemblies/form.html", form=form, assembly=None)


@bp.route("/bodies/<int:body_id>/new", methods=["GET", "POST"])
@login_required
def new_meeting(body_id: int) -> Any:
    """A body's leaders prepare a meeting of the body (draft), closed to everyone else."""
    body = get_or_404(BodyRow, body_id)
    session = db()
    require(body_meetings.may_create(session, body=body, user=current_user, day=today()))
    form = AssemblyEditForm(data=None if _posted() else {"body": body_meetings.KIND_OF[body.kind]})
    form.body.choices = options([(body_meetings.KIND_OF[body.kind].value, body.name)])
    form.set_people(body_meetings.seat_users(session, body_id=body_id, day=today()))
    if form.validate_on_submit():
        data = _form_data(form)
        data.body_id = body.id
        try:
            assembly = services.create_assembly(
                session, data=data, actor=current_user, now=utcnow()
            )
        except DomainError as exc:
            fail(exc, form)
        else:
            flash(_("The meeting has been created as a draft. Add its agenda."), "success")
            return to_detail(assembly)
    return render_template("assemblies/form.html", form=form, assembly=None, body=body)


def _one_body(form: AssemblyEditForm, assembly: Assembly | None) -> None:
    """The general assembly here; a body's meeting is prepared on the body's page and stays
    its body's."""
    body = assembly.body if assembly is not None else Body.GENERAL_ASSEMBLY
    form.body.choices = options([(body.value, BODY_LABELS[body])])


def _people(assembly: Assembly) -> list[Any]:
    """Who may chair or keep the minutes: staff; at a body's meeting its seats and guests."""
    session = db()
    if assembly.body_id is None:
        return services.staff_users(session)
    seats = body_meetings.seat_users(session, body_id=assembly.body_id, day=today())
    invited = [u for _g, u in body_meetings.guests(session, assembly_id=int(assembly.id or 0))]
    return seats + [u for u in invited if u not in seats]


@bp.route("/<int:assembly_id>/edit", methods=["GET", "POST"])
@login_required
def edit(assembly_id: int) -> Any:
    """Change an assembly before it opens."""
    assembly = load_assembly(assembly_id, Assembly.can_manage)
    form = AssemblyEditForm(data=None if _posted() else _initial(assembly))
    _one_body(form, assembly)
    form.set_people(_people(assembly))
    if form.validate_on_submit():
        try:
            services.update_assembly(
                db(), assembly=assembly, data=_form_data(form), actor=current_user
            )
        except DomainError as exc:
            fail(exc, form)
        else:
            flash(_("Saved."), "success")
            return to_detail(assembly)
    return render_template("assemblies/form.html", form=form, assembly=assembly)


@bp.route("/<int:assembly_id>/delete", methods=["POST"])
@login_required
def delete(assembly_id: int) -> Any:
    """Delete a draft assembly (before it is convened) with its agenda and documents."""
    assembly = load_assembly(assembly_id, Assembly.can_manage)
    require(assembly.can_manage(current_user))
    if not ConfirmForm().validate_on_submit():
        return to_detail(assembly)
    title = assembly.title
    try:
        stored = services.delete_assembly(db(), assembly=assembly, actor=current_user)
    except DomainError as exc:
        fail(exc)
        return to_detail(assembly)
    db().commit()
    remove_files(current_app.config["UPLOAD_DIR"], stored)
    flash(_("The draft assembly “%(t)s” has been deleted.", t=title), "success")
    return redirect(url_for("assemblies.index"))


def _posted() -> bool:
    return request.method == "POST"


@bp.route("/<int:assembly_id>")
@login_required
def detail(assembly_id: int) -> Any:
    """The assembly: facts, agenda with documents, proposals, what the user may do."""
    assembly = load_assembly(assembly_id)
    session, user = db(), current_user
    staff = assembly.is_staff(user)
    item_form = CurrentItemForm(data={"item_id": assembly.current_item_id or 0})
    items = agenda(session, assembly_id=assembly.id)
    item_form.item_id.choices = options(
        [(0, "—")] + [(e.item.id, f"{_('TOP')} {e.number} {e.item.title}") for e in items]
    )
    return render_template(
        "assemblies/detail.html",
        assembly=assembly,
        items=items,
        staff=staff,
        documents=services.can_see_documents(session, assembly=assembly, user=user),
        attachments=attachments_by_item(session, assembly_id=assembly.id),
        proposals=hooks.proposals_of_assembly(
            session, assembly_id=assembly.id, public_only=not staff
        ),
        my_entry=services.my_roll_entry(session, assembly=assembly, user=user),
        key=hooks.key_ceremony(session, assembly_id=assembly.id),
        roll_count=roll_size(session, assembly_id=assembly.id),
        counts=present_counts(session, assembly_id=assembly.id, now=utcnow()),
        unannounced=unannounced_count(session, assembly_id=assembly.id),
        deadline=services.effective_proposal_deadline(
            assembly, default_days=proposal_deadline_days()
        ),
        item_form=item_form,
        form=ConfirmForm(),
    )


def _chair_action(assembly_id: int, action: Any, message: str, anchor: str = "chair") -> Any:
    assembly = load_assembly(assembly_id)
    require(assembly.can_chair(current_user))
    if ConfirmForm().validate_on_submit():
        try:
            action(db(), assembly=assembly, actor=current_user, now=utcnow())
        except DomainError as exc:
            fail(exc)
        else:
            forget_live(assembly.id)
            flash(message, "success")
    return to_detail(assembly, anchor)


@bp.route("/<int:assembly_id>/open", methods=["POST"])
@login_required
def open_session(assembly_id: int) -> Any:
    """The chair opens the assembly; without a chair the form asks for one."""
    assembly = load_assembly(assembly_id)
    require(assembly.can_chair(current_user))
    form = OpenSessionForm()
    form.set_people(services.staff_users(db()))
    if form.validate_on_submit():
        try:
            services.open_session(
                db(),
                assembly=assembly,
                actor=current_user,
                now=utcnow(),
                chair_user_id=form.chair_user_id.data or None,
            )
        except DomainError as exc:
            fail(exc, form)
            if form.chair_user_id.errors:
                return render_template("assemblies/open.html", assembly=assembly, form=form)
        else:
            forget_live(assembly.id)
            flash(_("The assembly is open."), "success")
    return to_detail(assembly, "chair")


@bp.route("/<int:assembly_id>/close", methods=["POST"])
@login_required
def close_session(assembly_id: int) -> Any:
    """The chair closes the assembly."""
    return _chair_action(assembly_id, services.close_session, _("The assembly is closed."))


@bp.route("/<int:assembly_id>/all-present", methods=["POST"])
@login_required
def all_present(assembly_id: int) -> Any:
    """The chair records that all members are present (§46(2))."""
    return _chair_action(
        assembly_id,
        services.declare_all_present,
        _("Recorded: all members are present. Late items can be resolved."),
    )


@bp.route("/<int:assembly_id>/current-item", methods=["POST"])
@login_required
def current_item(assembly_id: int) -> Any:
    """The chair calls an agenda item."""
    assembly = load_assembly(assembly_id)
    require(assembly.can_chair(current_user))
    form = CurrentItemForm()
    form.item_id.choices = options(
        [(0, "—")] + [(e.item.id, e.number) for e in agenda(db(), assembly_id=assembly.id)]
    )
    if form.validate_on_submit():
        try:
            services.set_current_item(
                db(), assembly=assembly, item_id=form.item_id.data or None, actor=current_user
            )
        except DomainError as exc:
            fail(exc)
        else:
            forget_live(assembly.id)
    if request.args.get("back") == "cockpit":
        return redirect(url_for("assemblies.cockpit", assembly_id=assembly.id))
    return to_detail(assembly, "chair")
