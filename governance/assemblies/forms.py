"""Forms of the assemblies domain; they own input validation.

Dates and times are entered in the cooperative's time zone (Europe/Berlin) and stored as UTC.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
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
)

from governance.assemblies.grants import Relationship
from governance.assemblies.models import (
    AssemblyForm,
    AssemblyKind,
    AssemblyState,
    Body,
    Channel,
    SpeakerKind,
)
from governance.assemblies.models_agenda import ItemKind
from governance.i18n import _l, local_tz

RELATIONSHIP_LABELS = {
    Relationship.SPOUSE: _l("spouse"),
    Relationship.PARTNER: _l("registered partner"),
    Relationship.PARENT: _l("parent"),
    Relationship.CHILD: _l("child"),
    Relationship.SIBLING: _l("sibling"),
}

BODY_LABELS = {
    Body.GENERAL_ASSEMBLY: _l("General assembly"),
    Body.REPRESENTATIVE_ASSEMBLY: _l("Representative assembly"),
    Body.SUPERVISORY_BOARD: _l("Supervisory board"),
    Body.BOARD: _l("Board"),
    Body.COMMITTEE: _l("Committee"),
}
KIND_LABELS = {
    AssemblyKind.ORDINARY: _l("Ordinary"),
    AssemblyKind.EXTRAORDINARY: _l("Extraordinary"),
}
FORM_LABELS = {
    AssemblyForm.IN_PERSON: _l("In person"),
    AssemblyForm.VIRTUAL: _l("Virtual"),
    AssemblyForm.HYBRID: _l("Hybrid"),
    AssemblyForm.STRETCHED: _l("Stretched (discussion, then a voting phase)"),
}
ITEM_KIND_LABELS = {
    ItemKind.INFORMATION: _l("Information"),
    ItemKind.DISCUSSION: _l("Discussion"),
    ItemKind.RESOLUTION: _l("Resolution"),
    ItemKind.ELECTION: _l("Election"),
}
STATE_LABELS = {
    AssemblyState.DRAFT: _l("Draft"),
    AssemblyState.CONVENED: _l("Convened"),
    AssemblyState.IN_SESSION: _l("In session"),
    AssemblyState.CLOSED: _l("Closed"),
    AssemblyState.MINUTES_PUBLISHED: _l("Minutes published"),
}
CHANNEL_LABELS = {
    Channel.ROOM: _l("in the room"),
    Channel.ONLINE: _l("online"),
    Channel.PROXY: _l("by proxy"),
}
DT_FORMAT = "%Y-%m-%dT%H:%M"


def to_utc(value: datetime | None) -> datetime | None:
    """A naive local (Europe/Berlin) datetime from a form, as aware UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=local_tz()).astimezone(UTC)


def to_local(value: datetime | None) -> datetime | None:
    """An aware UTC datetime as naive local time for a form field."""
    if value is None:
        return None
    return value.astimezone(local_tz()).replace(tzinfo=None)


def options(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """Select options from (value, label) pairs (WTForms deprecates bare tuples)."""
    return [SelectChoice(value, label) for value, label in pairs]


def _choices(labels: dict[Any, Any]) -> list[SelectChoice]:
    return options((k.value, v) for k, v in labels.items())


class AssemblyEditForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    body = SelectField(_l("Body"), choices=_choices(BODY_LABELS), default=Body.GENERAL_ASSEMBLY)
    kind = SelectField(_l("Kind"), choices=_choices(KIND_LABELS), default=AssemblyKind.ORDINARY)
    form = SelectField(
        _l("Form (§43b GenG)"), choices=_choices(FORM_LABELS), default=AssemblyForm.IN_PERSON
    )
    starts_at = DateTimeLocalField(_l("Starts at"), format=DT_FORMAT, validators=[InputRequired()])
    place = StringField(_l("Place"), validators=[Optional(), Length(max=500)])
    remote_access = TextAreaField(
        _l("Access data for remote participation"), validators=[Optional(), Length(max=5000)]
    )
    voting_starts_at = DateTimeLocalField(
        _l("Voting phase starts (stretched form)"), format=DT_FORMAT, validators=[Optional()]
    )
    voting_ends_at = DateTimeLocalField(
        _l("Voting phase ends (stretched form)"), format=DT_FORMAT, validators=[Optional()]
    )
    record_date = DateField(
        _l("Record date of the voter roll (empty: the day of convening)"),
        validators=[Optional()],
    )
    proposal_deadline = DateTimeLocalField(
        _l("Deadline for members' proposals (empty: the default)"),
        format=DT_FORMAT,
        validators=[Optional()],
    )
    chair_user_id = SelectField(_l("Chair"), coerce=int, default=0)
    secretary_user_id = SelectField(_l("Secretary (minutes)"), coerce=int, default=0)

    def set_people(self, users: list[Any]) -> None:
        people = options([(0, "—")] + [(u.id, f"{u.display_name} <{u.email}>") for u in users])
        self.chair_user_id.choices = people
        self.secretary_user_id.choices = people


class AgendaItemForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    kind = SelectField(_l("Kind"), choices=_choices(ITEM_KIND_LABELS), default=ItemKind.DISCUSSION)
    parent_id = SelectField(_l("Sub-item of"), coerce=int, default=0)
    description = TextAreaField(
        _l("Description (Markdown)"), validators=[Optional(), Length(max=50_000)]
    )


class AttachmentForm(FlaskForm):
    file = FileField(_l("Document"), validators=[FileRequired()])


class ReasonForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(min=3, max=1000)])


class RollAddForm(ReasonForm):
    member_number = StringField(
        _l("Member number"), validators=[DataRequired(), Length(min=9, max=9)]
    )
    weight = IntegerField(_l("Votes"), default=1, validators=[NumberRange(min=1, max=3)])


class RollWeightForm(ReasonForm):
    weight = IntegerField(_l("Votes"), default=1, validators=[NumberRange(min=1, max=3)])


class SearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search

    q = StringField(_l("Name or member number"), validators=[Optional(), Length(max=100)])


class MandateForm(FlaskForm):
    principal = StringField(
        _l("Member represented (number)"), validators=[DataRequired(), Length(min=9, max=9)]
    )
    proxy = StringField(
        _l("Proxy (member number)"), validators=[DataRequired(), Length(min=9, max=9)]
    )
    evidence = TextAreaField(
        _l("Evidence of the proxy in text form"), validators=[DataRequired(), Length(max=2000)]
    )


class ProxyGrantForm(FlaskForm):
    """A member gives a proxy on their own page: the holder, the declaration, the scope."""

    holder = StringField(
        _l("Proxy holder (member number)"), validators=[DataRequired(), Length(min=9, max=9)]
    )
    this_assembly_only = BooleanField(_l("Only for this assembly"), default=True)
    confirm = BooleanField(
        _l("I authorise this member to exercise my vote and declare this proxy in text form."),
        validators=[DataRequired(_l("Confirm the declaration of the proxy."))],
    )


class RelativeProxyForm(FlaskForm):
    """A member gives a proxy to a relative who is not a member (where the statute allows it);
    the relationships offered are those the statute names (blueprint.relative_form)."""

    name = StringField(_l("Name of the holder"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(
        _l("Email address of the holder"), validators=[DataRequired(), Email(), Length(max=254)]
    )
    relationship = SelectField(_l("Relationship to me"), validators=[DataRequired()])
    confirm = BooleanField(
        _l("I authorise this person to exercise my vote and declare this proxy in text form."),
        validators=[DataRequired(_l("Confirm the declaration of the proxy."))],
    )


class CurrentItemForm(FlaskForm):
    item_id = SelectField(_l("Current agenda item"), coerce=int, default=0)


SPEAKER_KIND_LABELS = {
    SpeakerKind.NORMAL: _l("Speech"),
    SpeakerKind.POINT_OF_ORDER: _l("Point of order"),
}


class OpenSessionForm(FlaskForm):
    """Opening the assembly; without an appointed chair, one is chosen here."""

    chair_user_id = SelectField(_l("Chair"), coerce=int, default=0)

    def set_people(self, users: list[Any]) -> None:
        self.chair_user_id.choices = options(
            [(0, "—")] + [(u.id, f"{u.display_name} <{u.email}>") for u in users]
        )


class SpeakRequestForm(FlaskForm):
    """A member asks to speak (the button names the kind)."""

    kind = SelectField(
        _l("Kind"), choices=_choices(SPEAKER_KIND_LABELS), default=SpeakerKind.NORMAL.value
    )


class SpeakerAddForm(SpeakRequestForm):
    """The secretary or the chair puts a member in the room on the list."""

    member_id = SelectField(_l("Member"), coerce=int, validators=[DataRequired()])


class CallNextForm(FlaskForm):
    """The chair calls the next speaker, with an optional speaking time."""

    minutes = IntegerField(
        _l("Speaking time in minutes (optional)"),
        validators=[Optional(), NumberRange(min=1, max=60)],
    )


class GuestForm(FlaskForm):
    """A body invites a user with an account to one of its meetings."""

    email = EmailField(
        _l("Email address of the guest's account"),
        validators=[DataRequired(), Email(), Length(max=254)],
    )


class PaperLinkForm(FlaskForm):
    """Link a paper of a body's room to an agenda item (choices: the user's rooms)."""

    paper = SelectField(_l("Paper from a body's room"), validators=[DataRequired()])
