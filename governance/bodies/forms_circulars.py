"""Forms of the circular resolutions, and their enums in words (for `|label`)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeLocalField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from governance.bodies.models import CircularRule
from governance.bodies.models_circulars import CircularChoice, CircularState
from governance.db import utcnow
from governance.i18n import _l, local_tz, register_labels

STATE_LABELS = {
    CircularState.OPEN: _l("open for votes"),
    CircularState.ADOPTED: _l("adopted"),
    CircularState.REJECTED: _l("not adopted"),
    CircularState.STOPPED: _l("stopped by an objection to the written procedure"),
}
CHOICE_LABELS = {
    CircularChoice.YES: _l("Yes"),
    CircularChoice.NO: _l("No"),
    CircularChoice.ABSTAIN: _l("Abstain"),
    CircularChoice.OBJECTION: _l("Objection to the written procedure"),
}
RULE_LABELS = {
    CircularRule.NO_OBJECTION_MAJORITY_OF_SEATS: _l(
        "adopted if no seat objects to the written procedure and more than half of all "
        "seats vote yes"
    ),
    CircularRule.UNANIMOUS: _l(
        "adopted if no seat objects to the written procedure and every seat votes yes"
    ),
}
register_labels(STATE_LABELS, CHOICE_LABELS, RULE_LABELS)

DT_FORMAT = "%Y-%m-%dT%H:%M"


def to_utc(value: datetime) -> datetime:
    """A time entered in the cooperative's zone, as UTC."""
    return value.replace(tzinfo=local_tz()).astimezone(UTC)


class CircularForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    motion = TextAreaField(
        _l("Motion (the text to be resolved)"), validators=[DataRequired(), Length(max=20000)]
    )
    reasoning = TextAreaField(_l("Reasoning (optional)"), validators=[Length(max=20000)])
    deadline = DateTimeLocalField(
        _l("Voting deadline"), format=DT_FORMAT, validators=[InputRequired()]
    )

    def validate_deadline(self, field: DateTimeLocalField) -> None:
        if field.data is not None and to_utc(field.data) <= utcnow():
            raise ValidationError(_l("The deadline must lie in the future."))


class VoteForm(FlaskForm):
    choice = RadioField(
        _l("Your vote"),
        choices=[
            SelectChoice(c.value, CHOICE_LABELS[c])
            for c in CircularChoice
            if c != CircularChoice.OBJECTION
        ],
        validators=[InputRequired()],
    )


class ObjectionForm(FlaskForm):
    confirm = BooleanField(
        _l("I object to deciding this motion by circular resolution."),
        validators=[DataRequired()],
    )
