"""Forms of the seat offers: the board's offer from an election, the answers' CSRF forms."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional, ValidationError

from governance.bodies.labels import SEAT_FUNCTION_LABELS
from governance.bodies.models import SeatFunction
from governance.bodies.models_offers import OfferState
from governance.i18n import _l, register_labels

OFFER_STATE_LABELS = {
    OfferState.OFFERED: _l("offered, waiting for the answer"),
    OfferState.ACCEPTED: _l("accepted"),
    OfferState.DECLINED: _l("declined"),
    OfferState.WITHDRAWN: _l("withdrawn"),
}
register_labels(OFFER_STATE_LABELS)


class AnswerForm(FlaskForm):
    """Accept, decline or withdraw: a button with its CSRF token."""


class OfferForm(FlaskForm):
    """The term and function; one member field per elected candidate (`offer_form`)."""

    function = SelectField(
        _l("Function in the body"),
        choices=[SelectChoice(f.value, SEAT_FUNCTION_LABELS[f]) for f in SeatFunction],
        default=SeatFunction.MEMBER.value,
    )
    starts_on = DateField(_l("Term from"), validators=[InputRequired()])
    ends_on = DateField(_l("Term until (optional)"), validators=[Optional()])

    def validate_ends_on(self, field: DateField) -> None:
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The term ends after it starts."))

    def assigned(self, candidates: list[str]) -> list[tuple[str, int]]:
        """(candidate, member id) for every candidate a member was chosen for."""
        chosen = [(c, int(self[f"member_{i}"].data or 0)) for i, c in enumerate(candidates)]
        return [(c, m) for c, m in chosen if m]


def offer_form(
    candidates: list[str],
    members: list[tuple[int, str]],
    proposed: dict[str, int | None],
    starts_on: date,
) -> OfferForm:
    """The offer form for these elected candidates, each prefilled with the proposed member."""

    class Form(OfferForm):
        pass

    choices: list[Any] = [
        SelectChoice(0, _l("– no offer –")),
        *(SelectChoice(i, name) for i, name in members),
    ]
    for i, label in enumerate(candidates):
        field = SelectField(label, choices=choices, coerce=int, default=proposed.get(label) or 0)
        setattr(Form, f"member_{i}", field)
    form = Form()
    if not form.is_submitted():
        form.starts_on.data = starts_on
    return form
