"""The share register's pages.

Access (decided here, tested as a matrix in tests/register/test_access.py):
- BOARD keeps the member list (§30 GenG): reads and writes everything (members, bookings,
  notice/exit events, invitations, CSV import).
- SUPERVISORY_BOARD and SECRETARY read: the list, member pages, the export (the supervisory
  board supervises the board; the secretary prepares voter rolls and attendance lists).
- ADMIN has no access (a technical role, not an organ of the cooperative).
- Every logged-in user sees "My membership": only the member linked to their own account, and
  confirms a request, mailed to their account's address, to link their account to a member.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Generator
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any

from flask import (
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale, format_currency, format_date
from flask_login import current_user, login_required
from sqlmodel import Session

from governance.accounts.forms import ConfirmForm
from governance.accounts.models import User
from governance.errors import DomainError
from governance.i18n import _, _l, today, value_label
from governance.register import csv_export, links, queries, services
from governance.register.blueprint import READERS, WRITERS, bp, mail_locale
from governance.register.csv_format import column
from governance.register.forms import (
    KIND_LABELS,
    STATUS_LABELS,
    ExportForm,
    ListForm,
    MemberForm,
)
from governance.register.models import Member, MemberStatus, PersonKind
from governance.register.rules import ineligibility_reason, shares_at
from governance.security import role_required
from governance.web import db, fail, get_or_404, queue_templated_mail


def money(value: Decimal) -> str:
    """An amount in euros, formatted for the current locale."""
    return str(format_currency(value, "EUR"))


@bp.app_context_processor
def _register_helpers() -> dict[str, Any]:
    return {"status_labels": STATUS_LABELS, "kind_labels": KIND_LABELS}


ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Payload keys whose values are an enum's, by the enum's name (the words come from its labels).
VALUE_ENUMS = {"status": "MemberStatus", "kind": "PersonKind", "channel": "Channel"}
PAYLOAD_LABELS = {
    "status_date": _l("Status date"),
    "channel": _l("Taking part"),
    "member": _l("Member"),
    "to_member": _l("Transferred to"),
    "transaction_id": _l("Booking no."),
    "reverses_id": _l("Reverses booking no."),
    "shares_after": _l("Shares afterwards"),
    "user_id": _l("Account no."),
}


def describe(payload: str) -> list[str]:
    """An audit payload as short lines: "field: before → after" or "key: value", with the
    fields' names and the enums' values in words."""
    data = json.loads(payload)
    before, after = data.pop("before", None), data.pop("after", None)
    data.pop("number", None)
    lines = [_line(k, v) for k, v in sorted(data.items()) if v not in (None, "")]
    if isinstance(after, dict) and before is None:
        lines += [_line(k, v) for k, v in sorted(after.items()) if v not in (None, "")]
    elif isinstance(after, dict):
        old = before if isinstance(before, dict) else {}
        changed = [k for k in sorted(after) if after[k] != old.get(k)]
        lines += [f"{_name(k)}: {_show(k, old.get(k))} → {_show(k, after[k])}" for k in changed]
    elif after is not None:
        lines.append(f"{_show('', before)} → {_show('', after)}")
    return lines


def _name(key: str) -> str:
    return str(PAYLOAD_LABELS.get(key) or column(key))


def _line(key: str, value: Any) -> str:
    return f"{_name(key)}: {_show(key, value)}"


def _show(key: str, value: Any) -> str:
    if value in (None, ""):
        return "–"
    if isinstance(value, str) and ISO_DATE.fullmatch(value):
        return str(format_date(date.fromisoformat(value)))
    return (value_label(VALUE_ENUMS[key], value) if key in VALUE_ENUMS else None) or str(value)


def member_facts(member: Member, ledger: list[Any]) -> dict[str, Any]:
    """What the member page and "My membership" show about a member today."""
    day = today()
    held = shares_at(ledger, day)
    min_shares = current_app.config["MIN_SHARES"]
    running, rows = 0, []
    for tx in ledger:
        running += tx.share_count
        rows.append((tx, running))
    return {
        "today": day,
        "held": held,
        "value": money(current_app.config["SHARE_VALUE"] * held),
        "share_value": money(current_app.config["SHARE_VALUE"]),
        "not_eligible": ineligibility_reason(member, ledger, day, min_shares=min_shares),
        "rows": rows,
    }


@bp.route("/register/")
@role_required(*READERS)
def index() -> Any:
    """The register list: search, filters, sorting, pagination."""
    form = ListForm(request.args)
    form.validate()
    flt = queries.MemberFilter(
        query=form.q.data or "",
        status=None
        if form.status.errors or not form.status.data
        else MemberStatus(form.status.data),
        eligible_at=None if form.eligible_at.errors else form.eligible_at.data,
        min_shares=current_app.config["MIN_SHARES"],
        sort=form.sort.data or "name",
        descending=bool(form.desc.data),
        page=request.args.get("page", 1, type=int),
    )
    page = queries.member_page(db(), flt)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "register/index.html",
        form=form,
        page=page,
        args=args,
        flt=flt,
        export_form=ExportForm(formdata=None, data={"at": today()}),
        can_write=current_user.has_any_role(*WRITERS),
    )


@bp.route("/register/members/<int:member_id>")
@role_required(*READERS)
def member(member_id: int) -> Any:
    """A member: data, status, ledger and history."""
    m = get_or_404(Member, member_id)
    ledger = queries.ledger_of(db(), m.id)
    return render_template(
        "register/member.html",
        member=m,
        facts=member_facts(m, ledger),
        reversed_ids=queries.reversed_ids(db(), m.id),
        history=[(e, describe(e.payload)) for e in queries.history_of(db(), m.id)],
        user=services.linked_user(db(), m),
        can_write=current_user.has_any_role(*WRITERS),
        confirm=ConfirmForm(),
    )


def _member_fields(form: MemberForm) -> dict[str, Any]:
    fields = {name: getattr(form, name).data for name in services.EDITABLE_FIELDS}
    fields["kind"] = PersonKind(fields["kind"])
    fields["email"] = fields["email"] or None
    for name in ("last_name", "first_names", "firm", "street", "postal_code", "city", "note"):
        fields[name] = (fields[name] or "").strip()
    fields["country"] = (fields["country"] or "DE").strip().upper()
    return fields


@bp.route("/register/members/new", methods=["GET", "POST"])
@role_required(*WRITERS)
def member_new() -> Any:
    """Add a member (the number is assigned)."""
    form = MemberForm()
    if form.validate_on_submit():
        try:
            m = services.create_member(db(), actor=current_user, **_member_fields(form))
        except DomainError as exc:
            fail(exc, form)
        else:
            flash(_("Member %(n)s added.", n=m.number), "success")
            return redirect(url_for("register.member", member_id=m.id))
    return render_template("register/member_form.html", form=form, member=None)


@bp.route("/register/members/<int:member_id>/edit", methods=["GET", "POST"])
@role_required(*WRITERS)
def member_edit(member_id: int) -> Any:
    """Change a member's name, address, email, entry date or note."""
    m = get_or_404(Member, member_id)
    form = MemberForm(obj=m)
    if form.validate_on_submit():
        previous = m.email
        try:
            services.update_member(db(), member=m, actor=current_user, **_member_fields(form))
        except DomainError as exc:
            fail(exc, form)
        else:
            if previous and previous != m.email:
                _notify_address_change(m, previous)
            flash(_("Saved."), "success")
            return redirect(url_for("register.member", member_id=m.id))
    return render_template("register/member_form.html", form=form, member=m)


def _notify_address_change(member: Member, previous: str) -> None:
    """Tell the previous address that the member's address was changed (not to what)."""
    with force_locale(mail_locale(services.linked_user(db(), member))):
        queue_templated_mail(
            to=previous, template="register/mail_email_changed", member=member, link=None
        )


@bp.route("/register/link/<token>", methods=["GET", "POST"])
@login_required
def confirm_link(token: str) -> Any:
    """The holder of an account confirms (POST) that it is the member's the board named."""
    user = db().get(User, current_user.id)
    form = ConfirmForm()
    args = {"token": token, "user": user, "max_age": current_app.config["MEMBER_LINK_MAX_AGE"]}
    try:
        if form.validate_on_submit():
            m = links.confirm_link(db(), current_app.secret_key, **args)
            flash(_("Your account is now linked to membership %(n)s.", n=m.number), "success")
            return redirect(url_for("register.my_membership"))
        m = links.link_request(db(), current_app.secret_key, **args)
    except DomainError as exc:
        db().rollback()
        page = render_template("register/link_confirm.html", member=None, error=str(exc.message))
        return page, 400
    return render_template("register/link_confirm.html", member=m, form=form, error=None)


@bp.route("/register/export")
@role_required(*READERS)
def export() -> Any:
    """Download the register as at a date (or the share ledger) as CSV."""
    form = ExportForm(request.args)
    form.validate()
    at = (None if form.at.errors else form.at.data) or today()
    produce: Callable[[Session], Generator[str, None, None]]
    if form.what.data == "transactions":
        produce = partial(csv_export.transaction_chunks, until=at)
        name = f"share-transactions-{at.isoformat()}.csv"
    else:
        produce = partial(
            csv_export.member_chunks,
            at=at,
            share_value=current_app.config["SHARE_VALUE"],
            min_shares=current_app.config["MIN_SHARES"],
        )
        name = f"member-register-{at.isoformat()}.csv"
    # Streamed on a session of its own: the request's session is committed and closed in
    # after_request, before the body is sent; nothing of the request is needed any more.
    engine = current_app.extensions["governance.engine"]
    return Response(
        csv_export.stream(engine, produce),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.route("/my-membership")
@login_required
def my_membership() -> Any:
    """The logged-in member's own shares, value, status and ledger (nobody else's)."""
    m = db().get(Member, current_user.member_id) if current_user.member_id else None
    if m is None:
        return render_template("register/my_membership.html", member=None)
    ledger = queries.ledger_of(db(), m.id)
    return render_template("register/my_membership.html", member=m, facts=member_facts(m, ledger))
