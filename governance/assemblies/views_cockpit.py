"""The chair's cockpit, the list of speakers and the display token of the screen in the room.

The cockpit puts on one page what the chair runs: the agenda with the current item, the
speakers, the open poll with its turnout against the members present, the polls to declare and
the next one prepared. Its figures refresh through cockpit.json (static/js/room.js). Opening,
closing and declaring post to the ballots routes, which come back here (`?back=cockpit`).
"""

from __future__ import annotations

from typing import Any

from flask import flash, jsonify, make_response, redirect, render_template, url_for
from flask_login import current_user, login_required

from governance.accounts.forms import ConfirmForm
from governance.assemblies import hooks, screen, services, speakers
from governance.assemblies.access import load_assembly
from governance.assemblies.agenda import agenda
from governance.assemblies.blueprint import bp, forget_live, room_labels
from governance.assemblies.floor import SpeakerKind
from governance.assemblies.forms import (
    CallNextForm,
    CurrentItemForm,
    OpenSessionForm,
    SpeakerAddForm,
    SpeakRequestForm,
    options,
)
from governance.assemblies.models import Assembly
from governance.assemblies.roll import roll_members
from governance.db import utcnow
from governance.errors import DomainError
from governance.i18n import _
from governance.web import db, external_url, fail, require


def _chair(assembly: Assembly, user: Any) -> bool:
    return bool(assembly.can_chair(user))


def _floor_keeper(assembly: Assembly, user: Any) -> bool:
    """The list of speakers is kept by the chair and, in the room, the secretary."""
    return bool(assembly.can_chair(user) or assembly.can_keep_records(user))


def to_cockpit(assembly: Assembly) -> Any:
    return redirect(url_for("assemblies.cockpit", assembly_id=assembly.id))


def _add_form(assembly: Assembly) -> SpeakerAddForm:
    form = SpeakerAddForm()
    form.member_id.choices = options(
        (m.id, f"{m.display_name} ({m.number})")
        for _e, m in roll_members(db(), assembly_id=assembly.id)
    )
    return form


def _item_form(assembly: Assembly) -> CurrentItemForm:
    form = CurrentItemForm(data={"item_id": assembly.current_item_id or 0})
    form.item_id.choices = options(
        [(0, "—")]
        + [
            (e.item.id, f"{_('TOP')} {e.number} {e.item.title}")
            for e in agenda(db(), assembly_id=assembly.id)
        ]
    )
    return form


@bp.route("/<int:assembly_id>/cockpit")
@login_required
def cockpit(assembly_id: int) -> Any:
    """The chair's cockpit: agenda, speakers, polls and turnout on one page."""
    assembly = load_assembly(assembly_id, _chair)
    session, now = db(), utcnow()
    floor = speakers.floor_state(session, assembly=assembly)
    open_form = OpenSessionForm()
    open_form.set_people(services.staff_users(session))
    return render_template(
        "assemblies/cockpit.html",
        assembly=assembly,
        items=agenda(session, assembly_id=assembly.id),
        item_form=_item_form(assembly),
        floor=floor,
        floor_key=speakers.floor_key(floor),
        polls=hooks.poll_overview(session, assembly_id=assembly.id),
        turnout=screen.turnout(session, assembly=assembly, now=now),
        call_form=CallNextForm(),
        add_form=_add_form(assembly),
        open_form=open_form,
        confirm=ConfirmForm(),
        labels=room_labels(),
    )


@bp.route("/<int:assembly_id>/cockpit.json")
@login_required
def cockpit_json(assembly_id: int) -> Any:
    """The cockpit's figures: current item, speakers, the open poll's turnout."""
    assembly = load_assembly(assembly_id, _chair)
    response = jsonify(screen.screen_payload(db(), assembly=assembly, now=utcnow()))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/<int:assembly_id>/speakers")
@login_required
def speakers_page(assembly_id: int) -> Any:
    """The list of speakers for the secretary in the room (the chair has it on the cockpit)."""
    assembly = load_assembly(assembly_id, _floor_keeper)
    floor = speakers.floor_state(db(), assembly=assembly)
    return render_template(
        "assemblies/speakers.html",
        assembly=assembly,
        floor=floor,
        floor_key=speakers.floor_key(floor),
        add_form=_add_form(assembly),
        confirm=ConfirmForm(),
        labels=room_labels(),
    )


def _back(assembly: Assembly) -> Any:
    if assembly.can_chair(current_user):
        return to_cockpit(assembly)
    return redirect(url_for("assemblies.speakers_page", assembly_id=assembly.id))


@bp.route("/<int:assembly_id>/speakers/add", methods=["POST"])
@login_required
def speaker_add(assembly_id: int) -> Any:
    """The secretary or the chair puts a member in the room on the list."""
    assembly = load_assembly(assembly_id, _floor_keeper)
    form = _add_form(assembly)
    if form.validate_on_submit():
        try:
            speakers.request_to_speak(
                db(),
                assembly=assembly,
                member_id=form.member_id.data,
                kind=SpeakerKind(form.kind.data),
                actor=current_user,
                now=utcnow(),
                in_room=True,
            )
        except DomainError as exc:
            fail(exc)
        else:
            forget_live(assembly.id)
    return _back(assembly)


@bp.route("/<int:assembly_id>/speakers/<int:speaker_id>/remove", methods=["POST"])
@login_required
def speaker_remove(assembly_id: int, speaker_id: int) -> Any:
    """The chair or the secretary takes a waiting request off the list."""
    assembly = load_assembly(assembly_id, _floor_keeper)
    if ConfirmForm().validate_on_submit():
        try:
            speakers.withdraw(
                db(), assembly=assembly, speaker_id=speaker_id, member_id=None, actor=current_user
            )
        except DomainError as exc:
            fail(exc)
        else:
            forget_live(assembly.id)
    return _back(assembly)


@bp.route("/<int:assembly_id>/speakers/next", methods=["POST"])
@login_required
def speaker_next(assembly_id: int) -> Any:
    """The chair gives the floor to the next speaker (points of order first)."""
    assembly = load_assembly(assembly_id, _chair)
    form = CallNextForm()
    if form.validate_on_submit():
        minutes = form.minutes.data
        try:
            called = speakers.call_next(
                db(),
                assembly=assembly,
                speaking_time_s=minutes * 60 if minutes else None,
                actor=current_user,
                now=utcnow(),
            )
        except DomainError as exc:
            fail(exc)
        else:
            forget_live(assembly.id)
            if called is None:
                flash(_("Nobody is waiting to speak."), "info")
    else:
        flash(" ".join(e for errors in form.errors.values() for e in errors), "error")
    return to_cockpit(assembly)


@bp.route("/<int:assembly_id>/speakers/end", methods=["POST"])
@login_required
def speaker_end(assembly_id: int) -> Any:
    """The chair ends the current speech."""
    assembly = load_assembly(assembly_id, _chair)
    if ConfirmForm().validate_on_submit():
        try:
            speakers.end_speech(db(), assembly=assembly, actor=current_user, now=utcnow())
        except DomainError as exc:
            fail(exc)
        else:
            forget_live(assembly.id)
    return to_cockpit(assembly)


def _to_live(assembly: Assembly) -> Any:
    return redirect(url_for("assemblies.live", assembly_id=assembly.id, _anchor="speakers"))


@bp.route("/<int:assembly_id>/speakers/request", methods=["POST"])
@login_required
def speaker_request(assembly_id: int) -> Any:
    """A member present asks to speak on the current item (from the live page)."""
    assembly = load_assembly(assembly_id)
    member_id = current_user.member_id
    require(member_id is not None and services.on_roll(db(), assembly=assembly, user=current_user))
    form = SpeakRequestForm()
    if form.validate_on_submit():
        try:
            speakers.request_to_speak(
                db(),
                assembly=assembly,
                member_id=int(member_id),
                kind=SpeakerKind(form.kind.data),
                actor=current_user,
                now=utcnow(),
            )
        except DomainError as exc:
            fail(exc)
        else:
            forget_live(assembly.id)
            flash(_("You are on the list of speakers."), "success")
    return _to_live(assembly)


@bp.route("/<int:assembly_id>/speakers/withdraw", methods=["POST"])
@login_required
def speaker_withdraw(assembly_id: int) -> Any:
    """A member takes back their own waiting request."""
    assembly = load_assembly(assembly_id)
    member_id = current_user.member_id
    require(member_id is not None)
    mine = speakers.my_request(db(), assembly=assembly, member_id=int(member_id))
    if ConfirmForm().validate_on_submit() and mine is not None:
        try:
            speakers.withdraw(
                db(),
                assembly=assembly,
                speaker_id=mine.id or 0,
                member_id=int(member_id),
                actor=current_user,
            )
        except DomainError as exc:
            fail(exc)
        else:
            forget_live(assembly.id)
    return _to_live(assembly)


@bp.route("/<int:assembly_id>/screen-token", methods=["POST"])
@login_required
def screen_token(assembly_id: int) -> Any:
    """The chair creates a new display token; its link is shown this once."""
    assembly = load_assembly(assembly_id, _chair)
    if not ConfirmForm().validate_on_submit():
        return to_cockpit(assembly)
    token = screen.rotate_screen_token(db(), assembly=assembly, actor=current_user)
    link = external_url("assemblies.screen_page", assembly_id=assembly.id, token=token)
    response = make_response(
        render_template("assemblies/screen_link.html", assembly=assembly, link=link)
    )
    response.headers["Cache-Control"] = "no-store"
    return response
