"""The register's write pages (BOARD only): bookings, exits, invitations, CSV import."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, format_date
from flask_login import current_user
from flask_wtf import FlaskForm

from governance.accounts.forms import ConfirmForm
from governance.accounts.models import User
from governance.accounts.services import PURPOSE_LOGIN, make_token
from governance.errors import DomainError
from governance.i18n import _, _l, today
from governance.register import links, queries, services, status
from governance.register.blueprint import WRITERS, bp, mail_locale
from governance.register.csv_import import ImportRejected, import_csv
from governance.register.forms import (
    STATUS_LABELS,
    BookingForm,
    CommentForm,
    DeathForm,
    ExpulsionForm,
    ImportForm,
    LiquidationForm,
    NoticeForm,
    ReversalForm,
    TransferForm,
)
from governance.register.models import Member, ShareTransaction
from governance.security import role_required
from governance.web import db, external_url, fail, get_or_404, queue_templated_mail


def _to_member(member: Member) -> Any:
    return redirect(url_for("register.member", member_id=member.id))


def _form_page(form: FlaskForm, member: Member, title: str, intro: str = "") -> Any:
    return render_template(
        "register/action_form.html", form=form, member=member, title=title, intro=intro
    )


@bp.route("/register/members/<int:member_id>/subscribe", methods=["GET", "POST"])
@role_required(*WRITERS)
def subscribe(member_id: int) -> Any:
    """Book a subscription of shares."""
    member = get_or_404(Member, member_id)
    form = BookingForm(data=None if form_posted() else {"value_date": today()})
    if form.validate_on_submit():
        try:
            services.book_subscription(db(), member=member, actor=current_user, **form_data(form))
        except DomainError as exc:
            fail(exc, form)
        else:
            flash(_("Subscription booked."), "success")
            return _to_member(member)
    return _form_page(form, member, _("Subscribe shares"))


@bp.route("/register/members/<int:member_id>/cancel-shares", methods=["GET", "POST"])
@role_required(*WRITERS)
def cancel_shares(member_id: int) -> Any:
    """Book the cancellation of some shares (§67b: usually at the end of a business year)."""
    member = get_or_404(Member, member_id)
    form = BookingForm(data=None if form_posted() else {"value_date": today()})
    if form.validate_on_submit():
        try:
            services.book_cancellation(db(), member=member, actor=current_user, **form_data(form))
        except DomainError as exc:
            fail(exc, form)
        else:
            flash(_("Cancellation booked."), "success")
            return _to_member(member)
    intro = _("Enter the number of shares to cancel; they count until the value date.")
    return _form_page(form, member, _("Cancel shares"), intro)


@bp.route("/register/transactions/<int:tx_id>/reverse", methods=["GET", "POST"])
@role_required(*WRITERS)
def reverse(tx_id: int) -> Any:
    """Reverse a booking (its exact negative; once)."""
    tx = get_or_404(ShareTransaction, tx_id)
    member = get_or_404(Member, tx.member_id)
    form = ReversalForm()
    if form.validate_on_submit():
        try:
            services.book_reversal(db(), original=tx, actor=current_user, **form_data(form))
        except DomainError as exc:
            fail(exc, form)
        else:
            flash(_("Booking reversed."), "success")
            return _to_member(member)
    intro = _(
        "Reverses booking %(ref)s of %(day)s (%(n)+d shares).",
        ref=tx.reference,
        day=format_date(tx.value_date),
        n=tx.share_count,
    )
    return _form_page(form, member, _("Reverse a booking"), intro)


@bp.route("/register/transactions/<int:tx_id>/comment", methods=["GET", "POST"])
@role_required(*WRITERS)
def comment(tx_id: int) -> Any:
    """Change a booking's comment (the only thing that may change)."""
    tx = get_or_404(ShareTransaction, tx_id)
    member = get_or_404(Member, tx.member_id)
    form = CommentForm(obj=tx)
    if form.validate_on_submit():
        services.set_transaction_comment(
            db(), transaction=tx, comment=form.comment.data or "", actor=current_user
        )
        flash(_("Saved."), "success")
        return _to_member(member)
    return _form_page(form, member, _("Comment on booking %(ref)s", ref=tx.reference))


@dataclass(frozen=True)
class ExitEvent:
    form: type[FlaskForm]
    title: Any
    intro: Any
    record: Callable[[Member, FlaskForm, dict[str, Any]], Any]


def _transfer(member: Member, form: FlaskForm, cfg: dict[str, Any]) -> Any:
    to_member = None
    if form.to_number.data:
        to_member = queries.member_by_number(db(), form.to_number.data)
        if to_member is None:
            raise DomainError(_l("No member with this number."), field="to_number")
    return status.record_transfer(
        db(),
        member=member,
        transfer_date=form.transfer_date.data,
        to_member=to_member,
        reference=(form.reference.data or "").strip(),
        actor=current_user,
    )


EXIT_EVENTS: dict[str, ExitEvent] = {
    "notice": ExitEvent(
        NoticeForm,
        _l("Record a notice"),
        _l(
            "The member stays a member, with the vote, until the end of the business year at "
            "least %(months)d months after the notice (§65 GenG); the business year begins in "
            "month %(start)d."
        ),
        lambda m, f, cfg: status.record_notice(
            db(),
            member=m,
            notice_date=f.notice_date.data,
            actor=current_user,
            notice_months=cfg["NOTICE_MONTHS"],
            business_year_start_month=cfg["BUSINESS_YEAR_START_MONTH"],
        ),
    ),
    "death": ExitEvent(
        DeathForm,
        _l("Record a death"),
        _l("No vote from the day of death; the membership ends with the business year (§77)."),
        lambda m, f, cfg: status.record_death(
            db(),
            member=m,
            death_date=f.death_date.data,
            actor=current_user,
            business_year_start_month=cfg["BUSINESS_YEAR_START_MONTH"],
        ),
    ),
    "transfer": ExitEvent(
        TransferForm,
        _l("Record a transfer of the credit"),
        _l(
            "The member leaves on the transfer date (§76). With a recipient, the shares are "
            "booked over to them."
        ),
        lambda m, f, cfg: _transfer(m, f, cfg),
    ),
    "liquidation": ExitEvent(
        LiquidationForm,
        _l("Record a liquidation"),
        _l("The legal person keeps the vote until the end of that business year (§77a)."),
        lambda m, f, cfg: status.record_liquidation(
            db(),
            member=m,
            liquidation_date=f.liquidation_date.data,
            actor=current_user,
            business_year_start_month=cfg["BUSINESS_YEAR_START_MONTH"],
        ),
    ),
    "expulsion": ExitEvent(
        ExpulsionForm,
        _l("Record an expulsion"),
        _l("From the day the letter is sent the member may not attend or vote (§68)."),
        lambda m, f, cfg: status.record_expulsion(
            db(),
            member=m,
            letter_date=f.letter_date.data,
            exit_date=f.exit_date.data,
            actor=current_user,
        ),
    ),
}


@bp.route("/register/members/<int:member_id>/exit/<event>", methods=["GET", "POST"])
@role_required(*WRITERS)
def exit_event(member_id: int, event: str) -> Any:
    """Record a notice, death, transfer, liquidation or expulsion."""
    spec = EXIT_EVENTS.get(event) or abort(404)
    member = get_or_404(Member, member_id)
    form = spec.form()
    if form.validate_on_submit():
        try:
            spec.record(member, form, current_app.config)
        except DomainError as exc:
            fail(exc, form)
        else:
            flash(_("Recorded. Status: %(s)s.", s=STATUS_LABELS[member.status]), "success")
            return _to_member(member)
    cfg = current_app.config
    intro = str(spec.intro) % {
        "months": cfg["NOTICE_MONTHS"],
        "start": cfg["BUSINESS_YEAR_START_MONTH"],
    }
    return _form_page(form, member, str(spec.title), intro)


@bp.route("/register/members/<int:member_id>/invite", methods=["POST"])
@role_required(*WRITERS)
def invite(member_id: int) -> Any:
    """Send the member a login link; creates (or links) their account with the MEMBER role."""
    member = get_or_404(Member, member_id)
    if ConfirmForm().validate_on_submit():
        try:
            user = services.invite_member(db(), member=member, actor=current_user, today=today())
        except DomainError as exc:
            fail(exc)
        else:
            if user.member_id == member.id:
                token = make_token(current_app.secret_key, user=user, purpose=PURPOSE_LOGIN)
                link = external_url("accounts.login_link", token=token)
                queue_templated_mail(
                    to=user.email, template="register/mail_invite", link=link, member=member
                )
                flash(_("Invitation sent to %(email)s.", email=user.email), "success")
            else:
                _request_link(member, user)
    return _to_member(member)


def _request_link(member: Member, user: User) -> None:
    """Ask an existing account's holder to confirm that it is the member's (not linked yet)."""
    token = links.link_token(current_app.secret_key, member=member, user=user)
    link = external_url("register.confirm_link", token=token)
    with force_locale(mail_locale(user)):
        queue_templated_mail(
            to=user.email, template="register/mail_link_request", link=link, member=member
        )
    flash(
        _(
            "%(email)s belongs to an existing account. Its holder has been asked by email to "
            "confirm that it is this member's account; until then it is not linked.",
            email=user.email,
        ),
        "info",
    )


@bp.route("/register/import", methods=["GET", "POST"])
@role_required(*WRITERS)
def import_file() -> Any:
    """Upload a members or share-transactions CSV file: all or nothing, with a dry run."""
    form = ImportForm()
    result = None
    if form.validate_on_submit():
        upload = form.file.data
        try:
            result = import_csv(
                db(),
                data=upload.read(),
                actor=current_user,
                dry_run=form.dry_run.data,
                filename=upload.filename or "",
            )
        except ImportRejected as exc:
            db().rollback()
            result = exc.result
        except DomainError as exc:
            fail(exc, form)
        else:
            if result.imported:
                flash(_("Import done."), "success")
    return render_template("register/import.html", form=form, result=result)


def form_posted() -> bool:
    """Whether this request submits a form (then the form reads the request, not defaults)."""
    return request.method == "POST"


def form_data(form: FlaskForm) -> dict[str, Any]:
    """A booking form's fields as service arguments (text trimmed, empty date → None)."""
    data = {k: v for k, v in form.data.items() if k != "csrf_token"}
    for key in ("reference", "comment"):
        if key in data:
            data[key] = (data[key] or "").strip()
    if "value_date" in data and data["value_date"] is None:
        data.pop("value_date")
    return data
