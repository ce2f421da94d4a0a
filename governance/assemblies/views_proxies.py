"""Proxies members give themselves (§43(5) GenG): grant, accept, revoke; the secretary rejects."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import force_locale
from flask_login import current_user, login_required

from governance.accounts.forms import ConfirmForm
from governance.accounts.models import User
from governance.accounts.services import PURPOSE_INVITE, make_token
from governance.assemblies import proxies, relatives
from governance.assemblies.access import load_assembly, load_held_grant
from governance.assemblies.blueprint import bp, proxy_relatives, relative_form
from governance.assemblies.forms import ProxyGrantForm, ReasonForm
from governance.assemblies.grants import ProxyGrant, Relationship
from governance.assemblies.models import Assembly
from governance.db import utcnow
from governance.errors import DomainError
from governance.i18n import _
from governance.register.blueprint import mail_locale
from governance.register.models import Member
from governance.register.queries import member_by_number
from governance.web import db, external_url, fail, get_or_404, require


def _own_member() -> Member:
    """The current user's member (403 for an account without one)."""
    require(current_user.member_id is not None)
    return get_or_404(Member, current_user.member_id)


def _grant(assembly: Assembly, grant_id: int) -> ProxyGrant:
    grant = get_or_404(ProxyGrant, grant_id)
    if grant.assembly_id != assembly.id:
        abort(404)
    return grant


def _to_mine(assembly: Assembly) -> Any:
    return redirect(url_for("assemblies.mine", assembly_id=assembly.id, _anchor="proxy"))


def _declaration(assembly: Assembly, principal: Member, holder: Member, only: bool) -> str:
    scope = (
        _("for the assembly “%(title)s”", title=assembly.title)
        if only
        else _("for the assembly “%(title)s” and the following ones until I revoke it")
    )
    return _(
        "I, %(principal)s (%(pn)s), authorise %(holder)s (%(hn)s) to exercise my vote %(scope)s "
        "(proxy in text form, §43(5) GenG). Declared on %(now)s.",
        principal=principal.display_name,
        pn=principal.number,
        holder=holder.display_name,
        hn=holder.number,
        scope=scope,
        now=utcnow().isoformat(timespec="minutes"),
    )


def _relative_notifier(assembly: Assembly) -> relatives.RelativeNotifier:
    def render(grant: ProxyGrant, principal: Member, holder: User) -> tuple[str, str]:
        token = make_token(current_app.secret_key, user=holder, purpose=PURPOSE_INVITE)
        ctx = {
            "assembly": assembly,
            "principal": principal,
            "grant": grant,
            "login_url": external_url("accounts.invitation_link", token=token),
            "grant_url": external_url(
                "assemblies.relative_page", assembly_id=assembly.id, grant_id=grant.id
            ),
        }
        with force_locale(mail_locale(holder)):
            subject = render_template("assemblies/mail_proxy_relative.subject.txt", **ctx)
            return subject.strip(), render_template("assemblies/mail_proxy_relative.txt", **ctx)

    return render


def _notifier(assembly: Assembly) -> proxies.Notifier:
    def render(grant: ProxyGrant, principal: Member, holder: Member) -> tuple[str, str]:
        ctx = {
            "assembly": assembly,
            "principal": principal,
            "holder": holder,
            "grant": grant,
            "mine_url": external_url("assemblies.mine", assembly_id=assembly.id),
        }
        subject = render_template("assemblies/mail_proxy.subject.txt", **ctx).strip()
        return subject, render_template("assemblies/mail_proxy.txt", **ctx)

    return render


@bp.route("/<int:assembly_id>/me/proxy", methods=["POST"])
@login_required
def proxy_grant(assembly_id: int) -> Any:
    """The member gives a proxy to another member (the holder accepts it on their page)."""
    assembly = load_assembly(assembly_id)
    principal = _own_member()
    form = ProxyGrantForm()
    if not form.validate_on_submit():
        for field in form:
            for error in field.errors:
                flash(f"{field.label.text}: {error}", "error")
        return _to_mine(assembly)
    holder = member_by_number(db(), form.holder.data.strip().upper())
    try:
        if holder is None:
            raise DomainError(_("No member with the number %(n)s.", n=form.holder.data))
        proxies.grant_proxy(
            db(),
            assembly=assembly,
            principal=principal,
            holder=holder,
            declaration=_declaration(assembly, principal, holder, form.this_assembly_only.data),
            this_assembly_only=bool(form.this_assembly_only.data),
            actor=current_user,
            notify=_notifier(assembly),
        )
    except DomainError as exc:
        fail(exc)
    else:
        flash(_("Your proxy is given. %(name)s has been told and accepts it on their page.",
                name=holder.display_name), "success")  # fmt: skip
    return _to_mine(assembly)


@bp.route("/<int:assembly_id>/me/proxy/relative", methods=["POST"])
@login_required
def proxy_grant_relative(assembly_id: int) -> Any:
    """The member gives a proxy to a relative who is not a member, where the statute allows."""
    assembly = load_assembly(assembly_id)
    principal = _own_member()
    form = relative_form()
    if form is None:  # the statute allows members only
        abort(403)
    if not form.validate_on_submit():
        for field in form:
            for error in field.errors:
                flash(f"{field.label.text}: {error}", "error")
        return _to_mine(assembly)
    try:
        relatives.grant_to_relative(
            db(),
            assembly=assembly,
            principal=principal,
            name=form.name.data,
            email=form.email.data,
            relationship=Relationship(form.relationship.data),
            allowed=proxy_relatives(),
            declaration=_relative_declaration(assembly, principal, form.name.data),
            actor=current_user,
            notify=_relative_notifier(assembly),
        )
    except DomainError as exc:
        fail(exc)
    else:
        flash(_("Your proxy is given. %(name)s gets a login link by mail and accepts it.",
                name=form.name.data), "success")  # fmt: skip
    return _to_mine(assembly)


def _relative_declaration(assembly: Assembly, principal: Member, name: str) -> str:
    scope = _("for the assembly “%(title)s”", title=assembly.title)
    return _(
        "I, %(principal)s (%(pn)s), authorise %(holder)s, who is not a member, to exercise my "
        "vote %(scope)s (proxy in text form, §43(5) GenG and the statute). Declared on %(now)s.",
        principal=principal.display_name,
        pn=principal.number,
        holder=name.strip(),
        scope=scope,
        now=utcnow().isoformat(timespec="minutes"),
    )


@bp.route("/<int:assembly_id>/proxy/<int:grant_id>")
@login_required
def relative_page(assembly_id: int, grant_id: int) -> Any:
    """The page of a relative who holds a member's proxy: the declaration, to accept."""
    assembly, grant = load_held_grant(assembly_id, grant_id)
    return render_template(
        "assemblies/relative.html",
        assembly=assembly,
        grant=grant,
        principal=get_or_404(Member, grant.principal_id),
    )


@bp.route("/<int:assembly_id>/proxy/<int:grant_id>/accept", methods=["POST"])
@login_required
def relative_accept(assembly_id: int, grant_id: int) -> Any:
    """The relative accepts the member's proxy: from now on they vote for the member."""
    assembly, grant = load_held_grant(assembly_id, grant_id)
    if ConfirmForm().validate_on_submit():
        try:
            relatives.accept_relative(
                db(), assembly=assembly, grant=grant, actor=current_user, now=utcnow()
            )
        except DomainError as exc:
            fail(exc)
        else:
            flash(_("You have accepted the proxy."), "success")
    return redirect(url_for("assemblies.relative_page", assembly_id=assembly.id, grant_id=grant.id))


@bp.route("/<int:assembly_id>/me/proxy/<int:grant_id>/accept", methods=["POST"])
@login_required
def proxy_accept(assembly_id: int, grant_id: int) -> Any:
    """The holder accepts a proxy given to them: from now on they vote for the member."""
    assembly = load_assembly(assembly_id)
    grant = _grant(assembly, grant_id)
    require(grant.holder_id == _own_member().id)
    if ConfirmForm().validate_on_submit():
        try:
            proxies.accept_proxy(
                db(), assembly=assembly, grant=grant, actor=current_user, now=utcnow()
            )
        except DomainError as exc:
            fail(exc)
        else:
            flash(_("You have accepted the proxy."), "success")
    return _to_mine(assembly)


@bp.route("/<int:assembly_id>/me/proxy/<int:grant_id>/revoke", methods=["POST"])
@login_required
def proxy_revoke(assembly_id: int, grant_id: int) -> Any:
    """The member revokes their proxy (until a poll of the assembly opens)."""
    assembly = load_assembly(assembly_id)
    grant = _grant(assembly, grant_id)
    require(grant.principal_id == _own_member().id)
    if ConfirmForm().validate_on_submit():
        try:
            proxies.revoke_grant(
                db(), assembly=assembly, grant=grant, actor=current_user, now=utcnow()
            )
        except DomainError as exc:
            fail(exc)
        else:
            flash(_("Your proxy has been revoked."), "success")
    return _to_mine(assembly)


@bp.route("/<int:assembly_id>/mandates/grants/<int:grant_id>/reject", methods=["POST"])
@login_required
def proxy_reject(assembly_id: int, grant_id: int) -> Any:
    """The secretary rejects a proxy a member gave, with the reason."""
    assembly = load_assembly(assembly_id, Assembly.can_keep_records)
    grant = _grant(assembly, grant_id)
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            proxies.reject_grant(
                db(),
                assembly=assembly,
                grant=grant,
                reason=form.reason.data,
                actor=current_user,
                now=utcnow(),
            )
        except DomainError as exc:
            fail(exc)
        else:
            flash(_("The proxy has been rejected."), "success")
    else:
        flash(_("Give the reason for the rejection."), "error")
    return redirect(url_for("assemblies.mandates_page", assembly_id=assembly.id, _anchor="grants"))
