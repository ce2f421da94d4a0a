"""Forms of the key ceremony: the chair's (start, void) and the teller page's JSON posts.

The teller page posts JSON (`Accept: application/json`, the CSRF token in X-CSRFToken);
Flask-WTF reads a JSON body as form data, so these forms validate it like any other post.
Structured values (the round-1 entry, the boxes) travel as JSON text in one field each.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from governance.i18n import _l
from governance.tellers.models import MAX_TELLERS
from governance.tellers.services import STEP_LABELS

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
_FINGERPRINT = re.compile(r"^[0-9a-f]{64}$")


class StartForm(FlaskForm):
    """The chair names the tellers (in the order of their numbers) and the threshold."""

    tellers = TextAreaField(
        _l("Tellers: the e-mail address of each teller's account, one per line"),
        validators=[DataRequired()],
    )
    t = IntegerField(
        _l("Threshold: how many tellers together can decrypt"),
        default=2,
        validators=[DataRequired(), NumberRange(min=1, max=MAX_TELLERS)],
    )

    def validate_tellers(self, field: Any) -> None:
        emails = self.emails()
        if not 1 <= len(emails) <= MAX_TELLERS:
            raise ValidationError(_l("Name between 1 and %(max)d tellers.", max=MAX_TELLERS))
        bad = [e for e in emails if not _EMAIL.match(e)]
        if bad:
            raise ValidationError(_l("Not an e-mail address: %(e)s", e=bad[0]))

    def emails(self) -> list[str]:
        lines = (self.tellers.data or "").replace(",", "\n").splitlines()
        return [e.strip().lower() for e in lines if e.strip()]


class VoidForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=500)])


class _CeremonyPost(FlaskForm):
    ceremony = StringField(validators=[DataRequired(), Length(min=36, max=36)])


def _json_field(field: Any, kind: type) -> Any:
    try:
        value = json.loads(field.data or "")
    except ValueError as exc:
        raise ValidationError(_l("Not valid JSON.")) from exc
    if not isinstance(value, kind):
        raise ValidationError(_l("Not valid JSON."))
    return value


class Round1Form(_CeremonyPost):
    entry = StringField(validators=[DataRequired(), Length(max=20_000)])

    def validate_entry(self, field: Any) -> None:
        self.parsed_entry = _json_field(field, dict)


class _FingerprintPost(_CeremonyPost):
    fingerprint = StringField(validators=[DataRequired()])

    def validate_fingerprint(self, field: Any) -> None:
        if not _FINGERPRINT.match(field.data or ""):
            raise ValidationError(_l("Not a fingerprint."))


class SharesForm(_FingerprintPost):
    boxes = StringField(validators=[DataRequired(), Length(max=20_000)])

    def validate_boxes(self, field: Any) -> None:
        self.parsed_boxes = _json_field(field, list)


class ConfirmKeyForm(_FingerprintPost):
    pass


class FailureForm(_CeremonyPost):
    step = SelectField(choices=[SelectChoice(s.value, s.value) for s in STEP_LABELS])
    culprit = IntegerField(validators=[Optional(), NumberRange(min=1, max=MAX_TELLERS)])
    reason = StringField(validators=[DataRequired(), Length(max=2000)])
