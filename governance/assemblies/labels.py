"""The assemblies' enums in words, declared to governance.i18n for `|label` (every label table
of the forms, and those only pages show). Imported by the package, so every page finds them."""

from __future__ import annotations

from governance.assemblies import forms
from governance.assemblies.documents import NoticeKind, RollAction
from governance.assemblies.floor import SpeakerState
from governance.assemblies.grants import GrantState
from governance.i18n import _l, register_labels

NOTICE_KIND_LABELS = {
    NoticeKind.INVITATION: _l("Invitation"),
    NoticeKind.SUPPLEMENT: _l("Supplement to the agenda"),
}
ROLL_ACTION_LABELS = {
    RollAction.ADD: _l("added"),
    RollAction.REMOVE: _l("removed"),
    RollAction.WEIGHT: _l("votes changed"),
}
SPEAKER_STATE_LABELS = {
    SpeakerState.WAITING: _l("waiting"),
    SpeakerState.SPEAKING: _l("speaking"),
    SpeakerState.DONE: _l("has spoken"),
    SpeakerState.WITHDRAWN: _l("withdrawn"),
}
GRANT_STATE_LABELS = {
    GrantState.GRANTED: _l("waiting for the holder"),
    GrantState.ACCEPTED: _l("accepted"),
    GrantState.REVOKED: _l("revoked"),
    GrantState.REJECTED: _l("rejected"),
}

# Every label table of the forms (BODY_LABELS, CHANNEL_LABELS, …), and those above.
register_labels(
    *(table for name, table in vars(forms).items() if name.endswith("_LABELS")),
    NOTICE_KIND_LABELS, ROLL_ACTION_LABELS, SPEAKER_STATE_LABELS, GRANT_STATE_LABELS,
)  # fmt: skip
