"""Tellers (paper ballots in the room), the chair's declaration, and the poll's audit page."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from governance.accounts.forms import ConfirmForm
from governance.assemblies.models import Assembly, Attendance, Channel, RollEntry
from governance.ballots import choices as ch
from governance.ballots import paper, publishing, runoff
from governance.ballots.access import can_prepare, can_run, is_staff, load_poll
from governance.ballots.blueprint import bp, to_poll
from governance.ballots.charts import bar_chart, chart_rows
from governance.ballots.decrypt import AwaitingDecryption
from governance.ballots.forms import (
    ANSWER_LABELS,
    MOTION_LABELS,
    DeclarationForm,
    RoomVoterForm,
    build_paper_form,
    paper_values,
)
from governance.ballots.models import Participation, Poll, PollOption, PollState
from governance.ballots.shape import shape_of
from governance.ballots.tally import PollResult, compute_result, paper_counts
from governance.ballots.verify import verify_poll
from governance.db import utcnow
from governance.errors import DomainError
from governance.i18n import _
from governance.register.models import Member
from governance.web import db, fail, require


def _room_candidates(poll: Poll) -> list[Member]:
    """Roll members checked in in the room who have not voted in this poll."""
    voted = select(Participation.member_id).where(Participation.poll_id == poll.id)
    return list(
        db().scalars(
            select(Member)
            .join(RollEntry, RollEntry.member_id == Member.id)
            .join(
                Attendance,
                (Attendance.member_id == Member.id) & (Attendance.assembly_id == poll.assembly_id),
            )
            .where(
                RollEntry.assembly_id == poll.assembly_id,
                Attendance.channel == Channel.ROOM,
                Attendance.checked_out_at.is_(None),
                Member.id.not_in(voted),
            )
            .order_by(Member.sort_name, Member.number)
        )
    )


def _matching(members: list[Member], query: str) -> list[Member]:
    """The members whose name or member number contains every word of the query."""
    words = query.casefold().split()
    return [
        m for m in members if all(w in f"{m.display_name} {m.number}".casefold() for w in words)
    ]


@bp.route("/<int:poll_id>/room", methods=["GET", "POST"])
@login_required
def room_voters(poll_id: int) -> Any:
    """Tellers register members handing in a paper ballot (they cannot then vote online): found
    by name or number among those present, confirmed by name, undone until the close."""
    poll, assembly = load_poll(poll_id)
    require(can_prepare(current_user, assembly))
    members = _room_candidates(poll)
    form = RoomVoterForm()
    if form.validate_on_submit():
        member = next((m for m in members if m.id == form.member_id.data), None)
        if member is None:
            flash(_("This member is not present in the room or has voted already."), "error")
        else:
            _register(poll, member)
        return redirect(url_for("ballots.room_voters", poll_id=poll.id))
    query = request.args.get("q", "").strip()[:100]
    chosen = next((m for m in members if m.id == request.args.get("member", type=int)), None)
    if chosen is not None:
        form.member_id.data = chosen.id
    return render_template(
        "ballots/room.html",
        poll=poll,
        form=form,
        query=query,
        members=_matching(members, query),
        chosen=chosen,
        registered=paper.room_registrations(db(), poll=poll),
        votes=paper.room_votes(db(), poll=poll),
        undo_form=ConfirmForm(),
    )


def _register(poll: Poll, member: Member) -> None:
    try:
        paper.register_room_voter(
            db(), poll=poll, member_id=member.id or 0, cast_by_member_id=member.id or 0,
            now=utcnow(), actor=current_user,
        )  # fmt: skip
    except DomainError as exc:
        fail(exc)
    else:
        flash(_("Paper ballot registered for %(name)s.", name=member.display_name), "success")


@bp.route("/<int:poll_id>/room/<int:member_id>/undo", methods=["POST"])
@login_required
def undo_room_voter(poll_id: int, member_id: int) -> Any:
    """Undo a paper ballot's registration (entered in error) while the poll is open."""
    poll, assembly = load_poll(poll_id)
    require(can_prepare(current_user, assembly))
    if ConfirmForm().validate_on_submit():
        try:
            paper.undo_room_voter(db(), poll=poll, member_id=member_id, actor=current_user)
        except DomainError as exc:
            fail(exc)
        else:
            flash(_("The paper ballot's registration has been undone."), "success")
    return redirect(url_for("ballots.room_voters", poll_id=poll.id))


def item_labels(shape: ch.Shape, options: list[PollOption]) -> list[tuple[str, str]]:
    """(item, label) of every paper-count item of the poll."""
    names = {str(o.id): o.label for o in options}
    labels = {
        ch.BALLOTS: _("Valid paper ballots"),
        ch.INVALID: _("Invalid paper ballots"),
        **{k: str(v) for k, v in MOTION_LABELS.items()},
    }
    result = []
    for item in ch.paper_items(shape):
        oid, sep, answer = item.partition(":")
        if item in labels:
            result.append((item, labels[item]))
        elif sep:
            result.append((item, f"{names[oid]}: {ANSWER_LABELS[answer]}"))
        else:
            result.append((item, _("Votes for %(name)s", name=names[oid])))
    return result


@bp.route("/<int:poll_id>/paper", methods=["GET", "POST"])
@login_required
def paper_count(poll_id: int) -> Any:
    """The tellers' count of the paper ballots, after the close."""
    poll, assembly = load_poll(poll_id)
    require(can_prepare(current_user, assembly))
    shape, options = shape_of(db(), poll)
    items = item_labels(shape, options)
    current = paper_counts(db(), poll_id=poll.id)
    defaults = {f"i_{k.replace(':', '_')}": current.get(k, 0) for k, _l in items}
    form = build_paper_form(items, data=defaults)
    if form.validate_on_submit():
        try:
            paper.set_paper_counts(
                db(), poll=poll, counts=paper_values(form, items), actor=current_user
            )
        except DomainError as exc:
            fail(exc)
        else:
            flash(_("The paper count has been recorded."), "success")
            return to_poll(poll)
    return render_template(
        "ballots/paper.html",
        poll=poll,
        form=form,
        items=items,
        expected=paper.room_votes(db(), poll=poll),
    )


def default_declaration(poll: Poll, result: PollResult) -> str:
    """A proposal for the chair's words, to be checked and confirmed."""
    if result.kind == "MOTION":
        verdict = {
            "ADOPTED": _("adopted"),
            "REJECTED": _("rejected"),
            "TIE": _("not adopted (tie)"),
        }[result.outcome]
        return _(
            "The chair declares: the motion “%(title)s” is %(verdict)s. Yes %(yes)d, no %(no)d, "
            "abstentions %(abstain)d, invalid %(invalid)d.",
            title=poll.title,
            verdict=verdict,
            yes=result.counts.get("YES", 0),
            no=result.counts.get("NO", 0),
            abstain=result.abstentions,
            invalid=result.invalid,
        )
    if result.tied:
        return _(
            "The chair declares: elected %(e)s; tie between %(t)s for the remaining seat(s).",
            e=", ".join(result.elected) or "—",
            t=", ".join(result.tied),
        )
    return _("The chair declares: elected are %(e)s.", e=", ".join(result.elected) or "—")


@bp.route("/<int:poll_id>/declare", methods=["GET", "POST"])
@login_required
def declare(poll_id: int) -> Any:
    """The chair reviews the count of the sealed poll and confirms the declaration."""
    poll, assembly = load_poll(poll_id)
    require(can_run(current_user, assembly))
    if poll.state != PollState.SEALED:
        flash(_("Only a sealed poll can be declared."), "info")
        return to_poll(poll)
    try:
        result = compute_result(db(), poll=poll)
    except AwaitingDecryption as exc:  # an encrypted poll before t tellers decrypted it
        flash(_("The result is %(waiting)s.", waiting=str(exc)), "info")
        return to_poll(poll)
    form = DeclarationForm()
    if not form.is_submitted():
        form.declaration.data = default_declaration(poll, result)
    if form.validate_on_submit():
        try:
            publishing.publish_poll(
                db(), poll=poll, actor=current_user, declaration=form.declaration.data, now=utcnow()
            )
        except DomainError as exc:
            fail(exc, form)
        else:
            flash(_("The result is published."), "success")
            return redirect(url_for("ballots.results", poll_id=poll.id))
    chart = bar_chart(chart_rows(result), title=poll.title)
    return render_template(
        "ballots/declare.html",
        poll=poll,
        assembly=assembly,
        form=form,
        result=result,
        chart=chart,
        needs_runoff=runoff.needs_runoff(db(), poll=poll, result=result),
        runoff=runoff.runoff_of(db(), poll_id=poll.id or 0),
    )


@bp.route("/<int:poll_id>/runoff", methods=["POST"])
@login_required
def create_runoff(poll_id: int) -> Any:
    """Create the run-off of a tied election (a draft with the tied candidates)."""
    poll, assembly = load_poll(poll_id)
    require(can_run(current_user, assembly))
    if ConfirmForm().validate_on_submit():
        try:
            result = compute_result(db(), poll=poll)
            runoff.create_runoff(db(), poll=poll, result=result, actor=current_user)
        except DomainError as exc:
            fail(exc)
        else:
            flash(
                _("The run-off is prepared as a draft: declare this result, then open it."),
                "success",
            )
    return redirect(url_for("ballots.declare", poll_id=poll.id))


@bp.route("/<int:poll_id>/audit")
@login_required
def audit(poll_id: int) -> Any:
    """The secretary's checks of the poll (counts, roll, mandates, choices, seal, tally)."""
    poll, assembly = load_poll(poll_id)
    require(is_staff(current_user) or can_run(current_user, assembly))
    checks = verify_poll(db(), poll=poll)
    return render_template(
        "ballots/audit.html",
        poll=poll,
        checks=checks,
        assembly=db().get(Assembly, poll.assembly_id),
    )
