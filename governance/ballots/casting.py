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
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import bindparam, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from governance.assemblies.grants import ProxyGrant, held_by_relative
from governance.assemblies.models import (
    Assembly,
    AssemblyState,
    Attendance,
    Channel,
    Mandate,
    RollEntry,
)
from governance.ballots import choices as ch
from governance.ballots.models import (
    Ballot,
    ElectionMode,
    NamedVote,
    Participation,
    Poll,
    PollExclusion,
    PollKind,
    PollOption,
    PollState,
)
from governance.ballots.services import in_voting_phase
from governance.ballots.trackers import new_tracker
from governance.db import immediate, is_sqlite
from governance.errors import DomainError, NotFound
from governance.i18n import _l
from governance.register.models import Member


@dataclass(frozen=True)
class Caster:
    """Who casts: a member (for themselves or as proxy), or a relative's login (as proxy)."""

    member_id: int | None
    user_id: int | None = None


@dataclass(frozen=True)
class Receipt:
    """What the voter is shown once: the trackers of their ballot(s)."""

    poll_id: int
    member_id: int
    trackers: tuple[bytes, ...]


class Facts(NamedTuple):
    """What the participation rules ask of the database, read in one statement."""

    weight: int | None  # on the frozen roll with this weight; None: not on it
    excluded: bool  # the member or the actor excluded from the poll (§43(6))
    mandate: bool  # the actor holds the member's proxy (a mandate or a relative's grant)
    present: bool  # the actor is present (room, or online with a recent heartbeat)
    expelled: date | None  # the member's or the actor's expulsion letter (§68(2))


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
    _insert_participation(session, poll.id, member_id, acting, channel)
    trackers = tuple(new_tracker() for _ in range(weight if poll.weighted else 1))
    _insert_ballots(session, poll.id, trackers, choice)
    if not poll.secret:
        named = {"poll_id": poll.id, "member_id": member_id, "choice": choice}
        session.execute(insert(NamedVote.__table__), named)
    return Receipt(poll_id=poll.id, member_id=member_id, trackers=trackers)


def encrypted_only() -> Any:
    """The answer to a plaintext vote in a poll with a key."""
    return _l(
        "This poll is encrypted: votes are encrypted on the voting page, which needs JavaScript. "
        "You can vote on paper in the room instead."
    )


def caster_of(actor: Any) -> Caster:
    """The acting member, or (a login without a member) the relative's user id."""
    acting = getattr(actor, "member_id", None)
    return Caster(acting, None if acting is not None else getattr(actor, "id", None))


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


def _fact_columns(assembly: Any, poll: Any) -> list[Any]:
    """The facts' columns; `assembly` and `poll` are bound parameters or the poll's columns
    (correlated, in the cast's lock statement)."""
    from governance.assemblies.attendance import present_since

    member, acting = bindparam("p_member"), bindparam("p_acting")
    weight = select(RollEntry.weight).where(
        RollEntry.assembly_id == assembly, RollEntry.member_id == member
    )
    excluded = select(PollExclusion.member_id).where(
        PollExclusion.poll_id == poll, PollExclusion.member_id.in_([member, acting])
    )
    mandate = select(Mandate.id).where(
        Mandate.assembly_id == assembly, Mandate.principal_id == member, Mandate.proxy_id == acting
    )
    # A relative who is not a member holds the proxy by their accepted grant (relatives.py).
    grant = held_by_relative(assembly, bindparam("p_user")).where(ProxyGrant.principal_id == member)
    present = select(Attendance.id).where(
        Attendance.assembly_id == assembly,
        Attendance.member_id == acting,
        present_since(bindparam("p_since")),
    )
    # §68(2): the member or the acting proxy expelled by a letter sent on or before today.
    expelled = (
        select(Member.expulsion_letter_date)
        .where(Member.id.in_([member, acting]), Member.expulsion_letter_date <= bindparam("p_day"))
        .order_by(Member.expulsion_letter_date)
        .limit(1)
    )
    return [
        weight.scalar_subquery(),
        excluded.exists(),
        mandate.exists() | grant.exists(),
        present.exists(),
        expelled.scalar_subquery(),
    ]


# Built once: every cast runs them (SQLAlchemy caches their compiled form).
_FACTS = select(*_fact_columns(bindparam("p_assembly"), bindparam("p_poll")))
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
        *_fact_columns(Poll.assembly_id, Poll.id),
    )
    .where(Poll.id == bindparam("p_poll"))
    .with_for_update(read=True, of=Poll)
)


def _fact_params(member_id: int, acting: Caster, now: datetime) -> dict[str, Any]:
    from governance.assemblies.attendance import ONLINE_WINDOW

    return {
        "p_member": member_id,
        "p_acting": acting.member_id,
        "p_user": acting.user_id,
        "p_since": now - ONLINE_WINDOW,
        "p_day": now.date(),
    }


def _to_facts(values: Any) -> Facts:
    weight, excluded, mandate, present, expelled = values
    return Facts(weight, bool(excluded), bool(mandate), bool(present), expelled)


def lock_with_facts(
    session: Session, *, poll_id: int, member_id: int, acting: Caster, now: datetime
) -> LockedPoll:
    """In one statement: the poll under FOR SHARE (PostgreSQL; closing waits for us; SQLite
    holds the write lock already), its state and shape, and the participation facts."""
    params = {"p_poll": poll_id, **_fact_params(member_id, acting, now)}
    row = session.execute(_LOCK, params).first()
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
        facts=_to_facts(row[10:]),
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


def _facts(session: Session, poll: Poll, member_id: int, acting: Caster, now: datetime) -> Facts:
    """In one query: the member's roll weight, whether the member or the actor is excluded,
    whether the actor holds the member's proxy (mandate, or a relative's accepted grant),
    whether the actor is present, and the expulsion letter's date if the member or the actor
    is expelled (§68(2))."""
    params = {
        "p_assembly": poll.assembly_id,
        "p_poll": poll.id,
        **_fact_params(member_id, acting, now),
    }
    return _to_facts(session.execute(_FACTS, params).one())


def eligible_weight(
    session: Session,
    *,
    poll: Poll,
    member_id: int,
    acting_member_id: int | None,
    now: datetime,
    assembly: Assembly | None = None,
    online: bool = False,
    acting_user_id: int | None = None,
) -> int:
    """The member's vote weight if `acting_member_id` (or the relative `acting_user_id`, a
    login without a member) may vote for them now; else DomainError (see `judge`)."""
    acting = Caster(acting_member_id, None if acting_member_id else acting_user_id)
    _linked(acting)
    facts = _facts(session, poll, member_id, acting, now)
    return judge(
        session,
        facts,
        assembly_id=poll.assembly_id,
        member_id=member_id,
        acting=acting,
        now=now,
        assembly=assembly,
        online=online,
    )


def _linked(acting: Caster) -> None:
    if acting.member_id is None and acting.user_id is None:
        raise DomainError(_l("Your login is not linked to a member of the cooperative."))


def judge(
    session: Session,
    facts: Facts,
    *,
    assembly_id: int,
    member_id: int,
    acting: Caster,
    now: datetime,
    assembly: Assembly | None = None,
    online: bool = False,
) -> int:
    """The member's vote weight if the facts allow the actor's vote for them; else DomainError.

    `online`: the acting member votes through the app. In a remote assembly in session that is
    taking part in it (§43b GenG: remote participants count as present), so an acting member on
    the roll who is not present yet (say their live page's heartbeats did not get through)
    joins online with this vote instead of being refused. A relative is never on the roll or
    checked in: they take part only online, in a remote assembly in session or a stretched
    voting phase. The assembly is loaded only when the actor is not present.
    """
    _linked(acting)
    if facts.weight is None:
        raise DomainError(_l("The member is not on the voter roll of this assembly."))
    if facts.expelled is not None:
        raise DomainError(
            _l(
                "Expelled (expulsion letter of %(date)s): from that day no vote in the general "
                "assembly, neither in person nor as proxy nor by proxy (§68(2) GenG).",
                date=facts.expelled.strftime("%d.%m.%Y"),
            )
        )
    if facts.excluded:
        raise DomainError(
            _l("Excluded from this poll (§43(6) GenG): no vote, neither in person nor as proxy.")
        )
    if acting.member_id != member_id and not facts.mandate:
        raise DomainError(_l("You hold no proxy for this member."))
    if not facts.present:
        assembly = assembly or session.get(Assembly, assembly_id)
        if not (assembly and in_voting_phase(assembly, now)):
            joined = (
                online and assembly is not None and _join_online(session, assembly, acting, now)
            )
            if not joined:
                raise DomainError(
                    _l("You are not present at the assembly: check in or join online first.")
                )
    return int(facts.weight)


def _join_online(session: Session, assembly: Assembly, acting: Caster, now: datetime) -> bool:
    """The acting member joins a remote assembly in session online; False if they cannot. A
    relative takes part online by voting there (no attendance: they are on no roll)."""
    from governance.assemblies.attendance import heartbeat

    if acting.member_id is None:
        return assembly.is_remote and assembly.state == AssemblyState.IN_SESSION
    return heartbeat(session, assembly=assembly, member_id=acting.member_id, now=now) is not None


def _insert_participation(
    session: Session, poll_id: int, member_id: int, cast_by: Caster, channel: Channel
) -> None:
    """INSERT … ON CONFLICT DO NOTHING: no row inserted means this member has voted already."""
    dialect_insert = sqlite.insert if is_sqlite(session) else postgresql.insert
    stmt = dialect_insert(Participation.__table__).on_conflict_do_nothing(
        index_elements=["poll_id", "member_id"]
    )
    values = {
        "poll_id": poll_id,
        "member_id": member_id,
        "cast_by_member_id": cast_by.member_id,
        "cast_by_user_id": cast_by.user_id,
        "channel": channel,
    }
    if session.execute(stmt.returning(Participation.__table__.c.member_id), values).first() is None:
        raise DomainError(_l("A vote has already been cast for this member in this poll."))


def _insert_ballots(
    session: Session, poll_id: int, trackers: tuple[bytes, ...], choice: str
) -> None:
    rows = [{"tracker": t, "poll_id": poll_id, "choice": choice} for t in trackers]
    session.execute(insert(Ballot.__table__), rows)
