"""Forms of a body's room: a folder, a new paper, a new version of a paper."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from governance.i18n import _l


class FolderForm(FlaskForm):
    name = StringField(_l("Folder name"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])


class PaperForm(FlaskForm):
    file = FileField(_l("File"), validators=[FileRequired()])
    title = StringField(
        _l("Title (default: the file name)"), validators=[Optional(), Length(max=200)]
    )
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])


class VersionForm(FlaskForm):
    file = FileField(_l("File of the new version"), validators=[FileRequired()])
    note = StringField(_l("What changed"), validators=[Optional(), Length(max=500)])
