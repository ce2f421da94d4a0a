"""The secretary's views: voter roll and its corrections, check-in, attendance list, proxies."""

from __future__ import annotations

import io
from typing import Any

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from governance import csvcell
from governance.accounts.forms import ConfirmForm
from governance.assemblies import attendance, mandates, proxies, roll
from governance.assemblies.access import load_assembly
from governance.assemblies.blueprint import bp
from governance.assemblies.forms import (
    MandateForm,
    ReasonForm,
    RollAddForm,
    RollWeightForm,
    SearchForm,
)
from governance.assemblies.models import Assembly, Channel
from governance.assemblies.models_mandates import Mandate
from governance.db import utcnow
from governance.errors import DomainError
from governance.i18n import _, today
from governance.register.models import Member
from governance.register.queries import member_by_number
from governance.web import db, fail, get_or_404


def _member(number: str, field: str) -> Member:
    member = member_by_number(db(), number.strip().upper())
    if member is None:
        raise DomainError(_("No member with the number %(n)s.", n=number), field=field)
    return member


# --- voter roll -------------------------------------------------------------------------------


@bp.route("/<int:assembly_id>/roll")
@login_required
def roll_page(assembly_id: int) -> Any:
    """The frozen voter roll with its hash and corrections."""
    assembly = load_assembly(assembly_id, Assembly.is_staff)
    session = db()
    return render_template(
        "assemblies/roll.html",
        assembly=assembly,
        entries=roll.roll_members(session, assembly_id=assembly.id),
        corrections=roll.corrections(session, assembly_id=assembly.id),
        recomputed=roll.roll_hash(session, assembly_id=assembly.id),
        add_form=RollAddForm(),
        reason_form=ReasonForm(),
        weight_form=RollWeightForm(),
        can_correct=assembly.can_keep_records(current_user),
        multiple_votes=current_app.config["MULTIPLE_VOTES"],
    )


def _back_to_roll(assembly: Assembly) -> Any:
    return redirect(url_for("assemblies.roll_page", assembly_id=assembly.id))


@bp.route("/<int:assembly_id>/roll/add", methods=["POST"])
@login_required
def roll_add(assembly_id: int) -> Any:
    """Add a member to the frozen roll, with the reason."""
    from governance.register.services import shares_held

    assembly = load_assembly(assembly_id, Assembly.can_keep_records)
    form = RollAddForm()
    if form.validate_on_submit():
        try:
            member = _member(form.member_number.data, "member_number")
            roll.add_to_roll(
                db(),
                assembly=assembly,
                member=member,
                shares=shares_held(db(), member_id=member.id, at=assembly.record_date or today()),
                reason=form.reason.data,
                weight=form.weight.data if current_app.config["MULTIPLE_VOTES"] else 1,
                actor=current_user,
            )
        except DomainError as exc:
            fail(exc)
        else:
            flash(_("Added to the voter roll; the new roll hash is recorded."), "success")
    else:
        _flash_errors(form)
    return _back_to_roll(assembly)


def _flash_errors(form: Any) -> None:
    for field in form:
        for error in field.errors:
            flash(f"{field.label.text}: {error}", "error")


@bp.route("/<int:assembly_id>/roll/<int:member_id>/remove", methods=["POST"])
@login_required
def roll_remove(assembly_id: int, member_id: int) -> Any:
    """Strike a member from the frozen roll, with the reason."""
    assembly = load_assembly(assembly_id, Assembly.can_keep_records)
    member = get_or_404(Member, member_id)
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            roll.remove_from_roll(
                db(), assembly=assembly, member=member, reason=form.reason.data, actor=current_user
            )
        except DomainError as exc:
            fail(exc)
        else:
            flash(_("Removed from the voter roll; the new roll hash is recorded."), "success")
    else:
        _flash_errors(form)
    return _back_to_roll(assembly)


@bp.route("/<int:assembly_id>/roll/<int:member_id>/weight", methods=["POST"])
@login_required
def roll_weight(assembly_id: int, member_id: int) -> Any:
    """Set a member's number of votes (only where the statute grants multiple votes)."""
    assembly = load_assembly(assembly_id, Assembly.can_keep_records)
    member = get_or_404(Member, member_id)
    form = RollWeightForm()
    if form.validate_on_submit():
        try:
            roll.set_roll_weight(
                db(),
                assembly=assembly,
                member=member,
                weight=form.weight.data,
                reason=form.reason.data,
                actor=current_user,
                multiple_votes=current_app.config["MULTIPLE_VOTES"],
            )
        except DomainError as exc:
            fail(exc)
        else:
            flash(_("Saved."), "success")
    else:
        _flash_errors(form)
    return _back_to_roll(assembly)


# --- attendance -------------------------------------------------------------------------------


@bp.route("/<int:assembly_id>/attendance")
@login_required
def attendance_page(assembly_id: int) -> Any:
    """Who is present right now, by channel (room, online, proxy)."""
    assembly = load_assembly(assembly_id, Assembly.is_staff)
    now = utcnow()
    rows = attendance.presence(db(), assembly_id=assembly.id, now=now)
    return render_template(
        "assemblies/attendance.html",
        assembly=assembly,
        rows=rows,
        counts=attendance.present_counts(db(), assembly_id=assembly.id, now=now),
        now=now,
    )


@bp.route("/<int:assembly_id>/attendance.csv")
@login_required
def attendance_csv(assembly_id: int) -> Any:
    """The attendance list as CSV (semicolon-separated, UTF-8 with BOM for spreadsheets)."""
    assembly = load_assembly(assembly_id, Assembly.is_staff)
    out = io.StringIO()
    writer = csvcell.writer(out)  # no cell becomes a spreadsheet formula
    writer.writerow(["number", "name", "votes", "channel", "proxy", "checked_in_at"])
    for p in attendance.presence(db(), assembly_id=assembly.id, now=utcnow()):
        since = p.attendance.checked_in_at.isoformat() if p.attendance and p.channel else ""
        writer.writerow(
            [
                p.member.number,
                p.member.display_name,
                p.weight,
                p.channel.value if p.channel else "ABSENT",
                p.via.number if p.via else "",
                since if p.channel in (Channel.ROOM, Channel.ONLINE) else "",
            ]
        )
    filename = f"attendance-{assembly.id}.csv"
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/<int:assembly_id>/check-in")
@login_required
def check_in_page(assembly_id: int) -> Any:
    """Search the roll by name or number and check members in or out."""
    assembly = load_assembly(assembly_id, Assembly.can_keep_records)
    form = SearchForm(request.args)
    query = form.q.data or "" if form.validate() else ""
    found = attendance.search_roll(db(), assembly_id=assembly.id, query=query)
    now = utcnow()
    channels = {
        m.id: attendance.present_channel(db(), assembly_id=assembly.id, member_id=m.id, now=now)
        for _e, m in found
    }
    return render_template(
        "assemblies/check_in.html",
        assembly=assembly,
        form=form,
        query=query,
        found=found,
        channels=channels,
        counts=attendance.present_counts(db(), assembly_id=assembly.id, now=now),
    )


def _attendance_action(assembly_id: int, member_id: int, action: Any, message: str) -> Any:
    assembly = load_assembly(assembly_id, Assembly.can_keep_records)
    member = get_or_404(Member, member_id)
    if ConfirmForm().validate_on_submit():
        try:
            action(db(), assembly=assembly, member=member, actor=current_user, now=utcnow())
        except DomainError as exc:
            fail(exc)
        else:
            flash(message % {"name": member.display_name}, "success")
    back = request.args.get("q", "")
    return redirect(url_for("assemblies.check_in_page", assembly_id=assembly.id, q=back or None))


@bp.route("/<int:assembly_id>/check-in/<int:member_id>", methods=["POST"])
@login_required
def check_in(assembly_id: int, member_id: int) -> Any:
    """Check a member in at the room."""
    return _attendance_action(
        assembly_id, member_id, attendance.check_in, _("%(name)s is checked in.")
    )


@bp.route("/<int:assembly_id>/check-out/<int:member_id>", methods=["POST"])
@login_required
def check_out(assembly_id: int, member_id: int) -> Any:
    """Check a member out (they left the room)."""
    return _attendance_action(
        assembly_id, member_id, attendance.check_out, _("%(name)s is checked out.")
    )


# --- proxies ----------------------------------------------------------------------------------


@bp.route("/<int:assembly_id>/mandates", methods=["GET", "POST"])
@login_required
def mandates_page(assembly_id: int) -> Any:
    """Register proxies (at most two principals per proxy) and list them."""
    assembly = load_assembly(assembly_id, Assembly.can_keep_records)
    form = MandateForm()
    if form.validate_on_submit():
        try:
            mandates.register_mandate(
                db(),
                assembly=assembly,
                principal=_member(form.principal.data, "principal"),
                proxy=_member(form.proxy.data, "proxy"),
                evidence=form.evidence.data,
                actor=current_user,
            )
        except DomainError as exc:
            fail(exc, form)
        else:
            flash(_("The proxy has been registered."), "success")
            return redirect(url_for("assemblies.mandates_page", assembly_id=assembly.id))
    return render_template(
        "assemblies/mandates.html",
        assembly=assembly,
        form=form,
        rows=mandates.mandates(db(), assembly_id=assembly.id),
        grants=proxies.grants(db(), assembly_id=assembly.id),
        locked=mandates.mandates_locked(db(), assembly_id=assembly.id),
        revoke_form=ReasonForm(),
    )


@bp.route("/<int:assembly_id>/mandates/<int:mandate_id>/revoke", methods=["POST"])
@login_required
def mandate_revoke(assembly_id: int, mandate_id: int) -> Any:
    """Revoke a proxy (refused once a poll has been opened)."""
    assembly = load_assembly(assembly_id, Assembly.can_keep_records)
    mandate = get_or_404(Mandate, mandate_id)
    if mandate.assembly_id != assembly.id:
        abort(404)
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            mandates.revoke_mandate(
                db(),
                assembly=assembly,
                mandate=mandate,
                reason=form.reason.data,
                actor=current_user,
            )
        except DomainError as exc:
            fail(exc)
        else:
            flash(_("The proxy has been revoked."), "success")
    else:
        _flash_errors(form)
    return redirect(url_for("assemblies.mandates_page", assembly_id=assembly.id))
