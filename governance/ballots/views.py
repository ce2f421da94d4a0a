"""Views of the ballots domain: polls of an assembly, preparing, opening and closing.

Voting, the ballot box and results are in views_vote.py; paper counts, the declaration and
the audit page in views_count.py. All add their routes to `blueprint.bp`.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from governance.accounts.forms import ConfirmForm
from governance.assemblies.access import load_assembly
from governance.assemblies.forms import to_utc
from governance.assemblies.models import Assembly, AssemblyState, RollEntry
from governance.assemblies.models_agenda import AgendaItem
from governance.ballots import decrypt, scrub, services
from governance.ballots.access import (
    can_prepare,
    can_prepare_for,
    can_run,
    is_staff,
    load_poll,
    may_see_box,
)
from governance.ballots.blueprint import bp, to_poll
from governance.ballots.editing import update_poll
from governance.ballots.forms import (
    KIND_LABELS,
    MAJORITY_LABELS,
    MODE_LABELS,
    ExclusionForm,
    OpenPollForm,
    PollForm,
    select_choices,
)
from governance.ballots.models import ElectionMode, Majority, Poll, PollKind, PollState
from governance.ballots.wording import majority_line
from governance.db import utcnow
from governance.errors import DomainError
from governance.i18n import _, _l, register_labels
from governance.proposals.models import Proposal, ProposalState
from governance.register.models import Member
from governance.web import db, fail, require

STATE_LABELS = {
    PollState.DRAFT: _l("Draft"),
    PollState.OPEN: _l("Open"),
    PollState.CLOSED: _l("Closed"),
    PollState.SEALED: _l("Sealed"),
    PollState.PUBLISHED: _l("Published"),
}
register_labels(STATE_LABELS)


@bp.app_context_processor
def _labels() -> dict[str, Any]:
    return {
        "POLL_KIND_LABELS": KIND_LABELS,
        "POLL_MAJORITY_LABELS": MAJORITY_LABELS,
        "POLL_MODE_LABELS": MODE_LABELS,
        "poll_majority_line": majority_line,
    }


@bp.route("/")
@login_required
def index() -> Any:
    """Open polls of assemblies in session, and recent results."""
    rows = (
        db()
        .execute(
            select(Poll, Assembly)
            .join(Assembly, Assembly.id == Poll.assembly_id)
            .where(Poll.state != PollState.DRAFT)
            .order_by(Poll.id.desc())
            .limit(100)
        )
        .all()
    )
    visible = [(p, a) for p, a in rows if a.can_see(current_user)]
    open_polls = [(p, a) for p, a in visible if p.state == PollState.OPEN]
    others = [(p, a) for p, a in visible if p.state != PollState.OPEN]
    return render_template(
        "ballots/index.html", open_polls=open_polls, others=others, STATE_LABELS=STATE_LABELS
    )


@bp.route("/assembly/<int:assembly_id>")
@login_required
def assembly_polls(assembly_id: int) -> Any:
    """The polls of one assembly."""
    assembly = load_assembly(assembly_id)
    prepare = can_prepare(current_user, assembly)
    stmt = select(Poll).where(Poll.assembly_id == assembly_id).order_by(Poll.id)
    polls = [
        p
        for p in db().scalars(stmt)
        if p.state != PollState.DRAFT or prepare or is_staff(current_user)
    ]
    return render_template(
        "ballots/assembly_polls.html",
        assembly=assembly,
        polls=polls,
        can_prepare=prepare,
        STATE_LABELS=STATE_LABELS,
    )


def _poll_form(assembly: Assembly, poll: Poll | None = None) -> PollForm:
    form = PollForm(obj=poll)
    if not form.is_submitted():
        if poll is None:
            form.publish_choices.data = bool(current_app.config["PUBLISH_CHOICES_DEFAULT"])
        else:  # editing a draft: the form shows it as it is
            form.agenda_item_id.data = poll.agenda_item_id or 0
            form.proposal_id.data = poll.proposal_id or 0
            options = services.options_of(db(), poll_id=poll.id)
            form.candidates.data = "\n".join(o.label for o in options)
    items = db().scalars(
        select(AgendaItem).where(AgendaItem.assembly_id == assembly.id).order_by(AgendaItem.id)
    )
    form.agenda_item_id.choices = select_choices([(0, "—")] + [(i.id, i.title) for i in items])
    proposals = db().scalars(
        select(Proposal).where(
            Proposal.assembly_id == assembly.id,
            Proposal.state.in_([ProposalState.ADMITTED, ProposalState.IN_VOTE]),
        )
    )
    form.proposal_id.choices = select_choices([(0, "—")] + [(p.id, p.title) for p in proposals])
    return form


def _poll_data(form: PollForm) -> services.PollData:
    return services.PollData(
        title=form.title.data or "",
        description=form.description.data or "",
        kind=PollKind(form.kind.data),
        majority=Majority(form.majority.data),
        election_mode=ElectionMode(form.election_mode.data)
        if form.kind.data == PollKind.ELECTION
        else None,
        seats=form.seats.data or 1,
        secret=bool(form.secret.data),
        publish_choices=bool(form.publish_choices.data),
        candidates=(form.candidates.data or "").splitlines(),
        agenda_item_id=form.agenda_item_id.data or None,
        proposal_id=form.proposal_id.data or None,
    )


@bp.route("/assembly/<int:assembly_id>/new", methods=["GET", "POST"])
@login_required
def new_poll(assembly_id: int) -> Any:
    """Prepare a poll (draft)."""
    assembly = load_assembly(assembly_id, can_prepare_for)
    form = _poll_form(assembly)
    if form.validate_on_submit():
        try:
            poll = services.create_poll(
                db(), assembly=assembly, data=_poll_data(form), actor=current_user
            )
        except DomainError as exc:
            fail(exc, form)
        else:
            flash(_("The poll has been prepared."), "success")
            return to_poll(poll)
    return render_template("ballots/poll_form.html", form=form, assembly=assembly)


@bp.route("/<int:poll_id>/edit", methods=["GET", "POST"])
@login_required
def edit_poll(poll_id: int) -> Any:
    """Change a draft poll (as prepared); once open it is fixed."""
    poll, assembly = load_poll(poll_id)
    require(can_prepare(current_user, assembly))
    if poll.state != PollState.DRAFT:
        flash(_("Only a draft poll can be edited; this one is open or over."), "error")
        return to_poll(poll)
    form = _poll_form(assembly, poll)
    if form.validate_on_submit():
        try:
            changed = update_poll(db(), poll=poll, data=_poll_data(form), actor=current_user)
        except DomainError as exc:
            fail(exc, form)
        else:
            flash(
                _("The draft poll has been saved.") if changed else _("Nothing changed."), "success"
            )
            return to_poll(poll)
    return render_template("ballots/poll_form.html", form=form, assembly=assembly, poll=poll)


@bp.route("/<int:poll_id>")
@login_required
def poll(poll_id: int) -> Any:
    """A poll: its state, turnout while open (never a running tally), and the actions."""
    poll, assembly = load_poll(poll_id)
    job = scrub.job_of(db(), poll_id=poll.id or 0) if poll.is_sealed else None
    return render_template(
        "ballots/poll.html",
        poll=poll,
        decryption=_decryption(poll),
        scrub=job,
        scrub_waits_for=scrub.describe(job) if job else None,
        assembly=assembly,
        options=services.options_of(db(), poll_id=poll.id),
        turnout=services.turnout(db(), poll_id=poll.id),
        can_run=can_run(current_user, assembly),
        can_prepare=can_prepare(current_user, assembly),
        may_see_box=may_see_box(assembly),
        open_form=OpenPollForm(),
        confirm=ConfirmForm(),
        STATE_LABELS=STATE_LABELS,
        assembly_open=assembly.state == AssemblyState.IN_SESSION,
    )


def _decryption(poll: Poll) -> dict[str, Any] | None:
    """An encrypted poll's decryption for its page: progress, and whether the user decrypts."""
    if not poll.is_encrypted:
        return None
    state = decrypt.status(db(), poll=poll) if poll.is_sealed else None
    return {
        "state": state,
        "waiting": decrypt.waiting_text(len(state.posted), state.needed) if state else "",
        "teller": decrypt.teller_of(db(), poll=poll, user_id=current_user.id) is not None,
    }


@bp.route("/<int:poll_id>/exclusions", methods=["GET", "POST"])
@login_required
def exclusions(poll_id: int) -> Any:
    """Members excluded from the poll (§43(6) GenG)."""
    poll, assembly = load_poll(poll_id)
    require(can_prepare(current_user, assembly))
    form = ExclusionForm()
    roll = (
        db()
        .execute(
            select(Member)
            .join(RollEntry, RollEntry.member_id == Member.id)
            .where(RollEntry.assembly_id == assembly.id)
            .order_by(Member.sort_name, Member.number)
        )
        .scalars()
        .all()
    )
    form.member_id.choices = select_choices((m.id, f"{m.display_name} ({m.number})") for m in roll)
    if form.validate_on_submit():
        try:
            services.add_exclusion(
                db(),
                poll=poll,
                member_id=form.member_id.data,
                reason=form.reason.data,
                actor=current_user,
            )
        except DomainError as exc:
            fail(exc, form)
        else:
            flash(_("The member is excluded from this poll."), "success")
            return redirect(url_for("ballots.exclusions", poll_id=poll.id))
    excluded = services.exclusions_of(db(), poll_id=poll.id)
    names = {m.id: m for m in roll}
    return render_template(
        "ballots/exclusions.html",
        poll=poll,
        form=form,
        excluded=excluded,
        names=names,
        confirm=ConfirmForm(),
    )


@bp.route("/<int:poll_id>/exclusions/<int:member_id>/delete", methods=["POST"])
@login_required
def remove_exclusion(poll_id: int, member_id: int) -> Any:
    """Lift an exclusion."""
    poll, assembly = load_poll(poll_id)
    require(can_prepare(current_user, assembly))
    if ConfirmForm().validate_on_submit():
        try:
            services.remove_exclusion(db(), poll=poll, member_id=member_id, actor=current_user)
        except DomainError as exc:
            fail(exc)
    return redirect(url_for("ballots.exclusions", poll_id=poll.id))


@bp.route("/<int:poll_id>/open", methods=["POST"])
@login_required
def open_poll(poll_id: int) -> Any:
    """The chair opens the poll."""
    poll, assembly = load_poll(poll_id)
    require(can_run(current_user, assembly))
    form = OpenPollForm()
    if form.validate_on_submit():
        try:
            services.open_poll(
                db(),
                poll=poll,
                actor=current_user,
                now=utcnow(),
                multiple_votes=bool(current_app.config["MULTIPLE_VOTES"]),
                auto_close_at=to_utc(form.auto_close_at.data),
            )
        except DomainError as exc:
            fail(exc)
        else:
            flash(_("The poll is open."), "success")
    return to_poll(poll)


@bp.route("/<int:poll_id>/close", methods=["POST"])
@login_required
def close_poll(poll_id: int) -> Any:
    """The chair closes the poll; the ballot box is sealed at once."""
    poll, assembly = load_poll(poll_id)
    require(can_run(current_user, assembly))
    if ConfirmForm().validate_on_submit():
        try:
            services.close_poll(db(), poll=poll, actor=current_user, now=utcnow())
        except DomainError as exc:
            fail(exc)
        else:
            flash(_("The poll is closed and the ballot box sealed."), "success")
    return to_poll(poll)


@bp.route("/<int:poll_id>/delete", methods=["POST"])
@login_required
def delete_poll(poll_id: int) -> Any:
    """Delete a draft poll."""
    poll, assembly = load_poll(poll_id)
    require(can_prepare(current_user, assembly))
    if ConfirmForm().validate_on_submit():
        try:
            services.delete_poll(db(), poll=poll, actor=current_user)
        except DomainError as exc:
            fail(exc)
            return to_poll(poll)
        flash(_("The draft poll has been deleted."), "success")
    return redirect(url_for("ballots.assembly_polls", assembly_id=assembly.id))
