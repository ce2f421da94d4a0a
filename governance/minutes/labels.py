"""Words for the enum values the minutes print (translated when rendered)."""

from __future__ import annotations

from typing import Any

from governance.i18n import _l

FORMS = {
    "IN_PERSON": _l("in person"),
    "VIRTUAL": _l("virtual (online only)"),
    "HYBRID": _l("hybrid (in person and online)"),
    "STRETCHED": _l("stretched (discussion, then a later voting phase)"),
}
# "Minutes of the …" on the title page: one whole phrase per kind and body, since German
# declines the adjective and words the body differently ("der ordentlichen Generalversammlung").
OF_THE = {
    ("ORDINARY", "GENERAL_ASSEMBLY"): _l("of the ordinary general assembly"),
    ("EXTRAORDINARY", "GENERAL_ASSEMBLY"): _l("of the extraordinary general assembly"),
    ("ORDINARY", "REPRESENTATIVE_ASSEMBLY"): _l("of the ordinary representative assembly"),
    ("EXTRAORDINARY", "REPRESENTATIVE_ASSEMBLY"): _l(
        "of the extraordinary representative assembly"
    ),
    ("ORDINARY", "SUPERVISORY_BOARD"): _l("of the ordinary meeting of the supervisory board"),
    ("EXTRAORDINARY", "SUPERVISORY_BOARD"): _l(
        "of the extraordinary meeting of the supervisory board"
    ),
    ("ORDINARY", "BOARD"): _l("of the ordinary meeting of the board"),
    ("EXTRAORDINARY", "BOARD"): _l("of the extraordinary meeting of the board"),
    ("ORDINARY", "COMMITTEE"): _l("of the ordinary committee meeting"),
    ("EXTRAORDINARY", "COMMITTEE"): _l("of the extraordinary committee meeting"),
}
POLL_KINDS = {"MOTION": _l("Motion"), "ELECTION": _l("Election")}
ELECTION_MODES = {
    "YES_NO_ABSTAIN_PER_CANDIDATE": _l("yes, no or abstain per candidate"),
    "CHOOSE_UP_TO_N": _l("choice of up to as many candidates as seats"),
}
MAJORITIES = {
    "SIMPLE": _l("simple majority of the votes cast (§43(2) GenG)"),
    "THREE_QUARTERS": _l("three-quarters majority of the votes cast"),
    "NINE_TENTHS": _l("nine-tenths majority of the votes cast"),
    "RELATIVE": _l("relative majority (most votes win the seats)"),
}
CHANNELS = {"ROOM": _l("on paper in the room"), "ONLINE": _l("online"), "PROXY": _l("by proxy")}
CHOICES = {"YES": _l("Yes"), "NO": _l("No"), "ABSTAIN": _l("Abstain"), "INVALID": _l("Invalid")}
OUTCOMES = {
    "ADOPTED": _l("adopted"),
    "REJECTED": _l("rejected"),
    "TIE": _l("tie (not adopted)"),
    "ELECTED": _l("elected"),
}
NOTICES = {"INVITATION": _l("Invitation"), "SUPPLEMENT": _l("Supplement to the agenda")}
ITEM_KINDS = {
    "INFORMATION": _l("Information"),
    "DISCUSSION": _l("Discussion"),
    "RESOLUTION": _l("Resolution"),
    "ELECTION": _l("Election"),
}


def page_label() -> tuple[str, str, str]:
    """ "Page x of y" split around its two numbers, for the CSS counters of the footer."""
    text = str(_l("Page %(page)s of %(pages)s", page="\x00", pages="\x01"))
    before, _sep, rest = text.partition("\x00")
    middle, _sep, after = rest.partition("\x01")
    return before, middle, after


def all_labels() -> dict[str, Any]:
    """Every label table, translated into the current locale."""
    tables = {
        "form": FORMS,
        "of_the": OF_THE,
        "poll_kind": POLL_KINDS,
        "election_mode": ELECTION_MODES,
        "majority": MAJORITIES,
        "channel": CHANNELS,
        "choice": CHOICES,
        "outcome": OUTCOMES,
        "notice": NOTICES,
        "item_kind": ITEM_KINDS,
    }
    labels: dict[str, Any] = {
        name: {k: str(v) for k, v in table.items()} for name, table in tables.items()
    }
    labels["page"] = page_label()
    return labels
