"""Casting a vote: one transaction, two unrelated rows (ballots.md, "Casting").

1. Lock: PostgreSQL ``SELECT … FROM poll … FOR SHARE``; SQLite ``BEGIN IMMEDIATE``. The same
   statement reads the poll's state and the facts the checks need (`lock_with_facts`).
2. Check: poll open (and not past its closing time); member on the frozen roll; neither the
   member nor the acting proxy expelled (§68(2) GenG, also a trigger); neither the
   member nor the acting proxy excluded (§43(6)); the acting user is the member or holds a
   mandate for them; the acting person present, except in a stretched voting phase.
3. Insert the participation; the primary key (poll, member) refuses a second one, which is
   answered "already voted".
4. Insert the ballot(s) — one per vote the member holds — with fresh trackers. The trackers are
   returned to be shown once; they are never logged, mailed, or kept in the session.

A poll with a key takes encrypted ballots instead: see `encrypted_cast.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from governance.assemblies.models import Assembly, Channel
from governance.ballots import choices as ch
from governance.ballots.eligibility import (
    Caster,
    Facts,
    caster_of,
    eligible_weight,
    fact_columns,
    fact_params,
    judge,
    to_facts,
)
from governance.ballots.models import (
    Ballot,
    ElectionMode,
    NamedVote,
    Participation,
    Poll,
    PollKind,
    PollOption,
    PollState,
)
from governance.ballots.trackers import new_tracker
from governance.db import immediate, is_sqlite
from governance.errors import DomainError, NotFound
from governance.i18n import _l


@dataclass(frozen=True)
class Receipt:
    """What the voter is shown once: the trackers of their ballot(s)."""

    poll_id: int
    member_id: int
    trackers: tuple[bytes, ...]


@dataclass(frozen=True)
class LockedPoll:
    """The poll as the cast reads it under the lock (Core, no ORM object), with the facts."""

    id: int
    uuid: str
    assembly_id: int
    state: PollState
    auto_close_at: datetime | None
    encrypted: bool
    kind: PollKind
    mode: ElectionMode | None
    seats: int
    secret: bool
    weighted: bool
    facts: Facts

    @property
    def is_open(self) -> bool:
        return self.state == PollState.OPEN


def begin_write(session: Session) -> None:
    """Begin the transaction with the write lock on SQLite, unless one is running already."""
    if not session.in_transaction():
        with immediate():
            session.connection()


def cast_vote(
    session: Session, *, poll_id: int, member_id: int, actor: Any, choice: str, now: datetime
) -> Receipt:
    """Record that `member_id` voted and what, unlinkably; the caller commits. The lock, the
    poll's state and the participation facts are one statement (`lock_with_facts`)."""
    begin_write(session)
    acting = caster_of(actor)
    poll = lock_with_facts(session, poll_id=poll_id, member_id=member_id, acting=acting, now=now)
    check_open(poll, now)
    if poll.encrypted:
        raise DomainError(encrypted_only())
    if not ch.is_valid(open_shape(session, poll), choice):
        raise DomainError(_l("This is not a valid choice for the poll."), field="choice")
    weight = judge(
        session,
        poll.facts,
        assembly_id=poll.assembly_id,
        member_id=member_id,
        acting=acting,
        now=now,
        online=True,
    )
    channel = Channel.ONLINE if acting.member_id == member_id else Channel.PROXY
    trackers = tuple(new_tracker() for _ in range(weight if poll.weighted else 1))
    if len(trackers) == 1 and not is_sqlite(session):
        _insert_vote(session, poll.id, member_id, acting, channel, trackers[0], choice)
    else:
        _insert_participation(session, poll.id, member_id, acting, channel)
        _insert_ballots(session, poll.id, trackers, choice)
    if not poll.secret:
        named = {"poll_id": poll.id, "member_id": member_id, "choice": choice}
        session.connection().execute(_NAMED, named)
    return Receipt(poll_id=poll.id, member_id=member_id, trackers=trackers)


def encrypted_only() -> Any:
    """The answer to a plaintext vote in a poll with a key."""
    return _l(
        "This poll is encrypted: votes are encrypted on the voting page, which needs JavaScript. "
        "You can vote on paper in the room instead."
    )


def participate(
    session: Session, poll: Poll, assembly: Assembly, member_id: int, actor: Any, now: datetime
) -> int:
    """Check the participation rules and record the participation; the member's weight.
    An actor without a member is a relative holding the member's proxy (relatives.py)."""
    acting = caster_of(actor)
    weight = eligible_weight(
        session,
        poll=poll,
        member_id=member_id,
        acting_member_id=acting.member_id,
        acting_user_id=acting.user_id,
        now=now,
        assembly=assembly,
        online=True,
    )
    channel = Channel.ONLINE if acting.member_id == member_id else Channel.PROXY
    _insert_participation(session, poll.id or 0, member_id, acting, channel)
    return weight


def lock_for_cast(session: Session, *, poll_id: int) -> tuple[Poll, Assembly]:
    """The poll under FOR SHARE (PostgreSQL; closing waits for us), with its assembly."""
    row = session.execute(
        select(Poll, Assembly)
        .join(Assembly, Assembly.id == Poll.assembly_id)
        .where(Poll.id == poll_id)
        .with_for_update(read=True, of=Poll)
        .execution_options(populate_existing=True)
    ).first()
    if row is None:
        raise NotFound(_l("There is no such poll."))
    return row[0], row[1]


def check_open(poll: Poll | LockedPoll, now: datetime) -> None:
    if not poll.is_open:
        raise DomainError(_l("The poll is not open."))
    if poll.auto_close_at is not None and now >= poll.auto_close_at:
        raise DomainError(_l("The poll closed at its closing time."))


# Built once: every cast runs it (SQLAlchemy caches its compiled form).
_LOCK = (
    select(
        Poll.uuid,
        Poll.assembly_id,
        Poll.state,
        Poll.auto_close_at,
        Poll.ceremony_id,
        Poll.kind,
        Poll.election_mode,
        Poll.seats,
        Poll.secret,
        Poll.weighted,
        *fact_columns(Poll.assembly_id, Poll.id),
    )
    .where(Poll.id == bindparam("p_poll"))
    .with_for_update(read=True, of=Poll)
)


def lock_with_facts(
    session: Session, *, poll_id: int, member_id: int, acting: Caster, now: datetime
) -> LockedPoll:
    """In one statement: the poll under FOR SHARE (PostgreSQL; closing waits for us; SQLite
    holds the write lock already), its state and shape, and the participation facts."""
    params = {"p_poll": poll_id, **fact_params(member_id, acting, now)}
    row = session.connection().execute(_LOCK, params).first()
    if row is None:
        raise NotFound(_l("There is no such poll."))
    uuid, assembly_id, state, close_at, ceremony, kind, mode, seats, secret, weighted = row[:10]
    return LockedPoll(
        id=poll_id,
        uuid=uuid,
        assembly_id=assembly_id,
        state=state,
        auto_close_at=close_at,
        encrypted=ceremony is not None,
        kind=kind,
        mode=mode,
        seats=seats,
        secret=secret,
        weighted=weighted,
        facts=to_facts(row[10:]),
    )


# The candidates of open polls, by (poll id, poll uuid): a poll's candidates are fixed once it
# leaves the draft (editing.py edits drafts only, and no poll goes back), and the uuid keeps an
# entry from ever answering for another poll (a reused id in another database).
_OPTION_IDS: dict[tuple[int, str], tuple[int, ...]] = {}
_OPTION_IDS_MAX = 256


def open_shape(session: Session, poll: LockedPoll) -> ch.Shape:
    """The open poll's shape for checking a choice; its candidates read once per process."""
    option_ids: tuple[int, ...] = ()
    if poll.kind != PollKind.MOTION:
        key = (poll.id, poll.uuid)
        cached = _OPTION_IDS.get(key)
        if cached is None:
            query = (
                select(PollOption.id)
                .where(PollOption.poll_id == poll.id)
                .order_by(PollOption.position)
            )
            cached = tuple(int(i) for i in session.scalars(query))
            if poll.is_open:  # a draft's candidates may still change: never cached
                if len(_OPTION_IDS) >= _OPTION_IDS_MAX:
                    _OPTION_IDS.clear()
                _OPTION_IDS[key] = cached
        option_ids = cached
    return ch.Shape(kind=poll.kind, mode=poll.mode, seats=poll.seats, option_ids=option_ids)


def _build_participation(dialect: Any) -> Any:
    """INSERT … ON CONFLICT DO NOTHING RETURNING: no row back means the member has voted."""
    table = Participation.__table__
    stmt = dialect.insert(table).on_conflict_do_nothing(index_elements=["poll_id", "member_id"])
    return stmt.returning(table.c.member_id)


# Built once: every cast runs them (SQLAlchemy caches their compiled form).
_PARTICIPATION = {
    "sqlite": _build_participation(sqlite),
    "postgresql": _build_participation(postgresql),
}
_BALLOTS = insert(Ballot.__table__)
_NAMED = insert(NamedVote.__table__)


def _build_vote() -> Any:
    """PostgreSQL: the participation and the ballot in one statement (one round trip fewer
    per cast, issue #19). The ballot is inserted from the participation's RETURNING: no row
    back means the member has voted, and then no ballot went in either."""
    took_part = (
        postgresql.insert(Participation.__table__)
        .values(
            poll_id=bindparam("poll_id"),
            member_id=bindparam("member_id"),
            cast_by_member_id=bindparam("cast_by_member_id"),
            cast_by_user_id=bindparam("cast_by_user_id"),
            channel=bindparam("channel"),
        )
        .on_conflict_do_nothing(index_elements=["poll_id", "member_id"])
        .returning(Participation.__table__.c.poll_id)
        .cte("took_part")
    )
    ballot = Ballot.__table__
    what = select(
        bindparam("tracker", type_=ballot.c.tracker.type),
        took_part.c.poll_id,
        bindparam("choice", type_=ballot.c.choice.type),
    )
    return (
        insert(ballot)
        .from_select(["tracker", "poll_id", "choice"], what)
        .returning(ballot.c.poll_id)
    )


_VOTE = _build_vote()


def _took_part(poll_id: int, member_id: int, cast_by: Caster, channel: Channel) -> dict[str, Any]:
    """The participation's values."""
    return {
        "poll_id": poll_id,
        "member_id": member_id,
        "cast_by_member_id": cast_by.member_id,
        "cast_by_user_id": cast_by.user_id,
        "channel": channel,
    }


def _first_vote(session: Session, stmt: Any, values: dict[str, Any]) -> None:
    """Run an insert of the participation; DomainError if a vote for the member is in
    already (no row back)."""
    if session.connection().execute(stmt, values).first() is None:
        raise DomainError(_l("A vote has already been cast for this member in this poll."))


def _insert_participation(
    session: Session, poll_id: int, member_id: int, cast_by: Caster, channel: Channel
) -> None:
    """Record that the member took part; DomainError if a vote for them is in already."""
    stmt = _PARTICIPATION["sqlite" if is_sqlite(session) else "postgresql"]
    _first_vote(session, stmt, _took_part(poll_id, member_id, cast_by, channel))


def _insert_vote(
    session: Session,
    poll_id: int,
    member_id: int,
    cast_by: Caster,
    channel: Channel,
    tracker: bytes,
    choice: str,
) -> None:
    """PostgreSQL: the participation and one ballot in one statement (`_build_vote`);
    DomainError if a vote for the member is in already."""
    values = _took_part(poll_id, member_id, cast_by, channel)
    _first_vote(session, _VOTE, {**values, "tracker": tracker, "choice": choice})


def _insert_ballots(
    session: Session, poll_id: int, trackers: tuple[bytes, ...], choice: str
) -> None:
    rows = [{"tracker": t, "poll_id": poll_id, "choice": choice} for t in trackers]
    session.connection().execute(_BALLOTS, rows)
