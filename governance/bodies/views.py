"""The bodies' pages: the list, a body's page (seats now and in the past, meetings, circulars,
room) and the managers' pages for bodies and seats.

A body's page is open to its current and former seats and to the managers (BOARD, ADMIN);
its room and circulars stay with its seats (views_rooms.py, views_circulars.py). Managing
bodies and seats is for the managers only (`manager_required`).
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import format_date
from flask_login import current_user, login_required

from governance.bodies import services
from governance.bodies.access import (
    current_seat,
    former_seats,
    load_body_page,
    manager_required,
    may_manage,
)
from governance.bodies.blueprint import bp
from governance.bodies.forms import (
    DissolveForm,
    EndTermForm,
    FunctionForm,
    SeatForm,
    SettingsForm,
    body_form,
)
from governance.bodies.models import Body, BodyKind, CircularRule, Seat, SeatFunction, SeatOrigin
from governance.bodies.queries import sat_anywhere, user_seats
from governance.errors import DomainError
from governance.i18n import _, today
from governance.web import db, fail, get_or_404


@bp.app_template_global("sits_in_a_body")
def sits_in_a_body() -> bool:
    """Whether the current user sits or sat in a body, or manages them (the nav's link)."""
    return may_manage() or sat_anywhere(db(), user=current_user)


@bp.route("/")
@login_required
def index() -> Any:
    """The bodies: all of them for the managers, else those the user sits or sat in."""
    session, manager = db(), may_manage()
    bodies = (
        services.all_bodies(session) if manager else services.bodies_of(session, user=current_user)
    )
    mine = {s.body_id for s in user_seats(session, user=current_user, day=today())}
    return render_template("bodies/index.html", bodies=bodies, manager=manager, mine=mine)


@bp.route("/<int:body_id>")
@login_required
def body(body_id: int) -> Any:
    """A body's page: its seats now and in the past, its meetings, circulars and room."""
    body = load_body_page(body_id)
    now, past = services.body_seats(db(), body=body, day=today())
    return render_template(
        "bodies/body.html", body=body, seats_now=now, seats_past=past,
        names=services.holder_names(db(), now + past), seat=current_seat(body),
        former=former_seats(body), manager=may_manage(), today=today(),
        parent=db().get(Body, body.parent_id) if body.parent_id else None,
    )  # fmt: skip


@bp.route("/new", methods=["GET", "POST"])
@manager_required
def body_new() -> Any:
    """Create a committee or working group (or a board, supervisory board, representative
    assembly the cooperative does not have yet)."""
    form = body_form(db())
    if form.validate_on_submit():
        try:
            new = services.create_body(
                db(), kind=BodyKind(form.kind.data), name=form.name.data, actor=current_user,
                description=form.description.data or "", parent_id=form.parent_id.data or None,
                quorum_percent=form.quorum_percent.data, notice_days=form.notice_days.data,
                circular_rule=CircularRule(form.circular_rule.data),
            )  # fmt: skip
        except DomainError as exc:
            fail(exc, form)
        else:
            flash(_("The body has been created."), "success")
            return redirect(url_for("bodies.body", body_id=new.id))
    return render_template("bodies/body_form.html", form=form, body=None)


@bp.route("/<int:body_id>/edit", methods=["GET", "POST"])
@manager_required
def body_edit(body_id: int) -> Any:
    """Change a body's name, description and rules."""
    body = get_or_404(Body, body_id)
    form = SettingsForm(obj=body)
    if form.validate_on_submit():
        try:
            services.change_body(
                db(), body=body, actor=current_user, name=form.name.data,
                description=form.description.data or "", quorum_percent=form.quorum_percent.data,
                notice_days=form.notice_days.data,
                circular_rule=CircularRule(form.circular_rule.data),
            )  # fmt: skip
        except DomainError as exc:
            fail(exc, form)
        else:
            flash(_("The settings have been saved."), "success")
            return redirect(url_for("bodies.body", body_id=body.id))
    return _edit_page(body, form, DissolveForm(data={"dissolved_on": today()}))


def _edit_page(body: Body, form: Any, dissolve: Any) -> Any:
    return render_template("bodies/body_form.html", form=form, body=body, dissolve=dissolve)


@bp.route("/<int:body_id>/dissolve", methods=["POST"])
@manager_required
def body_dissolve(body_id: int) -> Any:
    """Dissolve a committee or working group; its open terms end that day."""
    body, form = get_or_404(Body, body_id), DissolveForm()
    if form.validate_on_submit():
        try:
            services.dissolve_body(db(), body=body, on=form.dissolved_on.data, actor=current_user)
        except DomainError as exc:
            fail(exc, form)
        else:
            flash(_("The body has been dissolved."), "success")
            return redirect(url_for("bodies.body", body_id=body.id))
    return _edit_page(body, SettingsForm(obj=body), form)


@bp.route("/<int:body_id>/seats/new", methods=["GET", "POST"])
@manager_required
def seat_new(body_id: int) -> Any:
    """Seat a member (or, in a committee, a user), appointed or co-opted."""
    body, form = get_or_404(Body, body_id), SeatForm(data={"starts_on": today()})
    if form.validate_on_submit():
        try:
            services.add_seat(
                db(), body=body, actor=current_user, member=form.member_obj, user=form.user_obj,
                function=SeatFunction(form.function.data), origin=SeatOrigin(form.origin.data),
                starts_on=form.starts_on.data, ends_on=form.ends_on.data, note=form.note.data or "",
            )  # fmt: skip
        except DomainError as exc:
            fail(exc, form)
        else:
            flash(_("The seat has been added."), "success")
            return redirect(url_for("bodies.body", body_id=body.id))
    return render_template("bodies/seat_form.html", body=body, form=form)


def _seat(body_id: int, seat_id: int) -> tuple[Body, Seat]:
    body, seat = get_or_404(Body, body_id), get_or_404(Seat, seat_id)
    if seat.body_id != body.id:
        abort(404)
    return body, seat


def _seat_page(body: Body, seat: Seat, end: Any = None, function: Any = None) -> Any:
    return render_template(
        "bodies/seat.html", body=body, s=seat, name=services.holder_names(db(), [seat])[seat.id],
        end_form=end or EndTermForm(prefix="end", data={"ends_on": seat.ends_on or today()}),
        function_form=function or FunctionForm(prefix="fn", data={"function": seat.function.value}),
        today=today(),
    )  # fmt: skip


@bp.route("/<int:body_id>/seats/<int:seat_id>")
@manager_required
def seat(body_id: int, seat_id: int) -> Any:
    """One seat: its term and function, with the forms to end the term or change the function."""
    return _seat_page(*_seat(body_id, seat_id))


@bp.route("/<int:body_id>/seats/<int:seat_id>/end", methods=["POST"])
@manager_required
def seat_end(body_id: int, seat_id: int) -> Any:
    """End a seat's term on its last day (the seat stays as history)."""
    (body, seat), form = _seat(body_id, seat_id), EndTermForm(prefix="end")
    if form.validate_on_submit():
        try:
            services.end_term(db(), seat=seat, ends_on=form.ends_on.data, actor=current_user)
        except DomainError as exc:
            fail(exc, form)
        else:
            flash(_("The term ends on %(day)s.", day=format_date(form.ends_on.data)), "success")
            return redirect(url_for("bodies.body", body_id=body.id))
    return _seat_page(body, seat, end=form)


@bp.route("/<int:body_id>/seats/<int:seat_id>/function", methods=["POST"])
@manager_required
def seat_function(body_id: int, seat_id: int) -> Any:
    """Change a seat's function (chair, deputy, member)."""
    (body, seat), form = _seat(body_id, seat_id), FunctionForm(prefix="fn")
    if form.validate_on_submit():
        try:
            services.change_function(
                db(), seat=seat, function=SeatFunction(form.function.data), actor=current_user,
                day=today(),
            )  # fmt: skip
        except DomainError as exc:
            fail(exc, form)
        else:
            flash(_("The function has been changed."), "success")
            return redirect(url_for("bodies.body", body_id=body.id))
    return _seat_page(body, seat, function=form)
