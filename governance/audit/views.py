"""The audit pages: log browser, event, verification, per-assembly summary, poll bundles.

SECRETARY may also record a verification in the chain; SUPERVISORY_BOARD reads only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

from governance.accounts.forms import ConfirmForm
from governance.accounts.models import Role
from governance.assemblies.access import gate, load_assembly
from governance.assemblies.models import Assembly
from governance.audit import services
from governance.audit.blueprint import bp
from governance.audit.forms import LogFilterForm
from governance.audit.services import LogFilter
from governance.audit.verify import record_audit, verify
from governance.errors import DomainError
from governance.i18n import _, local_tz
from governance.security import role_required
from governance.web import db, get_or_404

# The standalone verifier (standard library only) ships inside the package, served as a file.
VERIFIER = Path(__file__).resolve().parent / "verify_bundle.py"
COOPVOTE = Path(__file__).resolve().parent.parent / "coopvote.py"

READERS = (Role.SECRETARY, Role.SUPERVISORY_BOARD)
PER_PAGE = 50


def _assembly_choices() -> list[tuple[int, str]]:
    rows = db().execute(select(Assembly.id, Assembly.title).order_by(Assembly.starts_at.desc()))
    return [(int(i), str(t)) for i, t in rows]


def _page_number() -> int:
    return request.args.get("page", 1, type=int) or 1


@bp.route("/")
@role_required(*READERS)
def log() -> Any:
    """Browse the audit log with filters, newest first."""
    form = LogFilterForm(
        formdata=request.args, types=services.event_types(db()), assemblies=_assembly_choices()
    )
    filters = form.to_filter() if form.validate() else LogFilter()
    page = services.search_events(
        db(), filters=filters, tz=local_tz(), page=_page_number(), per_page=PER_PAGE
    )
    return render_template("audit/log.html", form=form, page=page, args=form.query_args())


@bp.route("/events/<int:seq>")
@role_required(*READERS)
def event(seq: int) -> Any:
    """One event with its payload and hashes."""
    item = services.event_by_seq(db(), seq)
    if item is None:
        abort(404)
    has_next = services.event_by_seq(db(), seq + 1) is not None
    return render_template(
        "audit/event.html", event=item, payload=services.payload_of(item), has_next=has_next
    )


def _report(assembly_id: int | None) -> Any:
    try:
        return verify(db(), assembly_id=assembly_id)
    except DomainError:
        abort(404)


@bp.route("/verify")
@role_required(*READERS)
def verify_page() -> Any:
    """Run every check (chain, rolls, polls) and show pass or fail with what differs."""
    assembly_id = request.args.get("assembly", type=int)
    report = _report(assembly_id)
    return render_template(
        "audit/verify.html",
        report=report,
        assembly_id=assembly_id,
        form=ConfirmForm(),
        can_record=current_user.has_role(Role.SECRETARY),
    )


@bp.route("/verify", methods=["POST"])
@role_required(Role.SECRETARY)
def record_verification() -> Any:
    """Verify again and write the outcome (and the head it saw) into the chain."""
    assembly_id = request.args.get("assembly", type=int)
    form = ConfirmForm()
    if form.validate_on_submit():
        report = _report(assembly_id)
        record_audit(db(), report=report, actor=current_user, assembly_id=assembly_id)
        if report.ok:
            flash(_("The audit passed and is recorded in the chain."), "success")
        else:
            flash(_("The audit found failures; they are recorded in the chain."), "error")
    return redirect(url_for("audit.verify_page", assembly=assembly_id))


@bp.route("/assemblies")
@role_required(*READERS)
def assemblies() -> Any:
    """The assemblies, each with a link to its audit summary."""
    rows = db().execute(select(Assembly).order_by(Assembly.starts_at.desc())).scalars().all()
    visible = [a for a in rows if a.can_see(current_user)]
    return render_template("audit/assemblies.html", assemblies=visible)


@bp.route("/assemblies/<int:assembly_id>")
@role_required(*READERS)
def assembly(assembly_id: int) -> Any:
    """An assembly's audit: its events by type, its roll and polls checked, bundle downloads."""
    item = load_assembly(assembly_id)
    report = _report(item.id)
    recent = services.search_events(
        db(), filters=LogFilter(assembly_id=item.id), page=1, per_page=20
    )
    return render_template(
        "audit/assembly.html",
        assembly=item,
        report=report,
        counts=services.type_counts(db(), assembly_id=item.id),
        recent=recent,
    )


@bp.route("/polls/<int:poll_id>/bundle.json")
@role_required(*READERS)
def bundle(poll_id: int) -> Any:
    """Download the poll's bundle for an external auditor (audit/verify_bundle.py)."""
    from governance.audit.export import bundle_json
    from governance.ballots.models import Poll

    poll = get_or_404(Poll, poll_id)
    gate(get_or_404(Assembly, poll.assembly_id))
    try:
        text = bundle_json(db(), poll_id=poll_id)
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("audit.assembly", assembly_id=poll.assembly_id))
    return Response(
        text,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="poll-{poll_id}-bundle.json"'},
    )


@bp.route("/verify_bundle.py")
@role_required(*READERS)
def verifier() -> Any:
    """The standalone verifier for the bundles (Python standard library only)."""
    if not VERIFIER.is_file():
        abort(404)
    return Response(
        VERIFIER.read_bytes(),
        mimetype="text/x-python",
        headers={"Content-Disposition": 'attachment; filename="verify_bundle.py"'},
    )


@bp.route("/coopvote.py")
@role_required(*READERS)
def coopvote_module() -> Any:
    """The encrypted-ballot arithmetic the verifier needs beside it (standard library only)."""
    return Response(
        COOPVOTE.read_bytes(),
        mimetype="text/x-python",
        headers={"Content-Disposition": 'attachment; filename="coopvote.py"'},
    )
