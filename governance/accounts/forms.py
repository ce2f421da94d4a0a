"""Forms of the accounts domain; they own input validation."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from governance.accounts.models import STORED_ROLES, Role
from governance.accounts.services import MIN_PASSWORD_LENGTH
from governance.i18n import _l, register_labels

ROLE_LABELS = {
    Role.MEMBER: _l("Member"),
    Role.BOARD: _l("Board"),
    Role.SUPERVISORY_BOARD: _l("Supervisory board"),
    Role.SECRETARY: _l("Secretary"),
    Role.ADMIN: _l("Administrator"),
}
register_labels(ROLE_LABELS)


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def _email_field() -> EmailField:
    return EmailField(
        _l("Email"), validators=[DataRequired(), Email(), Length(max=254)], filters=[_strip]
    )


class LoginForm(FlaskForm):
    email = _email_field()
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=500)])
    remember = BooleanField(_l("Stay logged in"))


class EmailForm(FlaskForm):
    email = _email_field()


class ConfirmForm(FlaskForm):
    """A form with only the CSRF token: confirms an action by POST."""


class LanguageForm(FlaskForm):
    """The language switch in the page header; `next` is the page to return to."""

    next = HiddenField(validators=[Length(max=2000)])


def _new_password(label: str) -> PasswordField:
    too_short = _l("The password must have at least %(min)d characters.")
    return PasswordField(
        label,
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=500, message=too_short)],
    )


class NewPasswordForm(FlaskForm):
    password = _new_password(_l("New password"))
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _role_choices() -> list[tuple[str, str]]:
    """The roles an administrator grants; board and supervisory board follow the seats."""
    return [(r.value, str(label)) for r, label in ROLE_LABELS.items() if r in STORED_ROLES]


class UserRolesForm(FlaskForm):
    roles = MultiCheckboxField(_l("Roles"))
    active = BooleanField(_l("Active"), default=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.roles.choices = _role_choices()

    def validate_roles(self, field: MultiCheckboxField) -> None:
        if not field.data:
            raise ValidationError(_l("Choose at least one role."))


class UserForm(UserRolesForm):
    email = _email_field()
    display_name = StringField(_l("Name"), validators=[Length(max=200)])
