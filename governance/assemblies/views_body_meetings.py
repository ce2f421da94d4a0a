"""Meetings of a body: the body page's list of meetings, the quorum, the guests of a meeting.

The body page (bodies/body.html) includes bodies/_body_meetings.html, which reads its data
through the `body_meetings` template global; creating a meeting is views.py `new_meeting`.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from governance.accounts.forms import ConfirmForm
from governance.accounts.services import user_by_email
from governance.assemblies import body_meetings
from governance.assemblies.access import load_assembly
from governance.assemblies.blueprint import bp, mail_guests
from governance.assemblies.forms import GuestForm
from governance.assemblies.guests import MeetingGuest
from governance.assemblies.models import LIVE_ASSEMBLY, Assembly, AssemblyState
from governance.bodies.models import Body
from governance.db import utcnow
from governance.errors import DomainError
from governance.i18n import _, today
from governance.web import db, fail, get_or_404, require


@bp.app_template_global("body_meetings")
def body_meetings_of(body: Body) -> dict[str, Any]:
    """The body's meetings the user may see, and whether they may create one."""
    session = db()
    meetings = body_meetings.meetings_of(session, body_id=int(body.id or 0))
    return {
        "meetings": [m for m in meetings if m.can_see(current_user)],
        "may_create": body_meetings.may_create(session, body=body, user=current_user, day=today()),
    }


@bp.app_template_global("meeting_quorum")
def meeting_quorum(assembly: Assembly) -> body_meetings.Quorum | None:
    """The quorum of a body's meeting now (None for a general assembly)."""
    return body_meetings.quorum(db(), assembly=assembly, now=utcnow())


@bp.app_template_global("meeting_body")
def meeting_body(assembly: Assembly) -> Body | None:
    """The body whose meeting this is."""
    return body_meetings.body_of(db(), assembly)


def _to_guests(assembly: Assembly) -> Any:
    return redirect(url_for("assemblies.guests", assembly_id=assembly.id))


@bp.route("/<int:assembly_id>/guests", methods=["GET", "POST"])
@login_required
def guests(assembly_id: int) -> Any:
    """The guests of a body's meeting; its leaders invite a user by their account's email."""
    assembly = load_assembly(assembly_id, Assembly.is_staff)
    require(assembly.of_body)
    form, may_invite = GuestForm(), assembly.can_manage(current_user)
    if may_invite and form.validate_on_submit():
        user = user_by_email(db(), form.email.data or "")
        try:
            if user is None:
                raise DomainError(_("There is no account with this email address."), field="email")
            body_meetings.invite_guest(
                db(), assembly=assembly, user=user, actor=current_user, now=utcnow()
            )
        except DomainError as exc:
            fail(exc, form)
        else:
            flash(_guest_told(assembly, user), "success")
            return _to_guests(assembly)
    rows = body_meetings.guests(db(), assembly_id=assembly.id)
    return render_template(
        "assemblies/guests.html",
        assembly=assembly,
        rows=rows,
        form=form,
        may_invite=may_invite,
        confirm=ConfirmForm(),
    )


def _guest_told(assembly: Assembly, user: Any) -> str:
    """Mail a new guest of a convened meeting at once (a draft's guests hear of it when it is
    convened, with the seats); what the leaders are told."""
    if assembly.state in LIVE_ASSEMBLY:
        mail_guests(assembly, [user])
        return _("%(name)s is invited to this meeting by mail.", name=user.email)
    if assembly.state == AssemblyState.DRAFT:
        return _(
            "%(name)s is invited to this meeting and will be mailed when it is convened.",
            name=user.email,
        )
    return _("%(name)s is invited to this meeting.", name=user.email)


@bp.route("/<int:assembly_id>/guests/<int:guest_id>/remove", methods=["POST"])
@login_required
def guest_remove(assembly_id: int, guest_id: int) -> Any:
    """The body's leaders close the meeting to a guest again."""
    assembly = load_assembly(assembly_id, Assembly.can_manage)
    guest = get_or_404(MeetingGuest, guest_id)
    if ConfirmForm().validate_on_submit():
        try:
            body_meetings.remove_guest(db(), assembly=assembly, guest=guest, actor=current_user)
        except DomainError as exc:
            fail(exc)
        else:
            flash(_("The guest has been removed."), "success")
    return _to_guests(assembly)
