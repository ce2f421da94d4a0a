"""Forms of the register; they own input validation."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from governance.i18n import _l, register_labels
from governance.register.models import MemberStatus, PersonKind, TransactionKind

STATUS_LABELS = {
    MemberStatus.ACTIVE: _l("active"),
    MemberStatus.CANCELLED: _l("notice given"),
    MemberStatus.TRANSFERRED: _l("transferred"),
    MemberStatus.DECEASED: _l("deceased"),
    MemberStatus.LIQUIDATED: _l("liquidated"),
    MemberStatus.EXPELLED: _l("expelled"),
    MemberStatus.INVALID: _l("invalid"),
}
KIND_LABELS = {PersonKind.NATURAL: _l("Natural person"), PersonKind.LEGAL: _l("Legal person")}
TRANSACTION_LABELS = {
    TransactionKind.SUBSCRIPTION: _l("Subscription"),
    TransactionKind.CANCELLATION: _l("Cancellation"),
    TransactionKind.REVERSAL: _l("Reversal"),
}
register_labels(STATUS_LABELS, KIND_LABELS, TRANSACTION_LABELS)
SORT_LABELS = {
    "name": _l("Name"),
    "number": _l("Member number"),
    "entry": _l("Date of entry"),
    "shares": _l("Shares"),
    "status": _l("Status"),
}
REFERENCE = [DataRequired(), Length(min=6, max=48)]


def _choices(pairs: Iterable[tuple[str, Any]]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


class MemberForm(FlaskForm):
    kind = SelectField(
        _l("Person"),
        choices=_choices((k.value, label) for k, label in KIND_LABELS.items()),
        default=PersonKind.NATURAL.value,
    )
    last_name = StringField(_l("Surname"), validators=[Length(max=200)])
    first_names = StringField(_l("First names"), validators=[Length(max=200)])
    firm = StringField(_l("Firm (legal person)"), validators=[Length(max=300)])
    street = StringField(_l("Street and number"), validators=[Length(max=200)])
    postal_code = StringField(_l("Postal code"), validators=[Length(max=20)])
    city = StringField(_l("City"), validators=[Length(max=200)])
    country = StringField(
        _l("Country"), default="DE", validators=[DataRequired(), Length(min=2, max=2)]
    )
    email = EmailField(_l("Email"), validators=[Optional(), Email(), Length(max=254)])
    entry_date = DateField(_l("Date of entry"), validators=[InputRequired()])
    note = TextAreaField(_l("Note"), validators=[Length(max=5000)])

    def validate_last_name(self, field: StringField) -> None:
        if self.kind.data == PersonKind.NATURAL.value and not (field.data or "").strip():
            raise ValidationError(_l("A natural person needs a surname."))

    def validate_firm(self, field: StringField) -> None:
        if self.kind.data == PersonKind.LEGAL.value and not (field.data or "").strip():
            raise ValidationError(_l("A legal person needs a firm name."))


class BookingForm(FlaskForm):
    share_count = IntegerField(
        _l("Number of shares"), validators=[InputRequired(), NumberRange(min=1, max=100_000)]
    )
    value_date = DateField(_l("Value date"), validators=[InputRequired()])
    reference = StringField(_l("Reference"), validators=REFERENCE)
    comment = TextAreaField(_l("Comment"), validators=[Length(max=2000)])


class ReversalForm(FlaskForm):
    value_date = DateField(_l("Value date (empty: as the original)"), validators=[Optional()])
    reference = StringField(_l("Reference"), validators=REFERENCE)
    comment = TextAreaField(_l("Comment"), validators=[Length(max=2000)])


class CommentForm(FlaskForm):
    comment = TextAreaField(_l("Comment"), validators=[Length(max=2000)])


class NoticeForm(FlaskForm):
    notice_date = DateField(_l("Notice received on"), validators=[InputRequired()])


class DeathForm(FlaskForm):
    death_date = DateField(_l("Date of death"), validators=[InputRequired()])


class LiquidationForm(FlaskForm):
    liquidation_date = DateField(_l("Dissolution effective on"), validators=[InputRequired()])


class ExpulsionForm(FlaskForm):
    letter_date = DateField(_l("Expulsion letter sent on"), validators=[InputRequired()])
    exit_date = DateField(_l("Exit date (empty: the letter date)"), validators=[Optional()])


class TransferForm(FlaskForm):
    transfer_date = DateField(_l("Date of transfer"), validators=[InputRequired()])
    to_number = StringField(
        _l("To member number (optional)"),
        validators=[Optional(), Regexp(r"^[Mm]-\d{7}$", message=_l("Like M-1000100."))],
    )
    reference = StringField(_l("Reference (for booking the shares over)"))

    def validate_reference(self, field: StringField) -> None:
        if self.to_number.data and not 6 <= len((field.data or "").strip()) <= 48:
            raise ValidationError(_l("The reference must have 6 to 48 characters."))


class ImportForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[FileRequired()])
    dry_run = BooleanField(_l("Dry run: check only, import nothing"), default=True)


class ListForm(FlaskForm):
    """The register list's search and filters (GET, no CSRF)."""

    class Meta:
        csrf = False

    q = StringField(_l("Name or number"), validators=[Optional(), Length(max=100)])
    status = SelectField(_l("Status"), validators=[Optional()])
    eligible_at = DateField(_l("Eligible to vote on"), validators=[Optional()])
    sort = SelectField(
        _l("Sort by"),
        choices=_choices(SORT_LABELS.items()),
        default="name",
        validators=[Optional()],
    )
    desc = BooleanField(_l("Descending"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        statuses = [(s.value, label) for s, label in STATUS_LABELS.items()]
        self.status.choices = _choices([("", _l("all")), *statuses])


class ExportForm(FlaskForm):
    """Export of the register (GET, no CSRF)."""

    class Meta:
        csrf = False

    at = DateField(_l("Register as at"), validators=[Optional()])
    what = SelectField(
        _l("Content"),
        choices=_choices([("members", _l("Members")), ("transactions", _l("Transactions"))]),
        default="members",
    )
