"""The members' live page, its JSON endpoint and heartbeat, and the member's own page."""

from __future__ import annotations

import time
from typing import Any

from flask import current_app, jsonify, render_template, request, session, url_for
from flask_login import current_user, login_required
from werkzeug.http import quote_etag

from governance.accounts.forms import ConfirmForm
from governance.assemblies import attendance, closed, mandates, proxies, services, speakers, watch
from governance.assemblies.access import load_assembly
from governance.assemblies.agenda import agenda
from governance.assemblies.blueprint import bp, live_cache, relative_form, room_labels
from governance.assemblies.forms import ProxyGrantForm, SpeakRequestForm
from governance.assemblies.grants import GrantState
from governance.assemblies.hooks import has_voted, open_poll
from governance.assemblies.live import live_payload
from governance.assemblies.models import Assembly, AssemblyState, Channel, RollEntry
from governance.db import utcnow
from governance.i18n import _, ngettext, per_locale
from governance.pressure import busy_factor
from governance.ratelimit import lean_limit
from governance.register.models import Member
from governance.security import login_manager
from governance.web import begin_writing, db, get_or_404, lock_late, require

HEARTBEAT_SECONDS = 45  # the live page's heartbeat; presence lasts 120 s (attendance.py)
# A busy server stretches the beat up to this: a lost beat is retried after 10 s (live.js),
# and both fall within the 120 s of presence.
MAX_HEARTBEAT_SECONDS = 80


def _beat_seconds() -> int:
    """Seconds to the page's next heartbeat: longer while the server is busy (pressure.py)."""
    return min(MAX_HEARTBEAT_SECONDS, HEARTBEAT_SECONDS * busy_factor())


def _state(assembly_id: int) -> tuple[dict[str, Any], str]:
    """The cached live state, with the link to the ballot of an open poll."""

    def compute() -> dict[str, Any]:
        assembly = get_or_404(Assembly, assembly_id)
        payload = live_payload(
            db(),
            assembly=assembly,
            now=utcnow(),
            requests_per_second=current_app.config["LIVE_REQUESTS_PER_SECOND"],
            busy_factor=busy_factor(),
        )
        poll = payload.get("poll")
        if poll and "ballots.vote" in current_app.view_functions:
            poll["vote_url"] = url_for("ballots.vote", poll_id=poll["id"])
            poll["cast_url"] = url_for("ballots.cast", poll_id=poll["id"])
        result = payload.get("result")
        if result and "ballots.results" in current_app.view_functions:
            result["url"] = url_for("ballots.results", poll_id=result["id"])
        return payload

    return live_cache().get(assembly_id, compute)


def _access(assembly_id: int) -> tuple[Assembly, RollEntry | None, bool]:
    """The assembly, for members on its roll, relatives holding a member's proxy (they vote on
    the ballot page) and staff; the user's own entry if they are on the (frozen) roll, read
    once for the page (services.on_roll's rule), and whether they hold a member's proxy."""
    assembly = load_assembly(assembly_id)
    entry, represents = None, False
    if assembly.roll_frozen:
        entry, represents = services.my_roll_entry_as_proxy(
            db(), assembly=assembly, user=current_user
        )
    require(
        entry is not None
        or assembly.is_staff(current_user)
        or assembly.is_relative_holder(current_user)
        or closed.is_guest(assembly, current_user)
    )
    return assembly, entry, represents


def _watcher(assembly_id: int) -> tuple[Assembly, int | None]:
    """The assembly, for members on its roll and staff; with the user's member if the live
    page records their presence online (on the roll of a remote assembly: heartbeat)."""
    assembly, entry, _represents = _access(assembly_id)
    remote = assembly.is_remote and entry is not None
    return assembly, int(current_user.member_id) if remote else None


def _ballot_context(
    entry: RollEntry | None, represents: bool, payload: dict[str, Any]
) -> dict[str, Any]:
    """What the live page's own ballot needs of the user: their member (if on the roll), the
    open poll they voted in already, and whether they vote as a proxy too (ballot page)."""
    if entry is None or "ballots.cast" not in current_app.view_functions:
        return {"voter_id": None, "voted_poll": None, "represents": False}
    member_id = int(current_user.member_id)
    poll = payload.get("poll")
    voted = poll is not None and has_voted(db(), poll_id=poll["id"], member_id=member_id)
    return {
        "voter_id": member_id,
        "voted_poll": poll["id"] if voted else None,
        "represents": represents,
        "labels": _ballot_labels() | _encrypted_labels(),
        # An encrypted poll with multiple votes takes one ballot per vote (encrypted_ballot.js).
        "weight": entry.weight,
    }


@per_locale
def _outcome_labels() -> dict[str, str]:
    """The outcomes of a published result in words, for live.js; "%(names)s" filled in there."""
    return {
        "ADOPTED": _("Adopted"),
        "REJECTED": _("Rejected"),
        "NOBODY": _("Nobody elected"),
        "TIE": _("Tie"),
        "ELECTED": _("Elected: %(names)s"),
    }


@per_locale
def _ballot_labels() -> dict[str, str]:
    """The texts live_ballot.js puts on the ballot; "%(n)d" is filled in there."""
    tracker = ("Your tracker (Prüfcode):", "Your trackers (Prüfcodes), one per vote:")
    yes, no, abstain = _("Yes"), _("No"), _("Abstain")
    return {
        "YES": yes,
        "NO": no,
        "ABSTAIN": abstain,
        "Y": yes,
        "N": no,
        "A": abstain,
        "vote": _("Your vote"),
        "choose": _("Choose up to %(n)d"),
        "too_many": _("Choose at most %(n)d candidates."),
        "abstain_hint": _("To abstain, tick “Abstain”."),
        "abstain_or_choose": _("Tick the candidates you choose, or “Abstain”."),
        "not_both": _("Tick either candidates or “Abstain”, not both."),
        "required": _("Please choose an answer."),
        "failed": _("The vote could not be cast. Please reload the page."),
        "tracker_one": ngettext(*tracker, 1),
        "tracker_many": ngettext(*tracker, 2),
        "secret": _("Your vote is secret: what you choose is stored without your name."),
        "named": _("This is a named vote: who voted what will be published."),
        "closes": _("Closes automatically"),
    }


@per_locale
def _encrypted_labels() -> dict[str, str]:
    """The texts of an encrypted poll's ballot (encrypted_ballot.js; as on the ballot page)."""
    return {
        "encrypted": _("encrypted – key fingerprint %(fp)s"),
        "server": _("secrecy protected by the server"),
        "encrypting": _("Encrypting your ballot …"),
        "pre_tracker": _("Tracker of this encrypted ballot (write it down):"),
        "check": _("Check this ballot"),
        "checked": _(
            "This ballot was not cast. It contained: %(choice)s. Download its check file and "
            "check it with software that does not come from this server (verify_bundle.py "
            "audit FILE). A new ballot has been encrypted with fresh randomness."
        ),
        "download": _("Download the check file"),
        "no_crypto": _(
            "This browser cannot encrypt the ballot. Please vote on paper in the room instead."
        ),
        "encrypt_failed": _("The ballot could not be encrypted. Please reload the page."),
    }


def _issue_pass(assembly: Assembly, member_id: int | None) -> str:
    """A watch pass for the current user, after the full check (watch.py)."""
    return watch.issue(
        current_app.config["SECRET_KEY"],
        assembly_id=assembly.id,
        login=str(session.get("_user_id", "")),
        member_id=member_id,
    )


def _valid_pass(assembly_id: int) -> watch.WatchPass | None:
    """The request's watch pass, if genuine, fresh and issued to this session's login."""
    granted = watch.check(
        current_app.config["SECRET_KEY"],
        request.headers.get(watch.HEADER),
        assembly_id=assembly_id,
        login=session.get("_user_id"),
        now=time.time(),
    )
    return granted if granted is not None and granted.fresh else None


@bp.route("/<int:assembly_id>/live")
@login_required
def live(assembly_id: int) -> Any:
    """The live page: current item, open poll, turnout; updated by static/js/live.js."""
    assembly, entry, represents = _access(assembly_id)
    on_roll = entry is not None
    member_id = int(current_user.member_id) if assembly.is_remote and on_roll else None
    payload, _etag = _state(assembly.id)
    ballot = _ballot_context(entry, represents, payload)
    if ballot["voted_poll"] is not None:
        # The cached state may be older than this member's vote: their count, fresh.
        payload = {**payload, "poll": {**payload["poll"], **_fresh_turnout(assembly.id)}}
    return render_template(
        "assemblies/live.html",
        assembly=assembly,
        live=payload,
        items=agenda(db(), assembly_id=assembly.id),
        remote=member_id is not None,
        watch_pass=_issue_pass(assembly, member_id),
        heartbeat_seconds=HEARTBEAT_SECONDS,
        poll_seconds=payload["poll_seconds"],
        ballot=ballot,
        outcome_labels=_outcome_labels(),
        time_zone=current_app.config["BABEL_DEFAULT_TIMEZONE"],  # live_ballot.js's closing time
        speak=_speak_context(assembly, on_roll),
        room_labels=room_labels(),
    )


def _fresh_turnout(assembly_id: int) -> dict[str, Any]:
    """The open poll's turnout read now (not from the cache)."""
    fresh = open_poll(db(), assembly_id=assembly_id)
    return {"turnout": fresh["turnout"]} if fresh else {}


def _speak_context(assembly: Assembly, on_roll: bool) -> dict[str, Any]:
    """The member's buttons for the list of speakers: ask (speech or point of order), or
    withdraw their waiting request."""
    open_floor = assembly.state == AssemblyState.IN_SESSION and assembly.current_item_id
    if not on_roll or not open_floor:
        return {"can_request": False}
    mine = speakers.my_request(db(), assembly=assembly, member_id=int(current_user.member_id))
    return {
        "can_request": True,
        "mine": mine,
        "form": SpeakRequestForm(),
        "confirm": ConfirmForm(),
    }


def _too_many() -> Any:
    """A refused live-page request answers in a few bytes, without the error page (which
    would load the user): the page's script tries again at its next tick."""
    response = jsonify(error="too_many_requests")
    response.status_code = 429
    return _no_store(response)


@bp.route("/<int:assembly_id>/live.json")
@lean_limit("LIVE_LIMIT_PER_LOGIN", on_breach=_too_many)
def live_json(assembly_id: int) -> Any:
    """The live state as JSON; cached for a few seconds, with an ETag (304 when unchanged).

    With a fresh watch pass the user is not loaded; without one, the full check runs and the
    answer carries a new pass in the X-Watch-Pass header.
    """
    renewed = None
    if _valid_pass(assembly_id) is None:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        renewed = _issue_pass(*_watcher(assembly_id))
    payload, etag = _state(assembly_id)
    if request.if_none_match.contains(etag):
        response = current_app.response_class(status=304)
    else:
        response = jsonify(payload)
    response.set_etag(etag)
    # Revalidate every time, but let the browser keep the body for a 304.
    response.headers["Cache-Control"] = "private, no-cache"
    if renewed is not None:
        response.headers[watch.HEADER] = renewed
    return response


@bp.route("/<int:assembly_id>/heartbeat", methods=["POST"])
@lean_limit("HEARTBEAT_LIMIT_PER_LOGIN", on_breach=_too_many)
@lock_late
def heartbeat(assembly_id: int) -> Any:
    """The live page is open: the member is present online (CSRF token in X-CSRFToken).

    With a fresh watch pass naming the member, a present member's beat is one read and one
    UPDATE, and joining (or rejoining after a gap) takes the attendance checks alone; without
    a pass the full check runs, and the write lock is taken only for the write. A beat within EARLY_BEAT of the last one written (more
    tabs, a script) is answered from the read alone; beyond the per-login limit, with 429.

    The answer carries the live state as live.json would (`_beat_answer`): the page beats in
    place of one of its live-state requests, not on top of them (static/js/live.js).
    """
    granted = _valid_pass(assembly_id)
    if granted is not None and granted.member_id is not None:
        state = _state(assembly_id)  # read before the write (SQLite: outside its lock)
        channel = _beat_with_pass(assembly_id, granted.member_id)
        if channel is not None:
            return _beat_answer(state, channel)
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    assembly, member_id = _watcher(assembly_id)
    state = _state(assembly.id)
    channel = None
    if ConfirmForm().validate_on_submit() and member_id is not None:
        now = utcnow()
        channel = attendance.seen_recently(
            db(), assembly_id=assembly.id, member_id=member_id, now=now
        ) or attendance.heartbeat(begin_writing(), assembly=assembly, member_id=member_id, now=now)
    response = _beat_answer(state, channel)
    response.headers[watch.HEADER] = _issue_pass(assembly, member_id)
    return response


# The live state's ETag the page holds, sent with a beat (a POST: If-None-Match would be a
# precondition there, not a cache validator).
LIVE_ETAG_HEADER = "X-Live-ETag"


def _beat_answer(state: tuple[dict[str, Any], str], channel: Channel | None) -> Any:
    """A beat's answer: the channel the member is present on, when to beat next, and the live
    state (`_state`) with its ETag unless the page holds it already (the ETag it sent)."""
    payload, etag = state
    answer: dict[str, Any] = {
        "channel": channel.value if channel else None,
        "beat_seconds": _beat_seconds(),
    }
    quoted = quote_etag(etag)
    if request.headers.get(LIVE_ETAG_HEADER) != quoted:
        answer |= {"live": payload, "etag": quoted}
    return _no_store(jsonify(answer))


def _beat_with_pass(assembly_id: int, member_id: int) -> Channel | None:
    """A beat under a fresh pass naming the member (issued after the full check, watch.py): a
    present member's is one read or one read and one UPDATE; joining takes the read and the
    attendance checks (in session, remote, on the roll, not expelled) without the page's full
    check again, rejoining after a gap the UPDATE too. None: not present and not joined; the
    full path decides."""
    now = utcnow()
    keys = {"assembly_id": assembly_id, "member_id": member_id, "now": now}
    last = attendance.last_beat(db(), **keys)
    if last.channel is not None:
        return last.channel
    session = begin_writing()
    if last.has_row:  # a present member's beat: one UPDATE (none to try when joining)
        channel = attendance.refresh_presence(session, **keys)
        if channel is not None:
            return channel
    channel = attendance.heartbeat_in_session(session, **keys)
    if channel is None:
        db().rollback()  # ends the write transaction before the full path's reads
    return channel


def _no_store(response: Any) -> Any:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/<int:assembly_id>/me")
@login_required
def mine(assembly_id: int) -> Any:
    """The member's own page: on the roll? whom they represent, who represents them; their
    proxy to give or revoke, the proxies given to them to accept. A relative holding a
    member's proxy is no member: their page is the grant's (relative_page)."""
    assembly = load_assembly(assembly_id)
    require(not assembly.is_relative_holder(current_user))
    member_id = current_user.member_id
    session = db()
    represented: list[Member] = []
    my_proxy = my_grant = None
    offered: list[Any] = []
    if member_id is not None:
        represented = mandates.represented_members(
            session, assembly_id=assembly.id, proxy_member_id=member_id
        )
        given = mandates.mandate_of(session, assembly_id=assembly.id, principal_id=member_id)
        my_proxy = session.get(Member, given.proxy_id) if given else None
        my_grant = proxies.live_grant(session, assembly_id=assembly.id, principal_id=member_id)
        offered = proxies.grants(session, assembly_id=assembly.id, holder_id=member_id)
    return render_template(
        "assemblies/mine.html",
        assembly=assembly,
        entry=services.my_roll_entry(session, assembly=assembly, user=current_user),
        represented=represented,
        my_proxy=my_proxy,
        my_grant=my_grant,
        my_grant_holder=session.get(Member, my_grant.holder_id)
        if my_grant and my_grant.holder_id
        else None,
        relative_form=relative_form(),
        offered=[row for row in offered if row[0].state == GrantState.GRANTED],
        grant_form=ProxyGrantForm(),
        proxies_open=assembly.state in (AssemblyState.CONVENED, AssemblyState.IN_SESSION),
        locked=mandates.mandates_locked(session, assembly_id=assembly.id),
        channel=services.my_channel(session, assembly=assembly, user=current_user, now=utcnow()),
    )
