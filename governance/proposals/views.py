"""Views of the proposals domain: Anträge to an assembly and their workflow.

The §45 minority demands are in views_demands.py (same blueprint).
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from governance.accounts.forms import ConfirmForm
from governance.accounts.models import Role
from governance.assemblies.access import load_assembly
from governance.assemblies.agenda import agenda
from governance.assemblies.forms import options
from governance.assemblies.models import Assembly
from governance.assemblies.services import effective_proposal_deadline
from governance.db import utcnow
from governance.errors import DomainError
from governance.i18n import _
from governance.proposals import services
from governance.proposals.access import load_proposal
from governance.proposals.blueprint import bp
from governance.proposals.forms import (
    MAJORITY_LABELS,
    STATE_LABELS,
    SUBMITTER_LABELS,
    AdmitForm,
    DecideForm,
    ProposalForm,
)
from governance.proposals.models import (
    PROPOSAL_TRANSITIONS,
    Majority,
    Proposal,
    ProposalState,
    SubmitterKind,
)
from governance.register.models import Member
from governance.security import role_required
from governance.web import db, fail


@bp.app_context_processor
def _labels() -> dict[str, Any]:
    return {
        "PROPOSAL_STATE_LABELS": STATE_LABELS,
        "MAJORITY_LABELS": MAJORITY_LABELS,
        "SUBMITTER_LABELS": SUBMITTER_LABELS,
    }


def _deadline(assembly: Assembly) -> Any:
    days = int(current_app.config.get("PROPOSAL_DEADLINE_DAYS", 10))
    return effective_proposal_deadline(assembly, default_days=days)


def _data(form: ProposalForm) -> services.ProposalData:
    return services.ProposalData(
        title=form.title.data,
        text=form.text.data,
        rationale=form.rationale.data or "",
        statute_change=bool(form.statute_change.data),
        majority=Majority(form.majority.data) if form.majority.data else None,
    )


def _to(proposal: Proposal) -> Any:
    return redirect(url_for("proposals.detail", proposal_id=proposal.id))


@bp.route("/")
@login_required
def index() -> Any:
    """The user's own proposals; for the board and supervisory board all open ones."""
    session = db()
    mine = services.proposals_of_user(session, user=current_user)
    pending: list[Proposal] = []
    if current_user.has_any_role(Role.BOARD, Role.SUPERVISORY_BOARD, Role.SECRETARY):
        pending = services.open_proposals(session)
    return render_template("proposals/index.html", mine=mine, pending=pending)


@bp.route("/assembly/<int:assembly_id>/new", methods=["GET", "POST"])
@login_required
def new(assembly_id: int) -> Any:
    """Submit a proposal to an assembly (board, supervisory board or a member)."""
    assembly = load_assembly(assembly_id)
    kinds = services.submitter_kinds(current_user)
    if not kinds:
        abort(403)
    form = ProposalForm()
    form.submitter.choices = options((k.value, SUBMITTER_LABELS[k]) for k in kinds)
    if form.validate_on_submit():
        try:
            proposal = services.submit_proposal(
                db(),
                assembly=assembly,
                kind=SubmitterKind(form.submitter.data),
                data=_data(form),
                actor=current_user,
                now=utcnow(),
                deadline=_deadline(assembly),
                member=db().get(Member, current_user.member_id) if current_user.member_id else None,
            )
        except DomainError as exc:
            fail(exc, form)
        else:
            flash(_("Your proposal has been submitted."), "success")
            return _to(proposal)
    return render_template(
        "proposals/form.html",
        form=form,
        assembly=assembly,
        proposal=None,
        deadline=_deadline(assembly),
    )


@bp.route("/<int:proposal_id>")
@login_required
def detail(proposal_id: int) -> Any:
    """A proposal with its text, rationale, state and what the user may do with it."""
    proposal, assembly = load_proposal(proposal_id)
    board = current_user.has_role(Role.BOARD)
    admit = AdmitForm()
    admit.agenda_item_id.choices = _item_choices(assembly)
    decide = DecideForm()
    decide.target.choices = _targets(proposal)
    return render_template(
        "proposals/detail.html",
        proposal=proposal,
        assembly=assembly,
        member=db().get(Member, proposal.member_id) if proposal.member_id else None,
        board=board,
        can_decide=board or assembly.can_chair(current_user),
        can_withdraw=_may_withdraw(proposal),
        admit=admit,
        decide=decide,
        confirm=ConfirmForm(),
    )


def _item_choices(assembly: Assembly) -> list[Any]:
    return options(
        [(0, _("A new agenda item"))]
        + [
            (e.item.id, f"{_('TOP')} {e.number} {e.item.title}")
            for e in agenda(db(), assembly_id=assembly.id)
        ]
    )


def _targets(proposal: Proposal) -> list[Any]:
    skip = {ProposalState.ADMITTED, ProposalState.WITHDRAWN}
    allowed = PROPOSAL_TRANSITIONS[proposal.state] - skip
    return options((s.value, str(STATE_LABELS[s])) for s in ProposalState if s in allowed)


def _may_withdraw(proposal: Proposal) -> bool:
    allowed = ProposalState.WITHDRAWN in PROPOSAL_TRANSITIONS[proposal.state]
    return allowed and (
        services.is_submitter(proposal, current_user) or current_user.has_role(Role.BOARD)
    )


@bp.route("/<int:proposal_id>/edit", methods=["GET", "POST"])
@login_required
def edit(proposal_id: int) -> Any:
    """Change a proposal before it is admitted (the submitter or the board)."""
    proposal, assembly = load_proposal(proposal_id)
    if not (services.is_submitter(proposal, current_user) or current_user.has_role(Role.BOARD)):
        abort(403)
    form = ProposalForm(obj=None if request.method == "POST" else proposal)
    kind = proposal.submitter_kind
    form.submitter.choices = options([(kind.value, SUBMITTER_LABELS[kind])])
    if request.method == "GET":
        form.majority.data = proposal.majority.value
    if form.validate_on_submit():
        try:
            services.update_proposal(db(), proposal=proposal, data=_data(form), actor=current_user)
        except DomainError as exc:
            fail(exc, form)
        else:
            flash(_("Saved."), "success")
            return _to(proposal)
    return render_template(
        "proposals/form.html",
        form=form,
        assembly=assembly,
        proposal=proposal,
        deadline=_deadline(assembly),
    )


@bp.route("/<int:proposal_id>/admit", methods=["POST"])
@role_required(Role.BOARD)
def admit(proposal_id: int) -> Any:
    """The board admits the proposal onto the agenda."""
    proposal, assembly = load_proposal(proposal_id)
    form = AdmitForm()
    form.agenda_item_id.choices = _item_choices(assembly)
    if form.validate_on_submit():
        try:
            services.admit_proposal(
                db(),
                proposal=proposal,
                assembly=assembly,
                agenda_item_id=form.agenda_item_id.data or None,
                actor=current_user,
            )
        except DomainError as exc:
            fail(exc)
        else:
            flash(_("The proposal is on the agenda."), "success")
    return _to(proposal)


@bp.route("/<int:proposal_id>/decide", methods=["POST"])
@login_required
def decide(proposal_id: int) -> Any:
    """The board or the chair moves the proposal on (vote, result, referral, rejection)."""
    proposal, assembly = load_proposal(proposal_id)
    if not (current_user.has_role(Role.BOARD) or assembly.can_chair(current_user)):
        abort(403)
    form = DecideForm()
    form.target.choices = _targets(proposal)
    if form.validate_on_submit():
        try:
            services.decide(
                db(),
                proposal=proposal,
                target=ProposalState(form.target.data),
                note=form.note.data or "",
                actor=current_user,
                now=utcnow(),
            )
        except DomainError as exc:
            fail(exc)
        else:
            flash(_("Saved."), "success")
    else:
        flash(_("This step is not possible for the proposal now."), "error")
    return _to(proposal)


@bp.route("/<int:proposal_id>/withdraw", methods=["POST"])
@login_required
def withdraw(proposal_id: int) -> Any:
    """The submitter withdraws the proposal."""
    proposal, _assembly = load_proposal(proposal_id)
    if not (services.is_submitter(proposal, current_user) or current_user.has_role(Role.BOARD)):
        abort(403)
    if ConfirmForm().validate_on_submit():
        try:
            services.decide(
                db(),
                proposal=proposal,
                target=ProposalState.WITHDRAWN,
                actor=current_user,
                now=utcnow(),
            )
        except DomainError as exc:
            fail(exc)
        else:
            flash(_("The proposal has been withdrawn."), "success")
    return _to(proposal)
