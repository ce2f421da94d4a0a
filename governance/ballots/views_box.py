"""The sealed ballot box (every tracker, and a voter's lookup of their own) and the results
(with the named votes of an open poll)."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, render_template, request
from flask_login import login_required
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from governance.accounts.models import User
from governance.ballots.access import load_poll, may_see_box
from governance.ballots.blueprint import bp, describe, to_poll
from governance.ballots.charts import bar_chart, chart_rows
from governance.ballots.forms import TrackerForm
from governance.ballots.models import Ballot, NamedVote, Participation, Poll
from governance.ballots.paper import room_votes
from governance.ballots.services import published_result
from governance.ballots.shape import shape_of
from governance.ballots.trackers import format_tracker, parse_tracker
from governance.i18n import _
from governance.register.models import Member
from governance.web import db

BOX_PAGE = 500


def _with_choices(poll: Poll) -> bool:
    """Whether the box shows each ballot's choice: never for an encrypted poll (nobody knows
    a single ballot's choice; the tellers decrypt only the sums)."""
    return poll.publish_choices and not poll.is_encrypted


def _box_page(poll: Poll, page: int) -> list[tuple[str, str]]:
    shape, options = shape_of(db(), poll)
    rows = (
        db()
        .execute(
            select(Ballot.tracker, Ballot.choice)
            .where(Ballot.poll_id == poll.id)
            .order_by(Ballot.tracker)
            .limit(BOX_PAGE)
            .offset((page - 1) * BOX_PAGE)
        )
        .all()
    )
    return [
        (format_tracker(bytes(t)), describe(c, shape, options) if _with_choices(poll) else "")
        for t, c in rows
    ]


def _lookup(poll: Poll, form: TrackerForm) -> dict[str, Any] | None:
    tracker = parse_tracker(form.tracker.data or "")
    if tracker is None:
        form.tracker.errors.append(_("This is not a tracker: 26 characters, e.g. 0A3F-…"))
        return None
    row = (
        db()
        .execute(select(Ballot.choice).where(Ballot.poll_id == poll.id, Ballot.tracker == tracker))
        .first()
    )
    if row is None:
        return {"found": False, "tracker": format_tracker(tracker)}
    shape, options = shape_of(db(), poll)
    choice = describe(row[0], shape, options) if _with_choices(poll) else None
    return {"found": True, "tracker": format_tracker(tracker), "choice": choice}


@bp.route("/<int:poll_id>/box", methods=["GET", "POST"])
@login_required
def box(poll_id: int) -> Any:
    """The sealed ballot box, sorted by tracker; a member looks up their own (by POST)."""
    poll, assembly = load_poll(poll_id)
    if not may_see_box(assembly):
        abort(403)
    if not poll.is_sealed:
        flash(_("The ballot box is shown once the poll is closed and sealed."), "info")
        return to_poll(poll)
    form = TrackerForm()
    found = _lookup(poll, form) if form.validate_on_submit() else None
    total = db().scalar(select(func.count()).where(Ballot.poll_id == poll.id)) or 0
    pages = max(1, -(-total // BOX_PAGE))
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), pages)
    return render_template(
        "ballots/box.html",
        poll=poll,
        form=form,
        found=found,
        rows=_box_page(poll, page),
        total=total,
        page=page,
        pages=pages,
        paper_votes=room_votes(db(), poll=poll),
    )


def _named(poll: Poll) -> list[tuple[Member, str, str | None]]:
    """Who voted what, with who cast the vote for a member represented by proxy: a member
    (name) or a relative who is not a member (name, marked)."""
    shape, options = shape_of(db(), poll)
    proxy, relative = aliased(Member), aliased(User)
    rows = (
        db()
        .execute(
            select(Member, NamedVote.choice, proxy, relative.display_name)
            .join(NamedVote, NamedVote.member_id == Member.id)
            .join(
                Participation,
                (Participation.poll_id == NamedVote.poll_id)
                & (Participation.member_id == NamedVote.member_id),
            )
            .outerjoin(
                proxy,
                (proxy.id == Participation.cast_by_member_id) & (proxy.id != Member.id),
            )
            .outerjoin(relative, relative.id == Participation.cast_by_user_id)
            .where(NamedVote.poll_id == poll.id)
            .order_by(Member.sort_name, Member.number)
        )
        .all()
    )
    return [
        (m, describe(c, shape, options), _by_proxy(member_proxy, relative_name))
        for m, c, member_proxy, relative_name in rows
    ]


def _by_proxy(member_proxy: Member | None, relative: str | None) -> str | None:
    if relative is not None:
        return _("%(name)s (relative, not a member)", name=relative)
    return member_proxy.display_name if member_proxy is not None else None


@bp.route("/<int:poll_id>/results")
@login_required
def results(poll_id: int) -> Any:
    """The published result: figures, an SVG bar chart, the declaration; who voted what if named."""
    poll, assembly = load_poll(poll_id)
    result = published_result(poll)
    if result is None:
        flash(_("The result has not been published yet."), "info")
        return to_poll(poll)
    chart = bar_chart(chart_rows(result), title=poll.title)
    named = [] if poll.secret else _named(poll)
    return render_template(
        "ballots/results.html",
        poll=poll,
        assembly=assembly,
        result=result,
        chart=chart,
        named=named,
    )
