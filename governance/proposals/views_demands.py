"""§45 minority demands: start one, support it online, see the count against the quorum."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from governance.accounts.forms import ConfirmForm
from governance.accounts.models import Role
from governance.assemblies.forms import options
from governance.assemblies.models import Assembly, AssemblyState
from governance.db import utcnow
from governance.errors import DomainError
from governance.i18n import _, today
from governance.proposals import demands as service
from governance.proposals.blueprint import bp
from governance.proposals.forms import DEMAND_KIND_LABELS, DemandForm, HandleForm
from governance.proposals.models import DemandKind, MinorityDemand
from governance.register.models import Member
from governance.security import role_required
from governance.web import db, fail, get_or_404


def _needed() -> tuple[int, int]:
    """(members today, supporters needed)."""
    members = service.member_count(
        db(), today=today(), min_shares=int(current_app.config["MIN_SHARES"])
    )
    fraction = Decimal(str(current_app.config["MINORITY_QUORUM"]))
    return members, service.quorum(members=members, fraction=fraction)


def _my_member() -> Member | None:
    member_id = current_user.member_id
    return db().get(Member, member_id) if member_id is not None else None


def _to(demand: MinorityDemand) -> Any:
    return redirect(url_for("proposals.demand_detail", demand_id=demand.id))


@bp.route("/demands")
@login_required
def demands() -> Any:
    """All minority demands with their support."""
    rows = service.demands(db())
    counts = {d.id: service.support_count(db(), demand_id=d.id) for d in rows}
    members, needed = _needed()
    return render_template(
        "proposals/demands.html", rows=rows, counts=counts, needed=needed, members=members
    )


def _open_assemblies() -> list[Assembly]:
    from sqlalchemy import select

    states = [AssemblyState.DRAFT, AssemblyState.CONVENED]
    return list(
        db()
        .execute(select(Assembly).where(Assembly.state.in_(states)).order_by(Assembly.starts_at))
        .scalars()
    )


@bp.route("/demands/new", methods=["GET", "POST"])
@login_required
def demand_new() -> Any:
    """A member starts a §45 demand and is its first supporter."""
    if current_user.member_id is None:
        abort(403)
    form = DemandForm()
    form.assembly_id.choices = options([(0, "—")] + [(a.id, a.title) for a in _open_assemblies()])
    if form.validate_on_submit():
        assembly = db().get(Assembly, form.assembly_id.data) if form.assembly_id.data else None
        try:
            demand = service.create_demand(
                db(),
                kind=DemandKind(form.kind.data),
                title=form.title.data,
                purpose=form.purpose.data,
                member=_my_member(),
                actor=current_user,
                now=utcnow(),
                needed=_needed()[1],
                assembly=assembly,
            )
        except DomainError as exc:
            fail(exc, form)
        else:
            flash(_("Your demand is open for support."), "success")
            return _to(demand)
    return render_template("proposals/demand_form.html", form=form)


@bp.route("/demands/<int:demand_id>")
@login_required
def demand_detail(demand_id: int) -> Any:
    """A demand: purpose, support count against the quorum, support button."""
    demand = get_or_404(MinorityDemand, demand_id)
    members, needed = _needed()
    member_id = current_user.member_id
    return render_template(
        "proposals/demand_detail.html",
        demand=demand,
        kind_label=DEMAND_KIND_LABELS[demand.kind],
        assembly=db().get(Assembly, demand.assembly_id) if demand.assembly_id else None,
        initiator=db().get(Member, demand.initiator_member_id),
        count=service.support_count(db(), demand_id=demand.id),
        needed=needed,
        members=members,
        supporting=member_id is not None
        and service.supports(db(), demand_id=demand.id, member_id=member_id),
        is_member=member_id is not None,
        is_initiator=member_id == demand.initiator_member_id,
        board=current_user.has_role(Role.BOARD),
        confirm=ConfirmForm(),
        handle=HandleForm(),
    )


def _member_action(demand_id: int, action: Any, message: str) -> Any:
    demand = get_or_404(MinorityDemand, demand_id)
    if current_user.member_id is None:
        abort(403)
    if ConfirmForm().validate_on_submit():
        try:
            action(demand)
        except DomainError as exc:
            fail(exc)
        else:
            flash(message, "success")
    return _to(demand)


@bp.route("/demands/<int:demand_id>/support", methods=["POST"])
@login_required
def demand_support(demand_id: int) -> Any:
    """Support a demand."""
    return _member_action(
        demand_id,
        lambda d: service.add_support(
            db(),
            demand=d,
            member=_my_member(),
            actor=current_user,
            now=utcnow(),
            needed=_needed()[1],
        ),
        _("Your support has been recorded."),
    )


@bp.route("/demands/<int:demand_id>/unsupport", methods=["POST"])
@login_required
def demand_unsupport(demand_id: int) -> Any:
    """Take back one's support."""
    return _member_action(
        demand_id,
        lambda d: service.withdraw_support(db(), demand=d, member=_my_member(), actor=current_user),
        _("Your support has been withdrawn."),
    )


@bp.route("/demands/<int:demand_id>/withdraw", methods=["POST"])
@login_required
def demand_withdraw(demand_id: int) -> Any:
    """The initiator withdraws the demand."""
    demand = get_or_404(MinorityDemand, demand_id)
    if current_user.member_id != demand.initiator_member_id:
        abort(403)
    return _member_action(
        demand_id,
        lambda d: service.withdraw_demand(db(), demand=d, actor=current_user, now=utcnow()),
        _("The demand has been withdrawn."),
    )


@bp.route("/demands/<int:demand_id>/handle", methods=["POST"])
@role_required(Role.BOARD)
def demand_handle(demand_id: int) -> Any:
    """The board records how it met a demand that reached the quorum."""
    demand = get_or_404(MinorityDemand, demand_id)
    form = HandleForm()
    if form.validate_on_submit():
        try:
            service.handle_demand(
                db(), demand=demand, note=form.note.data, actor=current_user, now=utcnow()
            )
        except DomainError as exc:
            fail(exc)
        else:
            flash(_("Recorded."), "success")
    return _to(demand)
