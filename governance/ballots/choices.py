"""How a choice is written in a ballot row, and the tellers' paper-count items.

A ballot's `choice` is one string, so the tally is a GROUP BY over it:
- motion: ``YES`` | ``NO`` | ``ABSTAIN``
- election, yes/no/abstain per candidate: ``<option id>=<Y|N|A>`` for every candidate, sorted by
  option id, joined by ``;`` (``12=Y;13=N;14=A``); ``ABSTAIN`` abstains on the whole ballot
- election, choose up to N: the chosen option ids sorted and joined by ``,`` (``12,14``);
  ``ABSTAIN`` for an empty ballot
Paper ballots are never stored one by one: tellers enter counts per item (see `paper_items`).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote_plus

from governance.ballots.models import ElectionMode, PollKind

YES, NO, ABSTAIN, INVALID = "YES", "NO", "ABSTAIN", "INVALID"
MOTION_CHOICES = (YES, NO, ABSTAIN)
ANSWERS = ("Y", "N", "A")
BALLOTS = "BALLOTS"  # paper item: number of valid paper ballots of an election


@dataclass(frozen=True)
class Shape:
    """What a poll accepts: kind, election mode, seats and candidate ids (in order)."""

    kind: PollKind
    mode: ElectionMode | None
    seats: int
    option_ids: tuple[int, ...]


def encode_per_candidate(answers: dict[int, str]) -> str:
    """``{12: 'Y', 13: 'N'}`` → ``12=Y;13=N``."""
    return ";".join(f"{oid}={answers[oid]}" for oid in sorted(answers))


def encode_choose(option_ids: set[int] | list[int]) -> str:
    """``{14, 12}`` → ``12,14``; nothing chosen → ``ABSTAIN``."""
    ids = sorted(set(option_ids))
    return ",".join(str(i) for i in ids) if ids else ABSTAIN


def decode(shape: Shape, choice: str) -> str | dict[int, str] | frozenset[int] | None:
    """The meaning of `choice` for this poll, ABSTAIN for an abstention, None if invalid."""
    if choice == ABSTAIN:
        return ABSTAIN
    if shape.kind == PollKind.MOTION:
        return choice if choice in MOTION_CHOICES else None
    if shape.mode == ElectionMode.YES_NO_ABSTAIN_PER_CANDIDATE:
        return _decode_per_candidate(shape, choice)
    return _decode_choose(shape, choice)


def _decode_per_candidate(shape: Shape, choice: str) -> dict[int, str] | None:
    answers: dict[int, str] = {}
    for part in choice.split(";"):
        oid, sep, answer = part.partition("=")
        if not sep or not oid.isdigit() or answer not in ANSWERS or int(oid) in answers:
            return None
        answers[int(oid)] = answer
    if sorted(answers) != sorted(shape.option_ids) or encode_per_candidate(answers) != choice:
        return None
    return answers


def _decode_choose(shape: Shape, choice: str) -> frozenset[int] | None:
    parts = choice.split(",")
    if not all(p.isdigit() for p in parts):
        return None
    ids = frozenset(int(p) for p in parts)
    valid = ids <= set(shape.option_ids) and len(ids) <= shape.seats
    return ids if valid and encode_choose(ids) == choice else None


def is_valid(shape: Shape, choice: str) -> bool:
    """Whether `choice` is a well-formed choice for this poll."""
    return decode(shape, choice) is not None


def _widest(shape: Shape) -> tuple[str, ...]:
    """Valid choices among which is the longest encoding for this poll."""
    if shape.kind == PollKind.MOTION:
        return MOTION_CHOICES
    if shape.mode == ElectionMode.YES_NO_ABSTAIN_PER_CANDIDATE:
        return encode_per_candidate(dict.fromkeys(shape.option_ids, "Y")), ABSTAIN
    longest = sorted(shape.option_ids, key=lambda oid: len(str(oid)), reverse=True)
    return encode_choose(longest[: shape.seats]), ABSTAIN


def request_width(shape: Shape) -> int:
    """The most characters a valid choice of this poll takes in a form-encoded request body.

    A cast pads its body to this width (`request_padding`), so its length tells nothing about
    the choice: request sizes are visible to whoever watches the network, even through TLS.
    """
    return max(len(quote_plus(choice)) for choice in _widest(shape))


def request_padding(shape: Shape, choice: str) -> str:
    """The ``pad`` value that brings `choice` to the poll's `request_width` in a request body."""
    return "x" * max(0, request_width(shape) - len(quote_plus(choice)))


def paper_items(shape: Shape) -> list[str]:
    """The items tellers count for paper ballots of this poll."""
    if shape.kind == PollKind.MOTION:
        return [YES, NO, ABSTAIN, INVALID]
    if shape.mode == ElectionMode.YES_NO_ABSTAIN_PER_CANDIDATE:
        per = [f"{oid}:{a}" for oid in shape.option_ids for a in ANSWERS]
        return [BALLOTS, INVALID, *per]
    return [BALLOTS, INVALID, ABSTAIN, *[str(oid) for oid in shape.option_ids]]


def paper_ballots(shape: Shape, counts: dict[str, int]) -> int:
    """Number of paper ballots (valid and invalid) the tellers' counts stand for."""
    if shape.kind == PollKind.MOTION:
        return sum(counts.get(k, 0) for k in (YES, NO, ABSTAIN, INVALID))
    return counts.get(BALLOTS, 0) + counts.get(INVALID, 0)
