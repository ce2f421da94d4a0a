"""Voting: the ballot page, the confirmation, the cast (the page's or the live page's JSON) and
the tracker shown once. The ballot box and the results: views_box.py."""

from __future__ import annotations

from typing import Any

from flask import (
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from markupsafe import escape

from governance.assemblies.models import Assembly
from governance.ballots import choices as ch
from governance.ballots.access import gate_cast, load_poll
from governance.ballots.blueprint import bp, describe, to_poll
from governance.ballots.casting import Receipt, cast_vote, encrypted_only
from governance.ballots.encrypted_cast import InvalidBallot, cast_encrypted, check_encrypted
from governance.ballots.encrypted_pages import encrypted_context
from governance.ballots.forms import (
    ANSWER_LABELS,
    CastForm,
    EncryptedCastForm,
    build_ballot_form,
    member_id_of,
    read_cast,
    voter_in,
)
from governance.ballots.models import (
    ElectionMode,
    Poll,
    PollKind,
    PollOption,
    PollState,
)
from governance.ballots.provides import has_voted
from governance.ballots.shape import shape_of
from governance.ballots.trackers import format_tracker
from governance.ballots.voters import Voter, voters_of
from governance.db import utcnow
from governance.errors import DomainError, NotFound
from governance.i18n import _
from governance.ratelimit import LeanLimit
from governance.web import begin_writing, db, fail, lock_late


def _html_bytes(text: str) -> int:
    return len(str(escape(text)).encode())


def description_width(shape: ch.Shape, options: list[PollOption]) -> int:
    """The most bytes `describe` of a valid choice of this poll takes in a page (escaped)."""
    if shape.kind == PollKind.MOTION:
        widest: tuple[str, ...] = ch.MOTION_CHOICES
    elif shape.mode == ElectionMode.YES_NO_ABSTAIN_PER_CANDIDATE:
        answer = max(ch.ANSWERS, key=lambda a: _html_bytes(str(ANSWER_LABELS[a])))
        widest = (ch.encode_per_candidate(dict.fromkeys(shape.option_ids, answer)), ch.ABSTAIN)
    else:
        longest = sorted(options, key=lambda o: _html_bytes(o.label), reverse=True)
        widest = (ch.encode_choose([int(o.id or 0) for o in longest[: shape.seats]]), ch.ABSTAIN)
    return max(_html_bytes(describe(choice, shape, options)) for choice in widest)


def _confirmation(
    poll: Poll, shape: ch.Shape, options: list[PollOption], *, voter: str, label: str, choice: str
) -> Any:
    """The confirmation page, of one size whatever the choice: the choice, its description and
    the cast form's padding are topped up to the poll's widest (sizes show in access logs and
    to whoever watches the network, even through TLS)."""
    described = describe(choice, shape, options)
    pad = ch.request_padding(shape, choice)
    used = _html_bytes(described) + len(choice) + len(pad)
    width = description_width(shape, options) + ch.request_width(shape)
    return render_template(
        "ballots/confirm.html",
        poll=poll,
        form=CastForm(formdata=None, voter=voter, choice=choice, pad=pad),
        voter=label,
        described=described,
        padding=" " * (width - used),
    )


def _voters(poll_id: int) -> tuple[list[Voter], Poll, Assembly]:
    """The poll through the gate (`load_poll`: 404, 403) and whom the user may vote for in it
    (themselves if on the roll, their principals); 403 when nobody."""
    poll, assembly = load_poll(poll_id)
    voters = voters_of(
        db(), poll_id=poll_id, member_id=current_user.member_id, user_id=current_user.id
    )
    if not voters:
        abort(403)
    return voters, poll, assembly


def _choices(voters: list[Voter]) -> list[tuple[int, str]]:
    """The voter field's choices: those not voted for yet."""
    return [
        (
            int(v.member.id or 0),
            _("For %(name)s (proxy)", name=v.member.display_name) if v.by_proxy else _("Myself"),
        )
        for v in voters
        if not v.done
    ]


@bp.route("/<int:poll_id>/vote", methods=["GET", "POST"])
@login_required
@lock_late
def vote(poll_id: int) -> Any:
    """The ballot page; a valid submission leads to the confirmation step."""
    entitled, poll, assembly = _voters(poll_id)
    if poll.state != PollState.OPEN:
        flash(_("The poll is not open."), "info")
        return to_poll(poll)
    voters = _choices(entitled)
    shape, options = shape_of(db(), poll)
    if not voters:
        proxy = any(v.by_proxy for v in entitled)
        return render_template("ballots/voted.html", poll=poll, assembly=assembly, proxy=proxy)
    form = build_ballot_form(
        kind=poll.kind, mode=poll.election_mode, seats=poll.seats, options=options, voters=voters
    )
    if poll.is_encrypted:
        # The choice is encrypted in the page (encrypted_ballot.js) and cast from there: a form
        # sent without scripts is never confirmed, it only gets the explanation.
        if request.method == "POST":
            flash(str(encrypted_only()), "error")
        return render_template(
            "ballots/vote.html",
            poll=poll,
            assembly=assembly,
            form=form,
            options=options,
            encrypted=encrypted_context(poll, [v for v, _label in voters]),
        )
    if form.validate_on_submit():
        return _confirmation(
            poll,
            shape,
            options,
            voter=str(form.voter.data),
            label=dict(voters)[form.voter.data],
            choice=form.encoded_choice(),
        )
    return render_template(
        "ballots/vote.html", poll=poll, assembly=assembly, form=form, options=options
    )


def _wants_json() -> bool:
    """The live page's ballot (static/js/live_ballot.js) asks for JSON; a form post gets HTML."""
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def _json(status: int, **body: Any) -> Any:
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"  # a tracker is shown once, kept nowhere
    return response


# Only refused encrypted ballots count (422): each cost a full proof check. A plain cast never
# asks the limit's storage.
_invalid_ballots = LeanLimit("INVALID_BALLOT_LIMIT_PER_LOGIN", "ballots.cast.invalid", exact=True)


@bp.route("/<int:poll_id>/cast", methods=["POST"])
@login_required
@lock_late
def cast(poll_id: int) -> Any:
    """Cast the confirmed vote and show its tracker(s) once, in this response only: as the
    receipt page, or as JSON for the live page's ballot (confirmed on that page). A poll with a
    key takes the ballots encrypted in the page (encrypted_ballot.js), checked before the lock.
    Before the lock one query (the gate and the entitlement), under it one more (the lock and
    the facts) and the inserts: the live page's cast is the hot path (issue #19)."""
    as_json = _wants_json()
    target = gate_cast(poll_id, voter_in(request.form))
    if target.encrypted and not as_json:
        flash(str(encrypted_only()), "error")
        return redirect(url_for("ballots.vote", poll_id=poll_id))
    if target.encrypted and not _invalid_ballots.allows():
        return _json(429, error=_("Too many invalid ballots. Please wait a few minutes."))
    form = EncryptedCastForm() if target.encrypted else None
    data = None if form else read_cast(request.form)
    voter = _encrypted_voter(form) if form else (data.voter if data else None)
    if voter is None:
        if as_json:
            return _json(400, error=_("The vote could not be cast. Please reload the page."))
        abort(400)
    if not target.voter:
        # One answer for every member the user does not represent, whether that member exists,
        # is on the roll or has voted: a cast must not tell anyone else's turnout or roll entry.
        if as_json:
            return _json(403, error=_("You cannot vote for this member."))
        abort(403)
    try:
        receipt = _cast(poll_id, form, voter, data.choice if data else "")
    except NotFound:
        abort(404)
    except DomainError as exc:
        return _refused(exc, poll_id, voter, as_json)
    db().commit()
    trackers = [format_tracker(t) for t in receipt.trackers]
    if as_json:
        return _json(200, trackers=trackers)
    return _receipt_page(poll_id, trackers)


def _encrypted_voter(form: EncryptedCastForm) -> int | None:
    """The voter of a valid encrypted cast, else None."""
    return member_id_of(form.voter.data) if form.validate_on_submit() else None


def _receipt_page(poll_id: int, trackers: list[str]) -> Any:
    """The receipt page; the way back to the ballot only while votes for represented members
    are still to cast."""
    voters = voters_of(
        db(), poll_id=poll_id, member_id=current_user.member_id, user_id=current_user.id
    )
    left = [v for v in voters if not v.done]
    poll = db().get(Poll, poll_id)
    return render_template(
        "ballots/receipt.html", poll=poll, trackers=trackers, votes_left=bool(left)
    )


def _cast(poll_id: int, form: EncryptedCastForm | None, member_id: int, choice: str) -> Receipt:
    """The cast itself. The write lock (SQLite) or row lock (PostgreSQL) is held for the cast
    alone: the request's reads (user, CSRF, entitlement, an encrypted ballot's proofs) ran
    without it (lock_late), and the cast is committed before the tracker is shown, so a tracker
    is only ever shown for a stored vote."""
    if form is not None:
        poll = db().get(Poll, poll_id)
        if poll is None:
            raise NotFound(_("There is no such poll."))
        checked = check_encrypted(db(), poll=poll, wires=form.ballot.data)
        return cast_encrypted(
            begin_writing(),
            poll_id=poll_id,
            member_id=member_id,
            actor=current_user,
            checked=checked,
            now=utcnow(),
        )
    return cast_vote(
        begin_writing(),
        poll_id=poll_id,
        member_id=member_id,
        actor=current_user,
        choice=choice,
        now=utcnow(),
    )


def _refused(exc: DomainError, poll_id: int, member_id: int, as_json: bool) -> Any:
    """A refused cast: JSON with whether the vote is in (a retry after a lost answer; 422 for
    an invalid encrypted ballot), else the ballot page with the message."""
    if as_json:
        message = str(exc)
        db().rollback()
        voted = has_voted(db(), poll_id=poll_id, member_id=member_id)
        if isinstance(exc, InvalidBallot):
            _invalid_ballots.hit()
            return _json(422, error=message, voted=voted)
        return _json(409, error=message, voted=voted)
    fail(exc)
    return redirect(url_for("ballots.vote", poll_id=poll_id))
