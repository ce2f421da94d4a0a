"""Forms of the accounts domain; they own input validation."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from governance.accounts.models import Role
from governance.accounts.services import MIN_PASSWORD_LENGTH
from governance.i18n import _l

ROLE_LABELS = {
    Role.MEMBER: _l("Member"),
    Role.BOARD: _l("Board"),
    Role.SUPERVISORY_BOARD: _l("Supervisory board"),
    Role.SECRETARY: _l("Secretary"),
    Role.ADMIN: _l("Administrator"),
}


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=500)])
    remember = BooleanField(_l("Stay logged in"))


class EmailForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])


class ConfirmForm(FlaskForm):
    """A form with only the CSRF token: confirms an action by POST."""


def _new_password(label: str) -> PasswordField:
    return PasswordField(
        label, validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=500)]
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
    return [(r.value, str(label)) for r, label in ROLE_LABELS.items()]


class UserRolesForm(FlaskForm):
    roles = MultiCheckboxField(_l("Roles"))
    active = BooleanField(_l("Active"), default=True)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.roles.choices = _role_choices()

    def validate_roles(self, field: MultiCheckboxField) -> None:
        if not field.data:
            raise ValidationError(_l("Choose at least one role."))


class UserForm(UserRolesForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    display_name = StringField(_l("Name"), validators=[Length(max=200)])
