"""The bodies' enums in words, declared to governance.i18n for `|label` and the forms."""

from __future__ import annotations

from governance.bodies.models import BodyKind, CircularRule, SeatFunction, SeatOrigin
from governance.i18n import _l, register_labels

BODY_KIND_LABELS = {
    BodyKind.BOARD: _l("Board"),
    BodyKind.SUPERVISORY_BOARD: _l("Supervisory board"),
    BodyKind.COMMITTEE: _l("Committee"),
    BodyKind.WORKING_GROUP: _l("Working group"),
    BodyKind.REPRESENTATIVE_ASSEMBLY: _l("Representative assembly"),
}
SEAT_FUNCTION_LABELS = {
    SeatFunction.CHAIR: _l("Chair of the body"),
    SeatFunction.DEPUTY: _l("Deputy chair"),
    SeatFunction.MEMBER: _l("Member of the body"),
}
SEAT_ORIGIN_LABELS = {
    SeatOrigin.ELECTED: _l("elected"),
    SeatOrigin.APPOINTED: _l("appointed"),
    SeatOrigin.CO_OPTED: _l("co-opted"),
}
CIRCULAR_RULE_LABELS = {
    CircularRule.NO_OBJECTION_MAJORITY_OF_SEATS: _l(
        "No objection to the written procedure and a majority of all seats votes yes"
    ),
    CircularRule.UNANIMOUS: _l("No objection and every seat votes yes"),
}

register_labels(
    BODY_KIND_LABELS, SEAT_FUNCTION_LABELS, SEAT_ORIGIN_LABELS, CIRCULAR_RULE_LABELS,
)  # fmt: skip
