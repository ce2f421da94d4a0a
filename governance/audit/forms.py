"""Forms of the audit domain: the log filter (GET, no CSRF) and the verification record."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from governance.audit.checks import Status
from governance.audit.services import LogFilter
from governance.i18n import _l, event_label, register_labels

STATUS_LABELS = {Status.PASS: _l("pass"), Status.FAIL: _l("failed"), Status.SKIP: _l("skipped")}
register_labels(STATUS_LABELS)


def _int_or_none(value: Any) -> int | None:
    return int(value) if value not in (None, "", "None") else None


class LogFilterForm(FlaskForm):
    """Filters of the audit log browser; submitted by GET, so it carries no CSRF token."""

    class Meta:
        csrf = False

    actor = StringField(_l("Actor (email contains)"), validators=[Optional(), Length(max=254)])
    event_type = SelectField(_l("Event type"), validators=[Optional()], validate_choice=True)
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("Until"), validators=[Optional()])
    assembly = SelectField(
        _l("Assembly"), validators=[Optional()], coerce=_int_or_none, validate_choice=True
    )

    def __init__(
        self,
        *args: Any,
        types: list[str],
        assemblies: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.event_type.choices = [("", str(_l("All types")))] + [
            (t, event_label(t)) for t in types
        ]
        self.assembly.choices = [(None, str(_l("All assemblies"))), *assemblies]

    def validate_until(self, field: DateField) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("The end lies before the start."))

    def to_filter(self) -> LogFilter:
        """The filter these (validated) fields describe."""
        return LogFilter(
            actor=self.actor.data or None,
            event_type=self.event_type.data or None,
            since=self.since.data,
            until=self.until.data,
            assembly_id=self.assembly.data,
        )

    def query_args(self) -> dict[str, str]:
        """The non-empty filters as URL arguments (for the pager and the links)."""
        args = {
            "actor": self.actor.data or "",
            "event_type": self.event_type.data or "",
            "since": self.since.data.isoformat() if self.since.data else "",
            "until": self.until.data.isoformat() if self.until.data else "",
            "assembly": str(self.assembly.data) if self.assembly.data is not None else "",
        }
        return {key: value for key, value in args.items() if value}
