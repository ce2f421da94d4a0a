"""Paper ballots in the room (hybrid and in-person assemblies).

While a poll is open the tellers register each member who hands in a paper ballot: a
participation with channel ROOM, which blocks voting online for that member (same primary key).
A registration made in error is undone until the poll closes (a trigger refuses it after the
close, ballots/ddl.py); both are in the audit log.
After the close the tellers enter their counts per item; the result combines both, and the
number of paper ballots must equal the votes of the members registered in the room.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from governance.assemblies.models import Channel, RollEntry
from governance.auditlog import record_event
from governance.ballots import choices as ch
from governance.ballots.casting import begin_write
from governance.ballots.eligibility import eligible_weight
from governance.ballots.models import PaperCount, Participation, Poll, PollState
from governance.ballots.services import lock_poll
from governance.ballots.shape import shape_of
from governance.ballots.tally import paper_counts
from governance.db import is_sqlite
from governance.errors import DomainError
from governance.i18n import _l
from governance.register.models import Member


def register_room_voter(
    session: Session,
    *,
    poll: Poll,
    member_id: int,
    cast_by_member_id: int,
    now: datetime,
    actor: Any = None,
) -> None:
    """Record that `cast_by_member_id` handed in a paper ballot for `member_id` in the room."""
    from governance.assemblies.services import present_channel

    begin_write(session)
    locked = lock_poll(session, poll_id=poll.id or 0, exclusive=False)
    if locked is None or locked.state != PollState.OPEN:
        raise DomainError(_l("The poll is not open."))
    eligible_weight(
        session, poll=locked, member_id=member_id, acting_member_id=cast_by_member_id, now=now
    )
    channel = present_channel(
        session, assembly_id=locked.assembly_id, member_id=cast_by_member_id, now=now
    )
    if channel != Channel.ROOM:
        raise DomainError(_l("Only members checked in in the room vote on paper."), field="member")
    dialect_insert = sqlite.insert if is_sqlite(session) else postgresql.insert
    stmt = dialect_insert(Participation.__table__).on_conflict_do_nothing(
        index_elements=["poll_id", "member_id"]
    )
    values = {
        "poll_id": locked.id,
        "member_id": member_id,
        "cast_by_member_id": cast_by_member_id,
        "channel": Channel.ROOM,
    }
    if session.execute(stmt.returning(Participation.__table__.c.member_id), values).first() is None:
        raise DomainError(_l("A vote has already been cast for this member in this poll."))
    _paper_event(session, locked, "poll.paper_registered", member_id, actor)


def undo_room_voter(session: Session, *, poll: Poll, member_id: int, actor: Any) -> None:
    """Undo the registration of `member_id`'s paper ballot (entered in error) while the poll is
    open; the member may then vote again, online or on paper."""
    begin_write(session)
    locked = lock_poll(session, poll_id=poll.id or 0, exclusive=False)
    if locked is None or locked.state != PollState.OPEN:
        raise DomainError(
            _l("A paper ballot's registration can be undone only while the poll is open.")
        )
    table = Participation.__table__
    removed = session.execute(
        delete(table)
        .where(
            table.c.poll_id == locked.id,
            table.c.member_id == member_id,
            table.c.channel == Channel.ROOM,
        )
        .returning(table.c.member_id)
    ).first()
    if removed is None:
        raise DomainError(_l("No paper ballot is registered for this member in this poll."))
    _paper_event(session, locked, "poll.paper_undone", member_id, actor)


def _paper_event(session: Session, poll: Poll, event_type: str, member_id: int, actor: Any) -> None:
    record_event(
        session,
        event_type=event_type,
        actor=actor,
        object_type="poll",
        object_id=poll.id,
        assembly_id=poll.assembly_id,
        payload={"poll_id": poll.id, "member_id": member_id},
    )


def room_registrations(session: Session, *, poll: Poll) -> list[Member]:
    """The members registered as voting on paper in the poll, by name."""
    return list(
        session.scalars(
            select(Member)
            .join(Participation, Participation.member_id == Member.id)
            .where(Participation.poll_id == poll.id, Participation.channel == Channel.ROOM)
            .order_by(Member.last_name, Member.first_names)
        )
    )


def room_votes(session: Session, *, poll: Poll) -> int:
    """Votes of the members registered as voting on paper (weights summed if weighted)."""
    weight = RollEntry.weight if poll.weighted else 1
    total = session.scalar(
        select(func.coalesce(func.sum(weight), 0))
        .select_from(Participation)
        .join(
            RollEntry,
            (RollEntry.member_id == Participation.member_id)
            & (RollEntry.assembly_id == poll.assembly_id),
        )
        .where(Participation.poll_id == poll.id, Participation.channel == Channel.ROOM)
    )
    return int(total or 0)


def set_paper_counts(session: Session, *, poll: Poll, counts: dict[str, int], actor: Any) -> None:
    """The tellers' counts (after the close): they must account for every room vote."""
    if poll.state not in (PollState.CLOSED, PollState.SEALED):
        raise DomainError(_l("Paper ballots are counted after the poll has closed."))
    shape, _options = shape_of(session, poll)
    items = ch.paper_items(shape)
    clean = {item: int(counts.get(item) or 0) for item in items}
    if any(v < 0 for v in clean.values()):
        raise DomainError(_l("Counts cannot be negative."))
    expected = room_votes(session, poll=poll)
    counted = ch.paper_ballots(shape, clean)
    if counted != expected:
        raise DomainError(
            _l(
                "The tellers counted %(n)d paper ballots, but %(m)d votes were registered in the room.",
                n=counted,
                m=expected,
            )
        )
    _replace_counts(session, poll, clean)
    record_event(
        session,
        event_type="poll.paper_counted",
        actor=actor,
        object_type="poll",
        object_id=poll.id,
        assembly_id=poll.assembly_id,
        payload={"poll_id": poll.id, "counts": clean},
    )


def _replace_counts(session: Session, poll: Poll, clean: dict[str, int]) -> None:
    for row in session.scalars(select(PaperCount).where(PaperCount.poll_id == poll.id)):
        session.delete(row)
    session.flush()
    rows = [{"poll_id": poll.id, "item": k, "votes": v} for k, v in clean.items()]
    session.execute(insert(PaperCount.__table__), rows)


def check_paper_complete(session: Session, *, poll: Poll) -> None:
    """Before publishing: paper votes registered in the room must have been counted."""
    expected = room_votes(session, poll=poll)
    shape, _options = shape_of(session, poll)
    counted = ch.paper_ballots(shape, paper_counts(session, poll_id=poll.id or 0))
    if expected != counted:
        raise DomainError(
            _l(
                "%(m)d votes were cast on paper in the room; enter the tellers' count first.",
                m=expected,
            )
        )
