"""Seat offers: the board offers the seats of an election to the elected members; a member
answers their own offers (accept or decline) on "my offers".

The board's pages (Role.BOARD or Role.ADMIN) are the body's offers and the offer from an
election; a member sees and answers only their own offers (403 for anyone else's). The
body page and the start page include `_body_offers.html` and `_my_offers.html`, fed by the
template globals below.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from governance.accounts.models import Role
from governance.bodies import hooks_offers, offers
from governance.bodies.blueprint import bp
from governance.bodies.forms_offers import AnswerForm, offer_form
from governance.bodies.models import Body, SeatFunction
from governance.bodies.models_offers import SeatOffer
from governance.db import utcnow
from governance.errors import DomainError
from governance.i18n import _, today
from governance.register.models import Member
from governance.security import role_required
from governance.web import db, fail, get_or_404, require

MANAGERS = (Role.BOARD, Role.ADMIN)


def _is_manager() -> bool:
    return bool(current_user.is_authenticated and current_user.has_any_role(*MANAGERS))


def _rows(items: list[SeatOffer]) -> list[dict[str, Any]]:
    """Each offer with its body, member and election, for the tables; whether its term ended
    unanswered (lapsed)."""
    elections: dict[int, Any] = {}
    day = today()
    out = []
    for offer in items:
        if offer.poll_id not in elections:
            elections[offer.poll_id] = hooks_offers.published_election(db(), poll_id=offer.poll_id)
        out.append(
            {
                "offer": offer,
                "body": db().get(Body, offer.body_id),
                "member": db().get(Member, offer.member_id),
                "election": elections[offer.poll_id],
                "lapsed": offer.lapsed_on(day),
            }
        )
    return out


@bp.app_template_global("my_seat_offers")
def my_seat_offers() -> list[dict[str, Any]]:
    """The current user's open offers (for the start page's partial)."""
    if not current_user.is_authenticated:
        return []
    member_id = getattr(current_user, "member_id", None)
    return _rows(offers.open_offers_of(db(), member_id=member_id, day=today()))


@bp.app_template_global("body_seat_offers")
def body_seat_offers(body: Body) -> list[dict[str, Any]] | None:
    """The offers of `body` for the body page's partial; None unless the user is the board."""
    if not _is_manager():
        return None
    return _rows(offers.offers_of_body(db(), body_id=int(body.id or 0)))


@bp.route("/offers")
@login_required
def my_offers() -> Any:
    """The seats offered to me: the open ones to answer, and my earlier answers."""
    member_id = getattr(current_user, "member_id", None)
    mine = []
    if member_id is not None:
        query = select(SeatOffer).where(SeatOffer.member_id == member_id)
        mine = list(db().execute(query.order_by(SeatOffer.id.desc())).scalars())  # type: ignore[union-attr]
    rows = _rows(mine)
    return render_template(
        "bodies/my_offers.html",
        open_rows=[r for r in rows if r["offer"].is_open and not r["lapsed"]],
        done_rows=[r for r in rows if not r["offer"].is_open or r["lapsed"]],
        form=AnswerForm(),
    )


def _answer(offer_id: int, accepting: bool) -> Any:
    offer = get_or_404(SeatOffer, offer_id)
    require(offer.member_id == getattr(current_user, "member_id", None))
    if AnswerForm().validate_on_submit():
        try:
            if accepting:
                offers.accept(db(), offer=offer, user=current_user, today=today(), now=utcnow())
                flash(
                    _("You have accepted the seat. Your term starts on its first day."), "success"
                )
            else:
                offers.decline(db(), offer=offer, user=current_user, now=utcnow())
                flash(_("You have declined the seat."), "success")
        except DomainError as error:
            fail(error)
    return redirect(url_for(".my_offers"))


@bp.route("/offers/<int:offer_id>/accept", methods=["POST"])
@login_required
def seat_offer_accept(offer_id: int) -> Any:
    """The elected member accepts the seat: the seat is created, the term starts."""
    return _answer(offer_id, accepting=True)


@bp.route("/offers/<int:offer_id>/decline", methods=["POST"])
@login_required
def seat_offer_decline(offer_id: int) -> Any:
    """The elected member declines the seat."""
    return _answer(offer_id, accepting=False)


@bp.route("/<int:body_id>/offers")
@role_required(*MANAGERS)
def seat_offers(body_id: int) -> Any:
    """The body's seat offers with their answers (the board)."""
    body = get_or_404(Body, body_id)
    rows = _rows(offers.offers_of_body(db(), body_id=int(body.id or 0)))
    return render_template("bodies/offers.html", body=body, rows=rows, form=AnswerForm())


def _members() -> list[tuple[int, str]]:
    query = select(Member).where(Member.status.in_(offers.SEATABLE)).order_by(Member.sort_name)  # type: ignore[attr-defined]
    return [(int(m.id or 0), f"{m.display_name} ({m.number})") for m in db().scalars(query)]


@bp.route("/<int:body_id>/offers/new", methods=["GET", "POST"])
@role_required(*MANAGERS)
def seat_offers_new(body_id: int) -> Any:
    """Offer the seats of a published election: choose it, map each elected to a member."""
    body = get_or_404(Body, body_id)
    poll_id = request.args.get("poll", type=int)
    if poll_id is None:
        elections = hooks_offers.published_elections(db())
        return render_template("bodies/offers_new.html", body=body, elections=elections)
    election = hooks_offers.published_election(db(), poll_id=poll_id)
    if election is None:
        abort(404)
    candidates = list(election.elected)
    proposed = offers.proposed_members(db(), labels=candidates)
    form = offer_form(candidates, _members(), proposed, max(election.held_on, today()))
    if form.validate_on_submit():
        try:
            made = offers.offer_seats(
                db(), body=body, poll_id=election.poll_id, function=SeatFunction(form.function.data),
                assignments=[offers.Assignment(c, m) for c, m in form.assigned(candidates)],
                starts_on=form.starts_on.data, ends_on=form.ends_on.data, actor=current_user,
                now=utcnow(),
            )  # fmt: skip
        except DomainError as error:
            fail(error, form)
        else:
            flash(_("Seats offered: %(n)d. The members are told.", n=len(made)), "success")
            return redirect(url_for(".seat_offers", body_id=body.id))
    return render_template(
        "bodies/offers_new.html", body=body, election=election, form=form,
        candidates=candidates, proposed=proposed,
    )  # fmt: skip


@bp.route("/<int:body_id>/offers/<int:offer_id>/withdraw", methods=["POST"])
@role_required(*MANAGERS)
def seat_offer_withdraw(body_id: int, offer_id: int) -> Any:
    """The board withdraws an open offer."""
    offer = get_or_404(SeatOffer, offer_id)
    if offer.body_id != body_id:
        abort(404)
    if AnswerForm().validate_on_submit():
        try:
            offers.withdraw(db(), offer=offer, actor=current_user, now=utcnow())
            flash(_("The offer is withdrawn."), "success")
        except DomainError as error:
            fail(error)
    return redirect(url_for(".seat_offers", body_id=body_id))
