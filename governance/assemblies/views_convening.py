"""Convening views: the convening page, supplements to the agenda, the evidence for the minutes."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import force_locale
from flask_login import current_user, login_required

from governance.accounts.forms import ConfirmForm
from governance.accounts.models import Role
from governance.assemblies import convening
from governance.assemblies.access import load_assembly
from governance.assemblies.agenda import agenda
from governance.assemblies.blueprint import bp, convening_settings, to_detail
from governance.assemblies.documents import NoticeKind
from governance.assemblies.models import Assembly
from governance.db import utcnow
from governance.errors import DomainError
from governance.i18n import _, today
from governance.mailing import LABELS, delivery, mailings_of
from governance.register.blueprint import mail_locale
from governance.register.services import linked_user
from governance.security import role_required
from governance.web import db, external_url, fail, require


@bp.route("/<int:assembly_id>/convene", methods=["GET", "POST"])
@role_required(Role.BOARD, Role.SUPERVISORY_BOARD)
def convene(assembly_id: int) -> Any:
    """Convene: check the notice period, freeze the roll, invite every member."""
    assembly = load_assembly(assembly_id)
    require(assembly.can_convene(current_user))
    settings, form = convening_settings(), ConfirmForm()
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
        except DomainError as exc:
            fail(exc)
        else:
            flash(
                _(
                    "Convened. %(n)d invitations are queued; %(m)d members have no email "
                    "address and are listed for letter post.",
                    n=evidence.recipient_count,
                    m=evidence.letter_count,
                ),
                "success",
            )
            return redirect(url_for("assemblies.evidence", assembly_id=assembly.id))
    return _convene_page(assembly, form, settings)


def _convene_page(assembly: Assembly, form: ConfirmForm, settings: Any) -> Any:
    """What convening will do: the roll at the record date, the earliest possible date."""
    from governance.register.services import eligible_members

    record_date = assembly.record_date or today()
    eligible = eligible_members(db(), at=record_date, min_shares=settings.min_shares)
    return render_template(
        "assemblies/convene.html",
        assembly=assembly,
        form=form,
        record_date=record_date,
        eligible=len(eligible),
        without_email=sum(1 for m, _s in eligible if not m.email),
        earliest=convening.earliest_start(utcnow(), settings.notice_days),
        settings=settings,
    )


@bp.route("/<int:assembly_id>/supplement", methods=["POST"])
@role_required(Role.BOARD, Role.SUPERVISORY_BOARD)
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
            flash(_("%(n)d notices are queued.", n=evidence.recipient_count), "success")
    return to_detail(assembly, "agenda")


def login_link(user: Any) -> str:
    """A personal one-click login link for `user`."""
    from governance.accounts.services import PURPOSE_INVITE, make_token

    token = make_token(current_app.secret_key, user=user, purpose=PURPOSE_INVITE)
    return external_url("accounts.invitation_link", token=token)


def invitation_renderer(assembly: Assembly, kind: NoticeKind) -> convening.Renderer:
    """Renders one member's notice (or the evidence copy, member None) from the mail templates."""
    items = agenda(db(), assembly_id=assembly.id)
    name = "mail_invitation" if kind == NoticeKind.INVITATION else "mail_supplement"
    ctx = {
        "assembly": assembly,
        "items": items,
        "new_items": [e for e in items if e.item.announced_at is None],
        "detail_url": external_url("assemblies.detail", assembly_id=assembly.id),
        "live_url": external_url("assemblies.live", assembly_id=assembly.id),
        "request_link_url": external_url("accounts.request_login_link"),
        "link_days": current_app.config["INVITATION_LINK_MAX_AGE"] // 86400,
    }

    def render(member: Any, link: str | None) -> tuple[str, str]:
        # In the member's language (their login's), the evidence copy in the cooperative's.
        user = linked_user(db(), member) if member is not None else None
        with force_locale(mail_locale(user)):
            subject = render_template(f"assemblies/{name}.subject.txt", **ctx).strip()
            body = render_template(f"assemblies/{name}.txt", member=member, link=link, **ctx)
        return subject, body

    return render


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
        mailings=mailings,
        delivery=delivery(db(), mailing_ids=[m.id for m in mailings]),
        LABELS=LABELS,
    )
