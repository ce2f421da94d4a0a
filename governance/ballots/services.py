"""Polls: prepare, open, close (and seal), declare and publish. Casting is in casting.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlmodel import Session

from governance.assemblies.models import Assembly, AssemblyForm, AssemblyState
from governance.assemblies.models_agenda import AgendaItem
from governance.auditlog import record_event
from governance.ballots.encryption import attach_key, ceremony_in_progress, ceremony_of
from governance.ballots.models import (
    QUALIFIED,
    ElectionMode,
    Majority,
    Participation,
    Poll,
    PollExclusion,
    PollKind,
    PollOption,
    PollState,
)
from governance.ballots.proposal_link import apply_proposal, proposal_to_vote
from governance.ballots.seal import seal_poll
from governance.ballots.tally import PollResult
from governance.errors import DomainError, IllegalTransition
from governance.i18n import _l


@dataclass
class PollData:
    """What the board or secretary enters for a poll."""

    title: str
    kind: PollKind = PollKind.MOTION
    majority: Majority = Majority.SIMPLE
    election_mode: ElectionMode | None = None
    seats: int = 1
    secret: bool = True
    publish_choices: bool = True
    description: str = ""
    candidates: list[str] = field(default_factory=list)
    agenda_item_id: int | None = None
    proposal_id: int | None = None


# --- preparing ----------------------------------------------------------------------------


def validate_poll_data(session: Session, assembly: Assembly, data: PollData) -> None:
    """Check (and complete) a poll's data before it is created or edited: a proposal of this
    assembly, admitted, sets the kind, majority, item and title; then a title, a majority and
    shape that fit the kind, an agenda item of this assembly; a DomainError naming the field
    otherwise."""
    if data.proposal_id is not None:
        apply_proposal(session, assembly, data)
    if not data.title.strip():
        raise DomainError(_l("Give the poll a title."), field="title")
    if data.kind == PollKind.MOTION:
        if data.majority == Majority.RELATIVE:
            raise DomainError(_l("A motion needs a simple, ¾ or 9/10 majority."), field="majority")
        data.election_mode, data.candidates, data.seats = None, [], 1
    else:
        _validate_election(data)
    if data.agenda_item_id is not None:
        item = session.get(AgendaItem, data.agenda_item_id)
        if item is None or item.assembly_id != assembly.id:
            raise DomainError(_l("Choose an item of this assembly."), field="agenda_item_id")


def _validate_election(data: PollData) -> None:
    names = [c.strip() for c in data.candidates if c.strip()]
    if not names:
        raise DomainError(_l("An election needs at least one candidate."), field="candidates")
    if len(set(names)) != len(names):
        raise DomainError(_l("A candidate is listed twice."), field="candidates")
    if data.seats < 1:
        raise DomainError(_l("An election fills at least one seat."), field="seats")
    if data.election_mode is None:
        data.election_mode = ElectionMode.YES_NO_ABSTAIN_PER_CANDIDATE
    if data.election_mode == ElectionMode.CHOOSE_UP_TO_N:
        data.majority = Majority.RELATIVE
    elif data.majority == Majority.RELATIVE:
        data.majority = Majority.SIMPLE
    data.candidates = names


def create_poll(session: Session, *, assembly: Assembly, data: PollData, actor: Any) -> Poll:
    """Prepare a poll (draft) on the assembly, with its candidates."""
    if assembly.state in (AssemblyState.CLOSED, AssemblyState.MINUTES_PUBLISHED):
        raise DomainError(_l("The assembly is over; no new polls."))
    validate_poll_data(session, assembly, data)
    poll = Poll(
        assembly_id=assembly.id,
        agenda_item_id=data.agenda_item_id,
        proposal_id=data.proposal_id,
        title=data.title.strip(),
        description=data.description.strip(),
        kind=data.kind,
        election_mode=data.election_mode,
        seats=data.seats,
        secret=data.secret,
        publish_choices=data.publish_choices,
        majority=data.majority,
        created_by_id=getattr(actor, "id", None),
    )
    session.add(poll)
    session.flush()
    for position, label in enumerate(data.candidates, start=1):
        session.add(PollOption(poll_id=poll.id, position=position, label=label))
    session.flush()
    poll_event(
        session,
        poll,
        "poll.created",
        actor,
        title=poll.title,
        kind=poll.kind,
        majority=poll.majority,
        secret=poll.secret,
        candidates=data.candidates,
    )
    return poll


def delete_poll(session: Session, *, poll: Poll, actor: Any) -> None:
    """Delete a draft poll."""
    if poll.state != PollState.DRAFT:
        raise DomainError(_l("Only a draft poll can be deleted."))
    poll_event(session, poll, "poll.deleted", actor, title=poll.title)
    session.execute(delete(PollOption).where(PollOption.poll_id == poll.id))
    session.execute(delete(PollExclusion).where(PollExclusion.poll_id == poll.id))
    session.delete(poll)
    session.flush()


def options_of(session: Session, *, poll_id: int) -> list[PollOption]:
    """The candidates of a poll in ballot order."""
    return list(
        session.scalars(
            select(PollOption).where(PollOption.poll_id == poll_id).order_by(PollOption.position)
        )
    )


def add_exclusion(
    session: Session, *, poll: Poll, member_id: int, reason: str, actor: Any
) -> PollExclusion:
    """Exclude a member from a draft poll (§43(6): their own discharge, a claim against them)."""
    if poll.state != PollState.DRAFT:
        raise DomainError(_l("Exclusions are fixed once the poll is open."))
    if session.get(PollExclusion, (poll.id, member_id)) is not None:
        raise DomainError(_l("This member is excluded already."), field="member_id")
    exclusion = PollExclusion(poll_id=poll.id, member_id=member_id, reason=reason.strip())
    session.add(exclusion)
    session.flush()
    poll_event(session, poll, "poll.exclusion_added", actor, member_id=member_id, reason=reason)
    return exclusion


def remove_exclusion(session: Session, *, poll: Poll, member_id: int, actor: Any) -> None:
    """Lift an exclusion of a draft poll."""
    exclusion = session.get(PollExclusion, (poll.id, member_id))
    if poll.state != PollState.DRAFT or exclusion is None:
        raise DomainError(_l("Exclusions are fixed once the poll is open."))
    session.delete(exclusion)
    session.flush()
    poll_event(session, poll, "poll.exclusion_removed", actor, member_id=member_id)


def exclusions_of(session: Session, *, poll_id: int) -> list[PollExclusion]:
    """The poll's exclusions."""
    return list(session.scalars(select(PollExclusion).where(PollExclusion.poll_id == poll_id)))


# --- opening and closing ------------------------------------------------------------------


def lock_poll(session: Session, *, poll_id: int, exclusive: bool) -> Poll | None:
    """Re-read the poll under a row lock: FOR SHARE (casting) or FOR UPDATE (closing).

    On PostgreSQL closing waits for casts in flight and casts wait for a close in flight. On
    SQLite there are no row locks: the transaction holds the database's write lock instead
    (BEGIN IMMEDIATE, see governance.db.immediate()).
    """
    stmt = (
        select(Poll)
        .where(Poll.id == poll_id)
        .with_for_update(read=not exclusive)
        .execution_options(populate_existing=True)
    )
    return session.execute(stmt).scalar_one_or_none()


def in_voting_phase(assembly: Assembly, now: datetime) -> bool:
    """A stretched assembly's voting phase: everyone on the roll votes, present or not."""
    return bool(
        assembly.form == AssemblyForm.STRETCHED
        and assembly.voting_starts_at is not None
        and assembly.voting_ends_at is not None
        and assembly.voting_starts_at <= now < assembly.voting_ends_at
    )


def _check_openable(session: Session, poll: Poll, assembly: Assembly, now: datetime) -> None:
    if assembly.state != AssemblyState.IN_SESSION:
        raise DomainError(_l("Polls open only while the assembly is in session."))
    if assembly.roll_frozen_at is None or assembly.roll_hash is None:
        raise DomainError(_l("Freeze the voter roll before opening a poll."))
    if assembly.form == AssemblyForm.STRETCHED and not in_voting_phase(assembly, now):
        raise DomainError(_l("In a stretched assembly polls open in the voting phase."))
    if poll.kind == PollKind.ELECTION and not options_of(session, poll_id=poll.id or 0):
        raise DomainError(_l("An election needs at least one candidate."))
    if poll.secret and ceremony_in_progress(session, assembly_id=assembly.id or 0):
        raise DomainError(
            _l(
                "The tellers' key ceremony of this assembly is still running: open secret polls"
                " once the key is ready (their ballots are then encrypted), or void the"
                " ceremony first."
            )
        )
    if poll.agenda_item_id is not None:
        from governance.assemblies.services import assert_resolution_possible

        assert_resolution_possible(session, item_id=poll.agenda_item_id)


def open_poll(
    session: Session,
    *,
    poll: Poll,
    actor: Any,
    now: datetime,
    multiple_votes: bool = False,
    auto_close_at: datetime | None = None,
) -> Poll:
    """DRAFT → OPEN. `multiple_votes` is the statute's §43(3) setting (never for ¾ or more)."""
    locked = lock_poll(session, poll_id=poll.id or 0, exclusive=True) or poll
    assembly = session.get(Assembly, locked.assembly_id)
    assert assembly is not None
    _check_openable(session, locked, assembly, now)
    if assembly.form == AssemblyForm.STRETCHED:
        assert assembly.voting_ends_at is not None
        auto_close_at = min(auto_close_at or assembly.voting_ends_at, assembly.voting_ends_at)
    if auto_close_at is not None and auto_close_at <= now:
        raise DomainError(_l("The closing time must lie in the future."), field="auto_close_at")
    attach_key(session, locked)
    locked.open(now=now)
    locked.opened_by_id = getattr(actor, "id", None)
    locked.auto_close_at = auto_close_at
    locked.weighted = bool(multiple_votes and locked.majority not in QUALIFIED)
    locked.roll_hash = assembly.roll_hash
    session.add(locked)
    session.flush()
    proposal_to_vote(session, locked, actor, now)
    poll_event(
        session,
        locked,
        "poll.opened",
        actor,
        title=locked.title,
        roll_hash=locked.roll_hash,
        weighted=locked.weighted,
        auto_close_at=auto_close_at,
        secret=locked.secret,
        publish_choices=locked.publish_choices,
        majority=locked.majority,
        **_key_facts(session, locked),
    )
    return locked


def _key_facts(session: Session, poll: Poll) -> dict[str, Any]:
    """For the audit chain: the poll's id and, when it is encrypted, its key's fingerprint."""
    ceremony = ceremony_of(session, poll)
    if ceremony is None:
        return {}
    return {"poll_uuid": poll.uuid, "key_fingerprint": ceremony.key_fingerprint}


def turnout(session: Session, *, poll_id: int) -> int:
    """How many members have voted so far (the only figure shown while a poll is open)."""
    return int(session.scalar(select(func.count()).where(Participation.poll_id == poll_id)) or 0)


def close_poll(session: Session, *, poll: Poll, actor: Any, now: datetime) -> Poll:
    """OPEN → CLOSED → SEALED in one transaction; waits for casts in flight (FOR UPDATE)."""
    locked = lock_poll(session, poll_id=poll.id or 0, exclusive=True)
    if locked is None or locked.state != PollState.OPEN:
        raise IllegalTransition(_l("The poll is not open."))
    locked.close(now=now)
    locked.closed_by_id = getattr(actor, "id", None)
    session.add(locked)
    session.flush()
    poll_event(
        session,
        locked,
        "poll.closed",
        actor,
        participations=turnout(session, poll_id=locked.id or 0),
    )
    seal_poll(session, poll=locked, actor=actor)
    return locked


def close_due(session: Session, *, now: datetime) -> list[int]:
    """Close (and seal) every open poll whose closing time has come; their ids."""
    due = session.scalars(
        select(Poll.id).where(
            Poll.state == PollState.OPEN, Poll.auto_close_at.is_not(None), Poll.auto_close_at <= now
        )
    ).all()
    closed = []
    for poll_id in due:
        poll = session.get(Poll, poll_id)
        if poll is not None and poll.state == PollState.OPEN:
            try:
                with session.begin_nested():
                    close_poll(session, poll=poll, actor=None, now=now)
            except DomainError:
                # An encrypted box that fails its re-verification is not sealed and stays
                # open; the others close. Closing it by hand shows the chair why.
                continue
            closed.append(poll_id)
    return closed


def open_due(session: Session, *, now: datetime, multiple_votes: bool = False) -> list[int]:
    """Open the draft polls of stretched assemblies whose voting phase has begun; their ids."""
    rows = session.execute(
        select(Poll, Assembly)
        .join(Assembly, Assembly.id == Poll.assembly_id)
        .where(
            Poll.state == PollState.DRAFT,
            Assembly.form == AssemblyForm.STRETCHED,
            Assembly.state == AssemblyState.IN_SESSION,
            Assembly.voting_starts_at <= now,
            Assembly.voting_ends_at > now,
        )
    ).all()
    opened = []
    for poll, _assembly in rows:
        open_poll(session, poll=poll, actor=None, now=now, multiple_votes=multiple_votes)
        opened.append(poll.id)
    return opened


# --- declaring and publishing -------------------------------------------------------------


def published_result(poll: Poll) -> PollResult | None:
    """The result stored at publication."""
    return PollResult.from_json(poll.result_json) if poll.result_json else None


def poll_event(session: Session, poll: Poll, event_type: str, actor: Any, **payload: Any) -> None:
    """Record an event of the poll in the audit chain (its id in the payload)."""
    record_event(
        session,
        event_type=event_type,
        actor=actor,
        object_type="poll",
        object_id=poll.id,
        assembly_id=poll.assembly_id,
        payload={"poll_id": poll.id, **payload},
    )
