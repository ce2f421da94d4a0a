"""Forms of the bodies' management: a body and its settings, dissolving it, a seat, ending a
term, changing a seat's function.

A seat's holder is a member, picked by member number or by name (as on the other pages that
pick members: the number is exact, a name must match one member only), or, in a committee or
working group, a user who is not a member, picked by their login's email address.
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlmodel import Session
from wtforms import DateField, EmailField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from governance.accounts.models import User
from governance.accounts.services import user_by_email
from governance.bodies.labels import (
    BODY_KIND_LABELS,
    CIRCULAR_RULE_LABELS,
    SEAT_FUNCTION_LABELS,
    SEAT_ORIGIN_LABELS,
)
from governance.bodies.models import SINGLE_BODIES, Body, BodyKind, SeatOrigin
from governance.i18n import _l
from governance.register.models import Member
from governance.register.queries import MemberFilter, member_by_number, member_page
from governance.web import db

NAME_MATCHES = 5  # members named when a name matches several


def _choices(labels: dict[Any, Any]) -> list[SelectChoice]:
    return [SelectChoice(k.value, v) for k, v in labels.items()]


def find_member(text: str) -> tuple[Member | None, str | None]:
    """The member a person means by a number or a name, or an error message."""
    text = text.strip()
    found = member_by_number(db(), text)
    if found is not None:
        return found, None
    page = member_page(db(), MemberFilter(query=text, per_page=NAME_MATCHES))
    if page.total == 1:
        return page.items[0][0], None
    if page.total == 0:
        return None, str(_l("No member matches “%(q)s”.", q=text))
    names = ", ".join(f"{m.display_name} ({m.number})" for m, _held in page.items)
    return None, str(_l("Several members match: %(names)s. Enter the member number.", names=names))


class SettingsForm(FlaskForm):
    """A body's name, description and its rules for meetings and circulars."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])
    quorum_percent = IntegerField(
        _l("Quorum: present seats must be more than this share of all seats (%)"),
        default=50,
        validators=[InputRequired(), NumberRange(min=0, max=99)],
    )
    notice_days = IntegerField(
        _l("Notice period of a meeting (days)"),
        default=7,
        validators=[InputRequired(), NumberRange(min=0, max=60)],
    )
    circular_rule = SelectField(
        _l("Rule for circular resolutions"), choices=_choices(CIRCULAR_RULE_LABELS)
    )


class BodyForm(SettingsForm):
    """A new body: its kind and, for a committee or working group, its parent body."""

    kind = SelectField(_l("Kind of body"), choices=_choices(BODY_KIND_LABELS))
    # Filled by the view: (0, none) and the bodies that may be a parent.
    parent_id = SelectField(_l("Parent body"), coerce=int, default=0, validators=[Optional()])


def body_form(session: Session) -> BodyForm:
    """A new body's form: the kinds the cooperative may still create, the possible parents."""
    form = BodyForm()
    taken = set(session.execute(select(Body.kind).where(Body.kind.in_(SINGLE_BODIES))).scalars())  # type: ignore[attr-defined]
    form.kind.choices = [
        SelectChoice(k.value, label) for k, label in BODY_KIND_LABELS.items() if k not in taken
    ]
    if form.kind.data is None:
        form.kind.data = BodyKind.COMMITTEE.value
    parents = session.execute(
        select(Body).where(Body.dissolved_on.is_(None)).order_by(Body.name)  # type: ignore[union-attr]
    ).scalars()
    form.parent_id.choices = [(0, str(_l("none")))] + [(int(b.id or 0), b.name) for b in parents]
    return form


class DissolveForm(FlaskForm):
    dissolved_on = DateField(_l("Dissolved on"), validators=[DataRequired()])


class SeatForm(FlaskForm):
    """A seat: who, in which function, appointed or co-opted, from when to when."""

    member = StringField(_l("Member (number or name)"), validators=[Optional(), Length(max=100)])
    email = EmailField(
        _l("Or: email address of a user who is not a member (committees and working groups)"),
        validators=[Optional(), Length(max=254)],
    )
    function = SelectField(_l("Function"), choices=_choices(SEAT_FUNCTION_LABELS))
    origin = SelectField(
        _l("Origin"),
        choices=[SelectChoice(o.value, SEAT_ORIGIN_LABELS[o]) for o in (
            SeatOrigin.APPOINTED, SeatOrigin.CO_OPTED)],
    )  # fmt: skip
    starts_on = DateField(_l("Term from"), validators=[DataRequired()])
    ends_on = DateField(_l("Term until (optional)"), validators=[Optional()])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.member_obj: Member | None = None
        self.user_obj: User | None = None

    def validate_member(self, field: Any) -> None:
        if not (field.data or "").strip():
            return
        self.member_obj, error = find_member(field.data)
        if error:
            field.errors.append(error)

    def validate_email(self, field: Any) -> None:
        if not (field.data or "").strip():
            return
        self.user_obj = user_by_email(db(), field.data)
        if self.user_obj is None:
            field.errors.append(str(_l("No user has this email address.")))

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        given = [f for f in (self.member, self.email) if (f.data or "").strip()]
        if len(given) != 1:
            self.member.errors = [
                *self.member.errors,
                str(_l("Enter either a member or the email address of a user.")),
            ]
            return False
        if self.ends_on.data and self.starts_on.data and self.ends_on.data < self.starts_on.data:
            self.ends_on.errors = [str(_l("A term ends on or after the day it starts."))]
            return False
        return ok


class EndTermForm(FlaskForm):
    ends_on = DateField(_l("Last day of the term"), validators=[DataRequired()])


class FunctionForm(FlaskForm):
    function = SelectField(_l("Function"), choices=_choices(SEAT_FUNCTION_LABELS))
