"""The teller's page: the ceremony in the teller's own browser (static/js/teller.js).

The page draws its polynomial and transport key in memory, posts round 1, waits on state.json,
shows the round-1 fingerprint it computed itself to be compared in person or by phone, posts
its boxed shares once the teller confirmed, opens and checks the shares sent to it, offers the
key file and confirms. The server relays; every post is checked by the services, and a failed
check voids the ceremony (the void is committed, the post refused).
"""

from __future__ import annotations

from typing import Any

from flask import render_template, url_for
from flask_login import current_user, login_required

from governance import coopvote as cv
from governance.db import utcnow
from governance.errors import DomainError
from governance.i18n import _
from governance.tellers import services, steps
from governance.tellers.access import load_teller
from governance.tellers.blueprint import bp, json_response
from governance.tellers.forms import ConfirmKeyForm, FailureForm, Round1Form, SharesForm
from governance.tellers.models import CeremonyState, KeyCeremony, Teller
from governance.web import db


def _labels() -> dict[str, str]:
    """Texts for teller.js (the script has none of its own)."""
    return {
        "working": _("Working …"),
        "waiting_round1": _("Waiting for the other tellers' round 1: %(n)d of %(m)d are in."),
        "waiting_shares": _("Waiting for the other tellers' shares: %(n)d of %(m)d are in."),
        "waiting_confirm": _("Waiting for the other tellers' confirmation: %(n)d of %(m)d are in."),
        "lost": _(
            "This page no longer holds your key part (it was closed or reloaded after round 1). "
            "The ceremony cannot finish: report it, and the chair starts a new one."
        ),
        "failed": _("The check failed: %(reason)s"),
        "void": _("The key ceremony is void: %(reason)s"),
        "error": _("The server refused: %(reason)s"),
        "offline": _("No connection to the server; trying again."),
        "no_crypto": _("This browser cannot run the key ceremony (no secure random numbers)."),
        "ROUND1": _("Round 1"),
        "SHARES": _("Shares"),
        "CONFIRM": _("Confirmation"),
        "READY": _("Key ready"),
        "VOID": _("Void"),
    }


def _state(ceremony: KeyCeremony, teller: Teller) -> dict[str, Any]:
    """What the teller's page needs: public values only, and the boxes addressed to it."""
    session = db()
    tellers = services.tellers_of(session, ceremony_id=ceremony.id or 0)
    body: dict[str, Any] = {
        "ceremony": ceremony.uuid,
        "state": ceremony.state.value,
        "n": ceremony.n,
        "t": ceremony.t,
        "index": teller.idx,
        "round1": [t.idx for t in tellers if t.round1 is not None],
        "shares": [t.idx for t in tellers if t.shares_at is not None],
        "confirmed": [t.idx for t in tellers if t.confirmed_at is not None],
    }
    if ceremony.state != CeremonyState.ROUND1 and ceremony.fingerprint:
        body["entries"] = services.entries_of(session, ceremony_id=ceremony.id or 0)
    if ceremony.state in (CeremonyState.CONFIRM, CeremonyState.READY):
        body["boxes"] = services.boxes_to(session, ceremony_id=ceremony.id or 0, idx=teller.idx)
    if ceremony.state == CeremonyState.READY and ceremony.key_fingerprint:
        body["key_fingerprint"] = cv.group4(ceremony.key_fingerprint)
    if ceremony.state == CeremonyState.VOID:
        body["void_reason"] = ceremony.void_reason
    return body


def _ceremony(teller: Teller) -> KeyCeremony:
    ceremony = db().get(KeyCeremony, teller.ceremony_id)
    assert ceremony is not None
    return ceremony


@bp.route("/<int:assembly_id>/teller")
@login_required
def teller(assembly_id: int) -> Any:
    """The teller's own page of the key ceremony (it must stay open until the key is ready)."""
    assembly, row = load_teller(assembly_id)
    ceremony = _ceremony(row)
    urls = {
        name: url_for(f"tellers.{name}", assembly_id=assembly.id)
        for name in ("state", "round1", "shares", "confirm", "failure")
    }
    return render_template(
        "tellers/teller.html",
        assembly=assembly,
        ceremony=ceremony,
        teller=row,
        names=services.user_names(db(), services.tellers_of(db(), ceremony_id=ceremony.id or 0)),
        urls=urls,
        labels=_labels(),
        state=_state(ceremony, row),
    )


@bp.route("/<int:assembly_id>/teller/state.json")
@login_required
def state(assembly_id: int) -> Any:
    """The ceremony as the teller's page polls it."""
    _assembly, row = load_teller(assembly_id)
    return json_response(**_state(_ceremony(row), row))


def _post(form: Any, action: Any) -> Any:
    """Validate a JSON post, run the step; a step that voided the ceremony commits the void."""
    if not form.validate_on_submit():
        errors = [str(e) for errs in form.errors.values() for e in errs]
        return json_response(400, error="; ".join(errors) or _("The request is malformed."))
    try:
        action()
    except services.CeremonyVoided as exc:
        db().commit()
        return json_response(409, error=str(exc), state=CeremonyState.VOID.value)
    except DomainError as exc:
        message = str(exc)
        db().rollback()
        return json_response(409, error=message)
    return json_response(200, ok=True)


@bp.route("/<int:assembly_id>/teller/round1", methods=["POST"])
@login_required
def round1(assembly_id: int) -> Any:
    """The teller's round-1 entry (transport key, commitments, proof of knowledge)."""
    _assembly, row = load_teller(assembly_id)
    form = Round1Form()
    return _post(
        form,
        lambda: steps.post_round1(
            db(),
            teller=row,
            ceremony_uuid=form.ceremony.data,
            entry=form.parsed_entry,
            now=utcnow(),
            actor=current_user,
        ),
    )


@bp.route("/<int:assembly_id>/teller/shares", methods=["POST"])
@login_required
def shares(assembly_id: int) -> Any:
    """The teller's boxed shares, with the fingerprint the teller compared."""
    _assembly, row = load_teller(assembly_id)
    form = SharesForm()
    return _post(
        form,
        lambda: steps.post_shares(
            db(),
            teller=row,
            ceremony_uuid=form.ceremony.data,
            fingerprint=form.fingerprint.data,
            boxes=form.parsed_boxes,
            now=utcnow(),
            actor=current_user,
        ),
    )


@bp.route("/<int:assembly_id>/teller/confirm", methods=["POST"])
@login_required
def confirm(assembly_id: int) -> Any:
    """The teller checked every share sent to it and holds the key file."""
    _assembly, row = load_teller(assembly_id)
    form = ConfirmKeyForm()
    return _post(
        form,
        lambda: steps.confirm(
            db(),
            teller=row,
            ceremony_uuid=form.ceremony.data,
            fingerprint=form.fingerprint.data,
            now=utcnow(),
            actor=current_user,
        ),
    )


@bp.route("/<int:assembly_id>/teller/failure", methods=["POST"])
@login_required
def failure(assembly_id: int) -> Any:
    """The teller's page found a failure: the ceremony is void, naming whose step failed."""
    _assembly, row = load_teller(assembly_id)
    form = FailureForm()

    def report() -> None:
        if _ceremony(row).uuid != form.ceremony.data:
            raise DomainError(_("This page belongs to another key ceremony: reload it."))
        services.report_failure(
            db(),
            teller=row,
            step=services.Step(form.step.data),
            reason=form.reason.data,
            culprit=form.culprit.data,
            now=utcnow(),
            actor=current_user,
        )

    return _post(form, report)
