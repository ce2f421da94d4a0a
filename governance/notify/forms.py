"""The choice of optional mails; the required notices have no field (they cannot be off)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SubmitField

from governance.i18n import _l
from governance.notify.models import OPTIONAL, TOPIC_LABELS, Topic


class PreferencesForm(FlaskForm):
    """One checkbox per optional topic (field name: the topic in lower case)."""

    submit = SubmitField(_l("Save"))

    def choices(self) -> dict[Topic, bool]:
        return {t: bool(getattr(self, t.value.lower()).data) for t in OPTIONAL}


for _topic in OPTIONAL:
    setattr(PreferencesForm, _topic.value.lower(), BooleanField(TOPIC_LABELS[_topic]))
