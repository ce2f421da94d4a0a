"""Forms of the ballots domain; the ballot form is built per poll (candidates vary)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    Field,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import HiddenInput

from governance.accounts.forms import MultiCheckboxField
from governance.ballots import choices as ch
from governance.ballots.models import ElectionMode, Majority, PollKind, PollOption
from governance.i18n import _l, register_labels

KIND_LABELS = {
    PollKind.MOTION: _l("Motion (yes / no / abstain)"),
    PollKind.ELECTION: _l("Election"),
}
MODE_LABELS = {
    ElectionMode.YES_NO_ABSTAIN_PER_CANDIDATE: _l("Yes / no / abstain per candidate"),
    ElectionMode.CHOOSE_UP_TO_N: _l("Choose up to as many candidates as there are seats"),
}
MAJORITY_LABELS = {
    Majority.SIMPLE: _l("Simple majority of votes cast (§43(2) GenG)"),
    Majority.THREE_QUARTERS: _l("Three-quarters of votes cast (statute change, dissolution …)"),
    Majority.NINE_TENTHS: _l("Nine-tenths of votes cast (§16(3) GenG)"),
    Majority.RELATIVE: _l("Relative majority (elections)"),
}
register_labels(KIND_LABELS, MODE_LABELS, MAJORITY_LABELS)
MOTION_LABELS = {ch.YES: _l("Yes"), ch.NO: _l("No"), ch.ABSTAIN: _l("Abstain")}
ANSWER_LABELS = {"Y": _l("Yes"), "N": _l("No"), "A": _l("Abstain")}


def select_choices(pairs: Any) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


def _choices(labels: dict[Any, Any]) -> list[SelectChoice]:
    return select_choices((getattr(k, "value", k), v) for k, v in labels.items())


class PollForm(FlaskForm):
    title = StringField(_l("Question"), validators=[DataRequired(), Length(max=300)])
    description = TextAreaField(_l("Explanation"), validators=[Length(max=10000)])
    kind = SelectField(_l("Kind"), choices=_choices(KIND_LABELS), default=PollKind.MOTION.value)
    majority = SelectField(_l("Majority required"), choices=_choices(MAJORITY_LABELS))
    election_mode = SelectField(_l("Election mode"), choices=_choices(MODE_LABELS))
    seats = IntegerField(_l("Seats"), default=1, validators=[NumberRange(min=1, max=50)])
    candidates = TextAreaField(_l("Candidates (one per line)"), validators=[Length(max=10000)])
    agenda_item_id = SelectField(_l("Agenda item"), coerce=int, validators=[Optional()])
    proposal_id = SelectField(
        _l("Proposal (Antrag) decided by this poll"), coerce=int, validators=[Optional()]
    )
    secret = BooleanField(_l("Secret ballot"), default=True)
    publish_choices = BooleanField(
        _l("Publish the ballot box with choices (otherwise trackers only, no receipt)")
    )


class ExclusionForm(FlaskForm):
    member_id = SelectField(_l("Member"), coerce=int, validators=[InputRequired()])
    reason = StringField(_l("Reason (§43(6) GenG)"), validators=[DataRequired(), Length(max=300)])


class OpenPollForm(FlaskForm):
    auto_close_at = DateTimeLocalField(
        _l("Close automatically at (optional)"), validators=[Optional()], format="%Y-%m-%dT%H:%M"
    )


class DeclarationForm(FlaskForm):
    declaration = TextAreaField(
        _l("Declaration of the chair"), validators=[DataRequired(), Length(max=5000)]
    )
    confirm = BooleanField(
        _l("I confirm this declaration of the result; it will be published."),
        validators=[DataRequired()],
    )


class RoomVoterForm(FlaskForm):
    """The member handing in a paper ballot, chosen from the list and confirmed by name."""

    member_id = IntegerField(validators=[InputRequired()], widget=HiddenInput())


class DecryptionForm(FlaskForm):
    """A teller's partial decryptions (JSON list of {"q", "o", "d", "c", "s"}), from decrypt.js."""

    shares = HiddenField(validators=[DataRequired(), Length(max=200_000)])

    def validate_shares(self, field: HiddenField) -> None:
        try:
            value = json.loads(field.data)
        except ValueError as exc:
            raise ValidationError(_l("The partial decryption is not readable.")) from exc
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise ValidationError(_l("The partial decryption is not readable."))

    def wire(self) -> list[dict[str, Any]]:
        return list(json.loads(self.shares.data))


class TrackerForm(FlaskForm):
    tracker = StringField(_l("Your tracker"), validators=[DataRequired(), Length(max=64)])


class CastForm(FlaskForm):
    """The confirmation step: what was chosen, carried to the final POST."""

    voter = HiddenField(validators=[DataRequired()])
    choice = HiddenField(validators=[DataRequired(), Length(max=1000)])
    # Tops the request body up to one length for every choice (choices.request_padding).
    pad = HiddenField(validators=[Optional(), Length(max=1000)])


@dataclass(frozen=True)
class CastData:
    """A plaintext cast's fields, as `read_cast` accepted them."""

    voter: int
    choice: str


def read_cast(formdata: Any) -> CastData | None:
    """The fields of `CastForm`, checked by its rules (voter: a member id; choice: present, at most
    1,000 characters; padding at most 1,000), without building the form for every cast: the
    live page's cast is the hot path (issue #19). The CSRF token is checked for every POST
    before any view by CSRFProtect (security.py); CastForm checked it a second time. None:
    refused."""
    voter = member_id_of(formdata.get("voter"))
    choice = formdata.get("choice") or ""
    pad = formdata.get("pad") or ""
    if voter is None or not choice.strip() or len(choice) > 1000 or len(pad) > 1000:
        return None
    return CastData(voter, choice)


def voter_in(formdata: Any) -> int | None:
    """The member id in a cast's voter field (plaintext or encrypted), else None."""
    return member_id_of(formdata.get("voter"))


def member_id_of(value: str | None) -> int | None:
    """A voter field's member id: ASCII digits (at most 12), else None."""
    value = value or ""
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 12 else None


class WireBallotsField(Field):
    """The encrypted ballots of one cast: one form value per vote (hidden; JSON wire texts)."""

    widget = HiddenInput()

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = [str(v) for v in valuelist]

    def _value(self) -> str:
        return ""


class EncryptedCastForm(FlaskForm):
    """The cast of a poll with a key, from encrypted_ballot.js: the voter and their ballots."""

    voter = HiddenField(validators=[DataRequired()])
    ballot = WireBallotsField()

    def validate_ballot(self, field: Any) -> None:
        # The ballots' own checks run in the service; here only their number and size.
        if not field.data or len(field.data) > 10 or any(len(w) > 60000 for w in field.data):
            raise ValidationError(_l("The encrypted ballot is missing or there are too many."))


class BallotForm(FlaskForm):
    """Base of the per-poll ballot form; `build_ballot_form` adds the fields."""

    voter = RadioField(_l("Vote for"), coerce=int, validators=[InputRequired()])

    def encoded_choice(self) -> str:
        raise NotImplementedError


def build_ballot_form(
    *,
    kind: PollKind,
    mode: ElectionMode | None,
    seats: int,
    options: list[PollOption],
    voters: list[tuple[int, str]],
    **kwargs: Any,
) -> BallotForm:
    """A ballot form for this poll: radio groups with labels, keyboard-accessible."""
    if kind == PollKind.MOTION:
        form_cls: type[BallotForm] = _motion_form()
    elif mode == ElectionMode.YES_NO_ABSTAIN_PER_CANDIDATE:
        form_cls = _per_candidate_form(options)
    else:
        form_cls = _choose_form(options, seats)
    form = form_cls(**kwargs)
    form.voter.choices = select_choices(voters)
    if len(voters) == 1 and form.voter.data is None:
        form.voter.data = voters[0][0]
    return form


def _motion_form() -> type[BallotForm]:
    class MotionBallot(BallotForm):
        choice = RadioField(
            _l("Your vote"), choices=_choices(MOTION_LABELS), validators=[InputRequired()]
        )

        def encoded_choice(self) -> str:
            return str(self.choice.data)

    return MotionBallot


def _per_candidate_form(options: list[PollOption]) -> type[BallotForm]:
    attrs: dict[str, Any] = {}
    for option in options:
        attrs[f"c{option.id}"] = RadioField(
            option.label,
            choices=_choices(ANSWER_LABELS),
            default="A",
            validators=[InputRequired()],
        )

    def encoded_choice(self: Any) -> str:
        return ch.encode_per_candidate({o.id: self[f"c{o.id}"].data for o in options})

    attrs["encoded_choice"] = encoded_choice
    return type("PerCandidateBallot", (BallotForm,), attrs)


ABSTAIN_ID = 0  # the "Abstain" row of a choose-up-to-N ballot (candidate ids start at 1)


def _choose_form(options: list[PollOption], seats: int) -> type[BallotForm]:
    class ChooseBallot(BallotForm):
        chosen = MultiCheckboxField(
            _l("Choose up to %(n)d", n=seats),
            coerce=int,
            choices=select_choices(
                [(o.id, o.label) for o in options] + [(ABSTAIN_ID, _l("Abstain"))]
            ),
        )

        def validate_chosen(self, field: Any) -> None:
            # An abstention is ticked, never inferred from an empty ballot.
            picked = set(field.data or [])
            if not picked:
                raise ValidationError(_l("Tick the candidates you choose, or “Abstain”."))
            if ABSTAIN_ID in picked and len(picked) > 1:
                raise ValidationError(_l("Tick either candidates or “Abstain”, not both."))
            if len(picked) > seats:
                raise ValidationError(_l("Choose at most %(n)d candidates.", n=seats))

        def encoded_choice(self) -> str:
            picked = set(self.chosen.data or [])
            return ch.ABSTAIN if ABSTAIN_ID in picked else ch.encode_choose(picked)

    return ChooseBallot


def build_paper_form(items: list[tuple[str, str]], **kwargs: Any) -> FlaskForm:
    """One number field per tally item the tellers count."""
    attrs = {
        f"i_{key.replace(':', '_')}": IntegerField(
            label, default=0, validators=[InputRequired(), NumberRange(min=0)]
        )
        for key, label in items
    }
    form_cls = type("PaperCountForm", (FlaskForm,), attrs)
    return form_cls(**kwargs)


def paper_values(form: FlaskForm, items: list[tuple[str, str]]) -> dict[str, int]:
    """The counts entered, keyed by tally item."""
    return {key: int(form[f"i_{key.replace(':', '_')}"].data or 0) for key, _label in items}
