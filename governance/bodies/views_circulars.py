"""Circular resolutions of a body: the list, sending (the chair), the page, voting, the PDF.

Everything loads its body through `load_body` (only the body's seats; former seats read the
circulars their seat was asked in, read-only). A circular whose deadline has passed is
concluded when its page or the list is next viewed (and by `governance circulars conclude`).
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from governance.bodies import (
    circular_render,
    circulars,
    commands_circulars,  # noqa: F401  (the CLI command)
)
from governance.bodies.access import current_seat, former_seats, load_body
from governance.bodies.blueprint import bp
from governance.bodies.forms_circulars import CircularForm, ObjectionForm, VoteForm, to_utc
from governance.bodies.models import Body
from governance.bodies.models_circulars import Circular, CircularChoice
from governance.db import utcnow
from governance.errors import DomainError
from governance.i18n import _, today
from governance.web import begin_writing, db, fail, get_or_404, require


def _visible(body: Body) -> list[Circular]:
    """The body's circulars the current user may read: all for a current seat; for a former
    seat those it was asked in."""
    if current_seat(body) is not None:
        return circulars.circulars_of(db(), body_id=int(body.id or 0))
    return circulars.circulars_of(
        db(), body_id=int(body.id or 0), seat_ids=[int(s.id or 0) for s in former_seats(body)]
    )


def _circular(body: Body, circular_id: int) -> Circular:
    circular = get_or_404(Circular, circular_id)
    if circular.body_id != body.id:
        abort(404)
    require(circular in _visible(body))
    return circular


def _settle(body: Body) -> None:
    """Conclude the body's circulars whose deadline has passed."""
    now = utcnow()
    if any(
        c.is_open and c.deadline < now
        for c in circulars.circulars_of(db(), body_id=int(body.id or 0))
    ):
        begin_writing()
        circulars.conclude_due(db(), now=now, render=circular_render.pdf, body_id=body.id)


def _is_chair(body: Body) -> bool:
    chair = circulars.body_chair(db(), body_id=int(body.id or 0), day=today())
    user = circulars.seat_user(db(), chair) if chair is not None else None
    return user is not None and user.id == current_user.id


@bp.app_template_global("body_circulars")
def body_circulars(body: Body) -> list[Circular]:
    """The circulars of `body` for the body page's partial."""
    return _visible(body)


@bp.route("/<int:body_id>/circulars")
@login_required
def circulars_list(body_id: int) -> Any:
    """The body's circular resolutions."""
    body = load_body(body_id, former=True)
    _settle(body)
    return render_template(
        "bodies/circulars.html", body=body, items=_visible(body), is_chair=_is_chair(body)
    )


@bp.route("/<int:body_id>/circulars/new", methods=["GET", "POST"])
@login_required
def circular_new(body_id: int) -> Any:
    """The chair sends a circular resolution to every current seat."""
    body = load_body(body_id)
    require(_is_chair(body))
    form = CircularForm()
    if form.validate_on_submit():
        try:
            circular = circulars.send_circular(
                db(), body=body, sender=current_user, title=form.title.data or "",
                motion=form.motion.data or "", reasoning=form.reasoning.data or "",
                deadline=to_utc(form.deadline.data), now=utcnow(), day=today(), notice=circular_render.notice,
            )  # fmt: skip
        except DomainError as error:
            fail(error, form)
        else:
            flash(_("The circular resolution has been sent to every seat."), "success")
            return redirect(url_for(".circular_page", body_id=body.id, circular_id=circular.id))
    return render_template("bodies/circular_form.html", body=body, form=form)


@bp.route("/<int:body_id>/circulars/<int:circular_id>")
@login_required
def circular_page(body_id: int, circular_id: int) -> Any:
    """The motion, who has answered (by name), my vote, the result."""
    body = load_body(body_id, former=True)
    _settle(body)
    circular = _circular(body, circular_id)
    mine = circulars.my_answer(db(), circular=circular, user=current_user)
    can_vote = circular.is_open and mine is not None and mine.vote is None
    can_vote = can_vote and current_seat(body) is not None  # a former seat only reads
    return render_template(
        "bodies/circular.html", body=body, circular=circular, mine=mine, can_vote=can_vote,
        answers=circulars.answers(db(), circular=circular), vote_form=VoteForm(),
        objection_form=ObjectionForm(), record=circulars.record_of(db(), circular=circular),
    )  # fmt: skip


def _cast(body_id: int, circular_id: int, form: Any, choice: Any) -> Any:
    body = load_body(body_id)
    circular = _circular(body, circular_id)
    if form.validate_on_submit():
        try:
            circulars.cast_vote(
                db(), circular=circular, user=current_user, choice=choice(form),
                now=utcnow(), day=today(), render=circular_render.pdf,
            )  # fmt: skip
            flash(_("Your vote has been recorded."), "success")
        except DomainError as error:
            fail(error)
    else:
        flash(_("Choose your answer first."), "error")
    return redirect(url_for(".circular_page", body_id=body.id, circular_id=circular.id))


@bp.route("/<int:body_id>/circulars/<int:circular_id>/vote", methods=["POST"])
@login_required
def circular_vote(body_id: int, circular_id: int) -> Any:
    """A seat's vote on the motion: yes, no or abstain (final)."""
    return _cast(body_id, circular_id, VoteForm(), lambda f: CircularChoice(f.choice.data))


@bp.route("/<int:body_id>/circulars/<int:circular_id>/object", methods=["POST"])
@login_required
def circular_object(body_id: int, circular_id: int) -> Any:
    """A seat's objection to the written procedure: it stops the circular."""
    return _cast(body_id, circular_id, ObjectionForm(), lambda _f: CircularChoice.OBJECTION)


@bp.route("/<int:body_id>/circulars/<int:circular_id>/record.pdf")
@login_required
def circular_record(body_id: int, circular_id: int) -> Any:
    """The concluded circular's page of the minutes book (PDF)."""
    body = load_body(body_id, former=True)
    record = circulars.record_of(db(), circular=_circular(body, circular_id))
    if record is None:
        abort(404)
    name = f"circular-{circular_id}.pdf"
    return Response(
        record.pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
