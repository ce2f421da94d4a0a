"""Forms of the proposals domain."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from governance.assemblies.forms import options
from governance.i18n import _l, register_labels
from governance.proposals.models import (
    DemandKind,
    DemandState,
    Majority,
    ProposalState,
    SubmitterKind,
)

SUBMITTER_LABELS = {
    SubmitterKind.BOARD: _l("the board"),
    SubmitterKind.SUPERVISORY_BOARD: _l("the supervisory board"),
    SubmitterKind.MEMBER: _l("me as a member"),
}
MAJORITY_LABELS = {
    Majority.SIMPLE: _l("Simple majority of votes cast"),
    Majority.THREE_QUARTERS: _l("Three-quarters majority of votes cast"),
    Majority.NINE_TENTHS: _l("Nine-tenths majority of votes cast"),
}
STATE_LABELS = {
    ProposalState.SUBMITTED: _l("submitted"),
    ProposalState.ADMITTED: _l("admitted"),
    ProposalState.IN_VOTE: _l("in vote"),
    ProposalState.ADOPTED: _l("adopted"),
    ProposalState.REJECTED: _l("rejected"),
    ProposalState.WITHDRAWN: _l("withdrawn"),
    ProposalState.REFERRED: _l("referred"),
}
DEMAND_KIND_LABELS = {
    DemandKind.ASSEMBLY: _l("Convening an assembly"),
    DemandKind.AGENDA_ITEMS: _l("Items on the agenda of an assembly"),
}
DEMAND_STATE_LABELS = {
    DemandState.OPEN: _l("collecting support"),
    DemandState.REACHED: _l("quorum reached"),
    DemandState.HANDLED: _l("handled by the board"),
    DemandState.WITHDRAWN: _l("withdrawn"),
}
register_labels(
    SUBMITTER_LABELS, MAJORITY_LABELS, STATE_LABELS, DEMAND_KIND_LABELS, DEMAND_STATE_LABELS
)


class ProposalForm(FlaskForm):
    submitter = SelectField(_l("Submitted by"))
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    text = TextAreaField(
        _l("Text of the proposal (Markdown)"), validators=[DataRequired(), Length(max=50_000)]
    )
    rationale = TextAreaField(_l("Rationale"), validators=[Optional(), Length(max=50_000)])
    statute_change = BooleanField(_l("This proposal changes the statute"))
    majority = SelectField(
        _l("Required majority"),
        choices=options(
            [("", _l("Default (three quarters for statute changes)"))]
            + [(k.value, v) for k, v in MAJORITY_LABELS.items()]
        ),
        default="",
        validators=[Optional()],
    )


class AdmitForm(FlaskForm):
    agenda_item_id = SelectField(_l("Agenda item"), coerce=int, default=0)


class DecideForm(FlaskForm):
    target = SelectField(_l("New state"), validators=[DataRequired()])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=2000)])


class DemandForm(FlaskForm):
    kind = SelectField(
        _l("What is demanded"), choices=options((k.value, v) for k, v in DEMAND_KIND_LABELS.items())
    )
    assembly_id = SelectField(_l("Assembly (for agenda items)"), coerce=int, default=0)
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    purpose = TextAreaField(
        _l("Purpose and reasons (§45(1) GenG)"), validators=[DataRequired(), Length(max=20_000)]
    )


class HandleForm(FlaskForm):
    note = TextAreaField(_l("What the board did"), validators=[DataRequired(), Length(max=5000)])
