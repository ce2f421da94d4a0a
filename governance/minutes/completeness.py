"""The completeness check: every element §47 GenG requires, listed when missing.

Pure: it reads a `MinutesDocument` only. Anything it reports blocks approval and publication.
"""

from __future__ import annotations

from dataclasses import dataclass

from governance.i18n import _l
from governance.minutes.document import MinutesDocument
from governance.minutes.polls import PollRecord

RESOLUTION_KINDS = ("RESOLUTION", "ELECTION")
REMOTE_FORMS = ("VIRTUAL", "HYBRID", "STRETCHED")


@dataclass(frozen=True)
class Missing:
    """One missing element: a stable code (for tests and logs) and the message."""

    code: str
    message: str


def check(doc: MinutesDocument) -> list[Missing]:
    """Everything missing from the minutes; empty when they may be approved."""
    return [
        *_assembly(doc),
        *(m for item in doc.items for m in _item(item.number, item.kind, item.polls)),
        *(m for poll in doc.other_polls for m in _poll(poll)),
        *_participants(doc),
        *_convening(doc),
    ]


def _assembly(doc: MinutesDocument) -> list[Missing]:
    found = []
    if not doc.place:
        if doc.place_is_seat:
            msg = _l("Place: the registered seat of the cooperative is not configured (COOP_SEAT).")
        else:
            msg = _l("Place: the assembly has no place.")
        found.append(Missing("place", str(msg)))
    if doc.starts_at is None:
        found.append(Missing("date", str(_l("Date: the assembly has no date."))))
    if doc.form == "STRETCHED" and not (doc.voting_starts_at and doc.voting_ends_at):
        found.append(Missing("date", str(_l("Date: the voting phase has no dates."))))
    if not doc.form:
        found.append(Missing("form", str(_l("Form: the form of the assembly is not set."))))
    if not doc.chair:
        found.append(Missing("chair", str(_l("Chair: no chair of the assembly is recorded."))))
    return found


def _item(number: str, kind: str, polls: tuple[PollRecord, ...]) -> list[Missing]:
    found = []
    if kind in RESOLUTION_KINDS and not polls:
        found.append(
            Missing(
                "vote",
                str(_l("Item %(n)s: a resolution item without a recorded vote.", n=number)),
            )
        )
    for poll in polls:
        found.extend(_poll(poll))
    return found


def _poll(poll: PollRecord) -> list[Missing]:
    name = poll.title
    if not poll.sealed:
        return [
            Missing(
                "vote_result",
                str(_l("Vote “%(t)s”: the ballot box is not sealed, there is no result.", t=name)),
            )
        ]
    found = []
    if not poll.kind or not poll.majority:
        found.append(Missing("vote_type", str(_l("Vote “%(t)s”: the type is unknown.", t=name))))
    if poll.result is None:
        found.append(Missing("vote_result", str(_l("Vote “%(t)s”: no result.", t=name))))
    if not poll.seal_root:
        found.append(Missing("seal", str(_l("Vote “%(t)s”: no seal root.", t=name))))
    if not poll.declaration.strip() or poll.declared_at is None:
        found.append(
            Missing(
                "declaration",
                str(_l("Vote “%(t)s”: the chair has not declared the result.", t=name)),
            )
        )
    return found


def _participants(doc: MinutesDocument) -> list[Missing]:
    sealed = [p for p in doc.polls if p.sealed]
    if sealed and not doc.participants:
        return [
            Missing(
                "participants",
                str(_l("Participants: no member is recorded as having taken part in a vote.")),
            )
        ]
    return []


def _convening(doc: MinutesDocument) -> list[Missing]:
    invitations = [e for e in doc.evidence if e.kind == "INVITATION"]
    if not invitations:
        return [
            Missing(
                "convening",
                str(
                    _l(
                        "Convening: there is no evidence of the invitation (date sent, recipients, text)."
                    )
                ),
            )
        ]
    found = []
    first = invitations[0]
    if first.recipient_count + first.letter_count <= 0:
        found.append(
            Missing("convening", str(_l("Convening: the invitation reached no recipient.")))
        )
    if not first.text.strip():
        found.append(Missing("convening", str(_l("Convening: the invitation text is missing."))))
    return found
