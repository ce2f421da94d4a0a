"""Forms of the minutes domain; they own input validation."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from governance.i18n import _l, register_labels
from governance.minutes.models import Capacity

TEXT_MAX = 50_000
CAPACITY_LABELS = {Capacity.CHAIR: _l("chair"), Capacity.BOARD: _l("board")}
register_labels(CAPACITY_LABELS)


class GeneralForm(FlaskForm):
    preamble = TextAreaField(
        _l("Opening (welcome, quorum, formalities)"), validators=[Length(max=TEXT_MAX)]
    )
    closing = TextAreaField(_l("Closing remarks"), validators=[Length(max=TEXT_MAX)])


class ItemForm(FlaskForm):
    discussion = TextAreaField(_l("Summary of the discussion"), validators=[Length(max=TEXT_MAX)])
    motions = TextAreaField(_l("Motions from the floor"), validators=[Length(max=TEXT_MAX)])


class ObjectionForm(FlaskForm):
    member_number = StringField(
        _l("Member number of the objecting member"),
        validators=[
            DataRequired(),
            Regexp(r"^\s*[Mm]-\d{7}\s*$", message=_l("A member number looks like M-1000100.")),
        ],
    )
    poll_id = SelectField(
        _l("Resolution objected to"), coerce=int, default=0, validators=[Optional()]
    )
    statement = TextAreaField(_l("Objection as declared"), validators=[Length(max=5000)])

    def set_polls(self, polls: list[tuple[int, str]]) -> None:
        """Offer the item's votes; 0 means the item as a whole."""
        self.poll_id.choices = [(0, str(_l("the item as a whole"))), *polls]


class ApproveForm(FlaskForm):
    pdf_sha256 = HiddenField(
        validators=[DataRequired(), Regexp(r"^[0-9a-f]{64}$", message=_l("Invalid checksum."))]
    )


class PublishForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for the correction (required when a version is published already)"),
        validators=[Length(max=5000)],
    )
