"""The chair's ceremony page: name the tellers and the threshold, follow each teller's
progress, void a ceremony that cannot finish and start a new one."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_babel import force_locale
from flask_login import current_user, login_required

from governance import coopvote as cv
from governance.accounts.models import User
from governance.assemblies.models import Assembly
from governance.db import utcnow
from governance.errors import DomainError
from governance.i18n import _
from governance.register.blueprint import mail_locale
from governance.tellers import services
from governance.tellers.access import load_for_chair
from governance.tellers.blueprint import bp
from governance.tellers.forms import StartForm, VoidForm
from governance.tellers.models import KeyCeremony
from governance.web import db, external_url, fail, queue_templated_mail


def _to_page(assembly: Assembly) -> Any:
    return redirect(url_for("tellers.ceremony", assembly_id=assembly.id))


def _page(assembly: Assembly, start_form: StartForm | None = None) -> Any:
    session = db()
    history = services.ceremonies(session, assembly_id=assembly.id)
    rows = []
    for ceremony in history:
        tellers = services.tellers_of(session, ceremony_id=ceremony.id or 0)
        rows.append((ceremony, tellers, services.user_names(session, tellers)))
    live = services.live_ceremony(session, assembly_id=assembly.id)
    if start_form is None:
        start_form = StartForm()
        if history:  # a restart: the last tellers, to keep or replace
            emails = services.teller_emails(session, ceremony_id=history[0].id or 0)
            start_form.tellers.data, start_form.t.data = "\n".join(emails), history[0].t
    return render_template(
        "tellers/ceremony.html",
        assembly=assembly,
        ceremonies=rows,
        live=live,
        start_form=start_form,
        void_form=VoidForm(),
        group4=cv.group4,
        teller_url=external_url("tellers.teller", assembly_id=assembly.id),
        step_labels=services.STEP_LABELS,
    )


def _mail_tellers(assembly: Assembly, ceremony: KeyCeremony) -> None:
    """Each teller hears of it by mail, in their language, with the link to their page."""
    url = external_url("tellers.teller", assembly_id=assembly.id)
    for teller in services.tellers_of(db(), ceremony_id=ceremony.id or 0):
        user = db().get(User, teller.user_id)
        assert user is not None
        with force_locale(mail_locale(user)):
            queue_templated_mail(
                to=user.email,
                template="tellers/mail_teller",
                assembly=assembly,
                name=user.display_name or user.email,
                index=teller.idx,
                n=ceremony.n,
                t=ceremony.t,
                url=url,
            )


@bp.route("/<int:assembly_id>/ceremony")
@login_required
def ceremony(assembly_id: int) -> Any:
    """The chair's page of the assembly's key ceremony."""
    return _page(load_for_chair(assembly_id))


@bp.route("/<int:assembly_id>/ceremony/start", methods=["POST"])
@login_required
def start(assembly_id: int) -> Any:
    """Name the tellers and the threshold: a new ceremony in round 1."""
    assembly = load_for_chair(assembly_id)
    form = StartForm()
    if not form.validate_on_submit():
        return _page(assembly, form), 400
    try:
        ids = services.users_by_email(db(), emails=form.emails())
        ceremony = services.start(
            db(), assembly=assembly, tellers=ids, t=form.t.data, actor=current_user
        )
    except DomainError as exc:
        fail(exc, form)
        return _page(assembly, form), 400
    _mail_tellers(assembly, ceremony)
    flash(
        _("The key ceremony has started: each teller has been sent the link to their page."),
        "success",
    )
    return _to_page(assembly)


@bp.route("/<int:assembly_id>/ceremony/void", methods=["POST"])
@login_required
def void(assembly_id: int) -> Any:
    """Void the ceremony in progress (a teller cannot finish); a new one may start."""
    assembly = load_for_chair(assembly_id)
    form = VoidForm()
    live = services.live_ceremony(db(), assembly_id=assembly.id)
    if form.validate_on_submit() and live is not None:
        try:
            services.void(
                db(),
                ceremony=live,
                actor=current_user,
                reason=form.reason.data or "",
                now=utcnow(),
            )
        except DomainError as exc:
            fail(exc)
        else:
            flash(_("The key ceremony is void. You can start a new one."), "success")
    return _to_page(assembly)
