"""Convening views: the convening page, supplements to the agenda, the evidence for the minutes."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, flash, redirect, render_template, url_for
from flask_babel import force_locale
from flask_login import current_user, login_required

from governance.accounts.forms import ConfirmForm
from governance.assemblies import body_meetings, closed, convening, hooks
from governance.assemblies.access import load_assembly
from governance.assemblies.agenda import agenda
from governance.assemblies.attachments import attachments_by_item
from governance.assemblies.blueprint import (
    bp,
    calendar_attachment,
    calendar_per_locale,
    convening_settings,
    mail_guests,
    to_detail,
)
from governance.assemblies.documents import NoticeKind
from governance.assemblies.models import Assembly
from governance.assemblies.roll import expelled_on_roll
from governance.assemblies.services import on_roll
from governance.db import utcnow
from governance.errors import DomainError
from governance.i18n import _, ngettext, today
from governance.mailing import LABELS, delivery, mailings_of
from governance.register.blueprint import mail_locale
from governance.register.services import linked_user
from governance.web import db, external_url, fail, require


@bp.route("/<int:assembly_id>/convene", methods=["GET", "POST"])
@login_required
def convene(assembly_id: int) -> Any:
    """Convene: check the notice period, freeze the roll, invite every member."""
    assembly = load_assembly(assembly_id)
    require(assembly.can_convene(current_user))
    settings, form = convening_settings(), ConfirmForm()
    shown = convening.meeting_settings(db(), assembly=assembly, settings=settings)
    if form.validate_on_submit():
        try:
            evidence = convening.convene(
                db(),
                assembly=assembly,
                actor=current_user,
                now=utcnow(),
                today=today(),
                settings=settings,
                render=invitation_renderer(assembly, NoticeKind.INVITATION),
                make_link=login_link,
            )
            guests = [u for _g, u in body_meetings.guests(db(), assembly_id=assembly.id)]
            mail_guests(assembly, guests)
        except DomainError as exc:
            fail(exc)
        else:
            flash(
                " ".join(
                    (
                        ngettext(
                            "Convened. %(num)d invitation is queued.",
                            "Convened. %(num)d invitations are queued.",
                            evidence.recipient_count,
                        ),
                        ngettext(
                            "%(num)d member has no email address and is listed for letter post.",
                            "%(num)d members have no email address and are listed for letter post.",
                            evidence.letter_count,
                        )
                        if evidence.letter_count
                        else "",
                    )
                ).strip(),
                "success",
            )
            return redirect(url_for("assemblies.evidence", assembly_id=assembly.id))
    return _convene_page(assembly, form, shown)


def _convene_page(assembly: Assembly, form: ConfirmForm, settings: Any) -> Any:
    """What convening will do: the invitation as sent, the recipients by channel, the dates."""
    preview = None
    if assembly.is_draft:
        preview = _preview(assembly, settings)
    return render_template(
        "assemblies/convene.html",
        assembly=assembly,
        form=form,
        record_date=assembly.record_date or today(),
        preview=preview,
        earliest=convening.earliest_start(utcnow(), settings.notice_days),
        settings=settings,
        guests=len(body_meetings.guests(db(), assembly_id=assembly.id)) if assembly.of_body else 0,
    )


def _preview(assembly: Assembly, settings: Any) -> convening.Preview | None:
    """The invitation as sent; None (with the reason shown) when it cannot be convened."""
    try:
        return convening.preview(
            db(),
            assembly=assembly,
            today=today(),
            min_shares=settings.min_shares,
            render=invitation_renderer(assembly, NoticeKind.INVITATION),
            link_placeholder=_("[the member's personal login link]"),
        )
    except DomainError as exc:
        flash(str(exc), "error")
        return None


@bp.route("/<int:assembly_id>/supplement", methods=["POST"])
@login_required
def supplement(assembly_id: int) -> Any:
    """Announce agenda items added after convening to every member."""
    assembly = load_assembly(assembly_id)
    require(assembly.can_convene(current_user))
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            evidence = convening.announce_supplement(
                db(),
                assembly=assembly,
                actor=current_user,
                now=utcnow(),
                settings=convening_settings(),
                render=invitation_renderer(assembly, NoticeKind.SUPPLEMENT),
                make_link=login_link,
            )
        except DomainError as exc:
            fail(exc)
        else:
            flash(
                ngettext(
                    "%(num)d notice is queued.",
                    "%(num)d notices are queued.",
                    evidence.recipient_count,
                ),
                "success",
            )
    return to_detail(assembly, "agenda")


def login_link(user: Any) -> str:
    """A personal one-click login link for `user`."""
    from governance.accounts.services import PURPOSE_INVITE, make_token

    token = make_token(current_app.secret_key, user=user, purpose=PURPOSE_INVITE)
    return external_url("accounts.invitation_link", token=token)


def invitation_renderer(assembly: Assembly, kind: NoticeKind) -> convening.Renderer:
    """Renders one member's notice (or the evidence copy, member None) from the mail templates.

    The invitation comes as text and HTML with the calendar entry (every invited member is on
    the roll: entitled to the access data); supplements as text.
    """
    items = agenda(db(), assembly_id=assembly.id)
    name = "mail_invitation" if kind == NoticeKind.INVITATION else "mail_supplement"
    invitation = kind == NoticeKind.INVITATION
    ics = calendar_per_locale(assembly)
    ctx = {
        "assembly": assembly,
        "items": items,
        "documents": attachments_by_item(db(), assembly_id=assembly.id),
        "new_items": [e for e in items if e.item.announced_at is None],
        "detail_url": external_url("assemblies.detail", assembly_id=assembly.id),
        "live_url": external_url("assemblies.live", assembly_id=assembly.id),
        "request_link_url": external_url("accounts.request_login_link"),
        "link_days": current_app.config["INVITATION_LINK_MAX_AGE"] // 86400,
        "key": hooks.key_ceremony(db(), assembly_id=assembly.id),
    }

    def render(member: Any, link: str | None) -> convening.Notice:
        # In the member's language (their login's), the evidence copy in the cooperative's.
        user = linked_user(db(), member) if member is not None else None
        locale = mail_locale(user)
        with force_locale(locale):
            subject = render_template(f"assemblies/{name}.subject.txt", **ctx).strip()
            body = render_template(f"assemblies/{name}.txt", member=member, link=link, **ctx)
            if not invitation:
                return convening.Notice(subject, body)
            html = render_template(f"assemblies/{name}.html", member=member, link=link, **ctx)
        return convening.Notice(subject, body, html, (ics(locale),))

    return render


@bp.route("/<int:assembly_id>/calendar.ics")
@login_required
def calendar(assembly_id: int) -> Any:
    """The assembly as a calendar entry; the access data only for those entitled to take part."""
    assembly = load_assembly(assembly_id)
    entitled = (
        assembly.is_staff(current_user)
        or on_roll(db(), assembly=assembly, user=current_user)
        or (assembly.of_body and closed.is_guest(assembly, current_user))
    )
    ics = calendar_attachment(assembly, entitled=entitled)
    return Response(
        ics.data,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="{ics.filename}"'},
    )


@bp.route("/<int:assembly_id>/evidence")
@login_required
def evidence(assembly_id: int) -> Any:
    """Evidence of the convening for the minutes: when, to how many, the text, letter post."""
    assembly = load_assembly(assembly_id)
    require(assembly.is_staff(current_user))
    notices = convening.evidence_list(db(), assembly_id=assembly.id)
    letters = {n.id: convening.letter_post(n) for n in notices}
    mailings = mailings_of(db(), assembly_id=assembly.id)
    return render_template(
        "assemblies/evidence.html",
        assembly=assembly,
        notices=notices,
        letters=letters,
        expelled=expelled_on_roll(db(), assembly_id=assembly.id),
        mailings=mailings,
        delivery=delivery(db(), mailing_ids=[m.id for m in mailings]),
        LABELS=LABELS,
    )
