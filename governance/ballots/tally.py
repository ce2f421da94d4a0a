"""The count and the majority rules (domain.md, "Majorities").

Ballots are counted in SQL (GROUP BY choice); each ballot row is one vote — a member with
multiple votes (§43(3) setting) casts that many ballots, so their ballots look like everyone
else's. The online ballots of an encrypted poll are counted by the tellers' decryption of the
sealed sums (`decrypt.decrypted_counts`), per option; they are mapped to the same figures, so
the declaration, results, chart and minutes read them as any other. Paper ballots from the
room come in as the tellers' counts. Majorities are of the votes
cast: yes + no; abstentions and invalid ballots do not count.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from governance.assemblies.models import Channel, RollEntry
from governance.ballots import choices as ch
from governance.ballots.decrypt import ballot_count, decrypted_counts
from governance.ballots.models import (
    Ballot,
    ElectionMode,
    Majority,
    PaperCount,
    Participation,
    Poll,
    PollExclusion,
    PollKind,
    PollOption,
)
from governance.ballots.shape import shape_of

ADOPTED, REJECTED, TIE, ELECTED = "ADOPTED", "REJECTED", "TIE", "ELECTED"


@dataclass
class CandidateResult:
    option_id: int
    label: str
    yes: int = 0
    no: int = 0
    abstain: int = 0
    votes: int = 0  # choose-up-to-N mode
    passed: bool = False  # per-candidate mode: reached the majority
    elected: bool = False
    tied: bool = False


@dataclass
class PollResult:
    poll_id: int
    kind: str
    election_mode: str | None
    majority: str
    weighted: bool
    seats: int
    counts: dict[str, int] = field(default_factory=dict)  # motion: YES/NO/ABSTAIN, both channels
    online_counts: dict[str, int] = field(default_factory=dict)
    paper_counts: dict[str, int] = field(default_factory=dict)  # the tellers' items
    ballots_online: int = 0
    ballots_paper: int = 0
    valid: int = 0  # valid ballots, abstentions included
    invalid: int = 0
    abstentions: int = 0
    votes_cast: int = 0  # motion: yes + no (the base of every majority)
    participants: int = 0  # members who took part
    participants_online: int = 0
    participants_proxy: int = 0
    participants_room: int = 0
    roll_size: int = 0  # eligible members: the roll without the excluded
    roll_votes: int = 0  # their votes (weights summed when the poll is weighted)
    turnout_votes: int = 0  # votes of the members who took part
    required: int = 0  # yes votes needed (motions)
    achieved: int = 0  # yes votes reached (motions)
    outcome: str = REJECTED
    elected: list[str] = field(default_factory=list)
    tied: list[str] = field(default_factory=list)
    candidates: list[CandidateResult] = field(default_factory=list)
    encrypted: bool = False  # the online part was decrypted by the tellers, not read

    @property
    def turnout_percent(self) -> float:
        return 100.0 * self.participants / self.roll_size if self.roll_size else 0.0

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, data: str) -> PollResult:
        raw: dict[str, Any] = json.loads(data)
        raw["candidates"] = [CandidateResult(**c) for c in raw.get("candidates", [])]
        return cls(**raw)


def evaluate_majority(majority: Majority | str, yes: int, no: int) -> tuple[str, int]:
    """(ADOPTED | REJECTED | TIE, yes votes required) for a motion under `majority`.

    SIMPLE: yes > no (yes == no is a TIE, which does not adopt). THREE_QUARTERS / NINE_TENTHS:
    yes ≥ ¾ resp. 9/10 of yes + no. Without any yes or no vote nothing is adopted.
    """
    cast = yes + no
    rule = Majority(majority)
    if rule in (Majority.SIMPLE, Majority.RELATIVE):
        required = no + 1
        if cast and yes == no:
            return TIE, required
        return (ADOPTED if yes > no else REJECTED), required
    num, den = (3, 4) if rule == Majority.THREE_QUARTERS else (9, 10)
    required = max(1, -(-num * cast // den))
    return (ADOPTED if cast and yes * den >= num * cast else REJECTED), required


def fill_seats(ranked: list[tuple[str, int]], seats: int) -> tuple[list[str], list[str]]:
    """Elected and tied among candidates (label, score) with score > 0, best first.

    Candidates tied across the last seat are not elected but reported as tied (a run-off or
    the lot decides, as the statute says).
    """
    scored = sorted((c for c in ranked if c[1] > 0), key=lambda c: -c[1])
    if len(scored) <= seats:
        return [c[0] for c in scored], []
    boundary = scored[seats - 1][1]
    if scored[seats][1] != boundary:
        return [c[0] for c in scored[:seats]], []
    elected = [c[0] for c in scored if c[1] > boundary]
    tied = [c[0] for c in scored if c[1] == boundary]
    return elected, tied


def ballot_counts(session: Session, *, poll_id: int) -> dict[str, int]:
    """Ballots per distinct choice, counted by the database."""
    rows = session.execute(
        select(Ballot.choice, func.count()).where(Ballot.poll_id == poll_id).group_by(Ballot.choice)
    ).all()
    return {choice: int(n) for choice, n in rows}


def paper_counts(session: Session, *, poll_id: int) -> dict[str, int]:
    """The tellers' counts per item."""
    rows = session.execute(
        select(PaperCount.item, PaperCount.votes).where(PaperCount.poll_id == poll_id)
    ).all()
    return {item: int(votes) for item, votes in rows}


def compute_result(session: Session, *, poll: Poll) -> PollResult:
    """Count the poll (online ballots + paper counts) and evaluate its majority rule."""
    assert poll.id is not None
    shape, options = shape_of(session, poll)
    result = PollResult(
        poll_id=poll.id,
        kind=poll.kind.value,
        election_mode=poll.election_mode.value if poll.election_mode else None,
        majority=poll.majority.value,
        weighted=poll.weighted,
        seats=poll.seats,
    )
    _count_people(session, poll, result)
    paper = paper_counts(session, poll_id=poll.id)
    if poll.is_encrypted:
        _tally_encrypted(session, poll, shape, options, paper, result)
        return result
    online = ballot_counts(session, poll_id=poll.id)
    result.paper_counts = paper
    result.ballots_online = sum(online.values())
    result.ballots_paper = ch.paper_ballots(shape, paper)
    if poll.kind == PollKind.MOTION:
        _tally_motion(shape, online, paper, result)
    else:
        _tally_election(shape, options, online, paper, result)
    return result


def _tally_encrypted(
    session: Session,
    poll: Poll,
    shape: ch.Shape,
    options: list[PollOption],
    paper: dict[str, int],
    result: PollResult,
) -> None:
    """The decrypted counts per option (docs/coopvote.md, "The poll") as the usual figures."""
    counts = decrypted_counts(session, poll=poll)  # AwaitingDecryption before t shares
    result.encrypted = True
    result.paper_counts = paper
    result.ballots_online = ballot_count(session, poll_id=poll.id or 0)
    result.ballots_paper = ch.paper_ballots(shape, paper)
    if poll.kind == PollKind.MOTION:
        online = dict(zip(ch.MOTION_CHOICES, counts[0], strict=True))
        _tally_motion(shape, online, paper, result)
        return
    cands = {o.id: CandidateResult(option_id=o.id or 0, label=o.label) for o in options}
    if shape.mode == ElectionMode.YES_NO_ABSTAIN_PER_CANDIDATE:
        for cand, (yes, no, abstain) in zip(cands.values(), counts, strict=True):
            cand.yes, cand.no, cand.abstain = yes, no, abstain
    else:
        *votes, abstain = counts[0]
        for cand, n in zip(cands.values(), votes, strict=True):
            cand.votes = n
        result.abstentions += abstain
    _add_paper(shape, cands, paper, result)
    result.valid = result.ballots_online + paper.get(ch.BALLOTS, 0)
    result.votes_cast = result.valid - result.abstentions
    result.candidates = list(cands.values())
    _decide_election(shape, result)


def _count_people(session: Session, poll: Poll, result: PollResult) -> None:
    weight = RollEntry.weight if poll.weighted else 1
    excluded = select(PollExclusion.member_id).where(PollExclusion.poll_id == poll.id)
    size, votes = session.execute(
        select(func.count(), func.coalesce(func.sum(weight), 0)).where(
            RollEntry.assembly_id == poll.assembly_id, RollEntry.member_id.not_in(excluded)
        )
    ).one()
    result.roll_size, result.roll_votes = int(size), int(votes)
    rows = session.execute(
        select(Participation.channel, func.count(), func.coalesce(func.sum(weight), 0))
        .join(
            RollEntry,
            (RollEntry.member_id == Participation.member_id)
            & (RollEntry.assembly_id == poll.assembly_id),
            isouter=True,
        )
        .where(Participation.poll_id == poll.id)
        .group_by(Participation.channel)
    ).all()
    by_channel = {Channel(c): (int(n), int(v)) for c, n, v in rows}
    result.participants_online = by_channel.get(Channel.ONLINE, (0, 0))[0]
    result.participants_proxy = by_channel.get(Channel.PROXY, (0, 0))[0]
    result.participants_room = by_channel.get(Channel.ROOM, (0, 0))[0]
    result.participants = sum(n for n, _v in by_channel.values())
    result.turnout_votes = sum(v for _n, v in by_channel.values())


def _tally_motion(
    shape: ch.Shape, online: dict[str, int], paper: dict[str, int], result: PollResult
) -> None:
    result.online_counts = {c: online.get(c, 0) for c in ch.MOTION_CHOICES}
    result.counts = {c: online.get(c, 0) + paper.get(c, 0) for c in ch.MOTION_CHOICES}
    bad_online = sum(n for c, n in online.items() if c not in ch.MOTION_CHOICES)
    result.invalid = paper.get(ch.INVALID, 0) + bad_online
    yes, no = result.counts[ch.YES], result.counts[ch.NO]
    result.abstentions = result.counts[ch.ABSTAIN]
    result.votes_cast = yes + no
    result.valid = yes + no + result.abstentions
    result.outcome, result.required = evaluate_majority(result.majority, yes, no)
    result.achieved = yes


def _tally_election(
    shape: ch.Shape,
    options: list[PollOption],
    online: dict[str, int],
    paper: dict[str, int],
    result: PollResult,
) -> None:
    cands = {o.id: CandidateResult(option_id=o.id or 0, label=o.label) for o in options}
    for choice, n in online.items():
        _add_online(shape, cands, choice, n, result)
    _add_paper(shape, cands, paper, result)
    result.valid = result.ballots_online - _bad(shape, online) + paper.get(ch.BALLOTS, 0)
    result.votes_cast = result.valid - result.abstentions
    result.candidates = list(cands.values())
    _decide_election(shape, result)


def _bad(shape: ch.Shape, online: dict[str, int]) -> int:
    return sum(n for c, n in online.items() if ch.decode(shape, c) is None)


def _add_online(
    shape: ch.Shape, cands: dict[Any, CandidateResult], choice: str, n: int, result: PollResult
) -> None:
    meaning = ch.decode(shape, choice)
    if meaning is None:
        result.invalid += n
    elif meaning == ch.ABSTAIN:
        result.abstentions += n
        for cand in cands.values():
            cand.abstain += n if shape.mode == ElectionMode.YES_NO_ABSTAIN_PER_CANDIDATE else 0
    elif isinstance(meaning, dict):
        for oid, answer in meaning.items():
            _add_answer(cands[oid], answer, n)
    else:
        for oid in meaning:
            cands[oid].votes += n


def _add_answer(cand: CandidateResult, answer: str, n: int) -> None:
    if answer == "Y":
        cand.yes += n
    elif answer == "N":
        cand.no += n
    else:
        cand.abstain += n


def _add_paper(
    shape: ch.Shape, cands: dict[Any, CandidateResult], paper: dict[str, int], result: PollResult
) -> None:
    result.invalid += paper.get(ch.INVALID, 0)
    result.abstentions += paper.get(ch.ABSTAIN, 0)
    for item, n in paper.items():
        oid, _sep, answer = item.partition(":")
        if not oid.isdigit() or int(oid) not in cands:
            continue
        if answer:
            _add_answer(cands[int(oid)], answer, n)
        else:
            cands[int(oid)].votes += n


def _decide_election(shape: ch.Shape, result: PollResult) -> None:
    cands = result.candidates
    if shape.mode == ElectionMode.YES_NO_ABSTAIN_PER_CANDIDATE:
        for cand in cands:
            cand.passed = evaluate_majority(result.majority, cand.yes, cand.no)[0] == ADOPTED
        ranked = [(c.label, c.yes) for c in cands if c.passed]
    else:
        ranked = [(c.label, c.votes) for c in cands]
    result.elected, result.tied = fill_seats(ranked, shape.seats)
    for cand in cands:
        cand.elected = cand.label in result.elected
        cand.tied = cand.label in result.tied
    if result.tied:
        result.outcome = TIE
    else:
        result.outcome = ELECTED if result.elected else REJECTED
