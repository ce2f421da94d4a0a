"""A teller's decryption of a sealed encrypted poll: the page, the sealed box, the post.

Only the tellers of the poll's key ceremony, behind the gate. The page's script
(static/js/decrypt.js) checks the box against the seal, computes the sums itself and posts
the partial decryptions; the server checks them again (`decrypt.post_share`).
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, render_template, url_for
from flask_login import current_user, login_required

from governance.ballots import decrypt
from governance.ballots.access import load_poll
from governance.ballots.blueprint import bp
from governance.ballots.forms import DecryptionForm
from governance.ballots.models import Poll, PollState
from governance.errors import DomainError
from governance.i18n import _
from governance.tellers.models import Teller
from governance.web import db, require


def _teller(poll: Poll) -> Teller:
    """The current user as a teller of the poll's key ceremony, else 403."""
    teller = decrypt.teller_of(db(), poll=poll, user_id=current_user.id)
    require(teller is not None)
    assert teller is not None
    return teller


def _json(status: int, **body: Any) -> Any:
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


def _labels() -> dict[str, str]:
    """The script's texts, translated here (never in the script)."""
    return {
        "loading": _("Loading the sealed ballot box …"),
        "checking": _("Checking the ballots against the seal …"),
        "root_bad": _("The ballot box does not match its seal. Do not decrypt; tell the chair."),
        "count_bad": _("The number of ballots does not match. Do not decrypt; tell the chair."),
        "alpha_bad": _("Two ballots share a ciphertext. Do not decrypt; tell the chair."),
        "ready": _("The box matches its seal. Choose your key file to decrypt the sums."),
        "key_bad": _("This key file does not belong to you or to this poll's key."),
        "working": _("Decrypting the sums …"),
        "done": _("Your partial decryption is in. Thank you."),
        "failed": _("The decryption failed. Please reload the page."),
    }


@bp.route("/<int:poll_id>/decrypt")
@login_required
def decryption(poll_id: int) -> Any:
    """The teller's page: the poll, its ballot count, the key file, the decryption."""
    poll, assembly = load_poll(poll_id)
    teller = _teller(poll)
    state = decrypt.status(db(), poll=poll) if poll.is_sealed else None
    return render_template(
        "ballots/decrypt.html",
        poll=poll,
        assembly=assembly,
        teller=teller,
        state=state,
        waiting=decrypt.waiting_text(len(state.posted), state.needed) if state else "",
        form=DecryptionForm(),
        box_url=url_for("ballots.decryption_box", poll_id=poll.id),
        post_url=url_for("ballots.post_decryption", poll_id=poll.id),
        labels=_labels(),
    )


@bp.route("/<int:poll_id>/decrypt/box.json")
@login_required
def decryption_box(poll_id: int) -> Any:
    """The sealed ballots (tracker, ciphertext), the seal root and the poll's context."""
    poll, _assembly = load_poll(poll_id)
    teller = _teller(poll)
    if poll.state != PollState.SEALED:
        return _json(409, error=_("Only a sealed encrypted poll awaits decryption."))
    return _json(200, teller=teller.idx, **decrypt.sealed_box(db(), poll=poll))


@bp.route("/<int:poll_id>/decrypt", methods=["POST"])
@login_required
def post_decryption(poll_id: int) -> Any:
    """The teller posts their partial decryptions with proofs; the server checks them."""
    poll, _assembly = load_poll(poll_id)
    teller = _teller(poll)
    form = DecryptionForm()
    if not form.validate_on_submit():
        return _json(400, error=_("The partial decryption could not be read."))
    try:
        state = decrypt.post_share(
            db(), poll=poll, teller=teller, wire=form.wire(), actor=current_user
        )
    except DomainError as exc:
        message = str(exc)
        db().rollback()
        return _json(409, error=message)
    return _json(
        200,
        posted=list(state.posted),
        needed=state.needed,
        complete=state.complete,
        progress=(
            _("The decryption is complete.")
            if state.complete
            else str(decrypt.waiting_text(len(state.posted), state.needed))
        ),
    )
