"""Casting a vote: one transaction, two unrelated rows (ballots.md, "Casting").

1. Lock: PostgreSQL ``SELECT … FROM poll … FOR SHARE``; SQLite ``BEGIN IMMEDIATE``.
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
from typing import Any

from sqlalchemy import bindparam, func, insert, select, union_all
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
    NamedVote,
    Participation,
    Poll,
    PollExclusion,
)
from governance.ballots.services import in_voting_phase
from governance.ballots.tally import shape_of
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

    poll: Poll
    member_id: int
    trackers: tuple[bytes, ...]


def begin_write(session: Session) -> None:
    """Begin the transaction with the write lock on SQLite, unless one is running already."""
    if not session.in_transaction():
        with immediate():
            session.connection()


def cast_vote(
    session: Session, *, poll_id: int, member_id: int, actor: Any, choice: str, now: datetime
) -> Receipt:
    """Record that `member_id` voted and what, unlinkably; the caller commits."""
    begin_write(session)
    poll, assembly = lock_for_cast(session, poll_id=poll_id)
    check_open(poll, now)
    if poll.is_encrypted:
        raise DomainError(encrypted_only())
    if not ch.is_valid(shape_of(session, poll)[0], choice):
        raise DomainError(_l("This is not a valid choice for the poll."), field="choice")
    weight = participate(session, poll, assembly, member_id, actor, now)
    trackers = tuple(new_tracker() for _ in range(weight if poll.weighted else 1))
    _insert_ballots(session, poll.id or 0, trackers, choice)
    if not poll.secret:
        named = {"poll_id": poll.id, "member_id": member_id, "choice": choice}
        session.execute(insert(NamedVote.__table__), named)
    return Receipt(poll=poll, member_id=member_id, trackers=trackers)


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
    acting = getattr(actor, "member_id", None)
    relative = None if acting is not None else getattr(actor, "id", None)
    weight = eligible_weight(
        session,
        poll=poll,
        member_id=member_id,
        acting_member_id=acting,
        acting_user_id=relative,
        now=now,
        assembly=assembly,
        online=True,
    )
    channel = Channel.ONLINE if acting == member_id else Channel.PROXY
    _insert_participation(session, poll, member_id, Caster(acting, relative), channel)
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


def check_open(poll: Poll, now: datetime) -> None:
    if not poll.is_open:
        raise DomainError(_l("The poll is not open."))
    if poll.auto_close_at is not None and now >= poll.auto_close_at:
        raise DomainError(_l("The poll closed at its closing time."))


def _build_facts() -> Any:
    from governance.assemblies.attendance import present_since

    a, member, acting = bindparam("p_assembly"), bindparam("p_member"), bindparam("p_acting")
    weight = select(RollEntry.weight).where(
        RollEntry.assembly_id == a, RollEntry.member_id == member
    )
    excluded = select(PollExclusion.member_id).where(
        PollExclusion.poll_id == bindparam("p_poll"), PollExclusion.member_id.in_([member, acting])
    )
    mandate = select(Mandate.id).where(
        Mandate.assembly_id == a, Mandate.principal_id == member, Mandate.proxy_id == acting
    )
    # A relative who is not a member holds the proxy by their accepted grant (relatives.py).
    grant = held_by_relative(a, bindparam("p_user")).where(ProxyGrant.principal_id == member)
    present = select(Attendance.id).where(
        Attendance.assembly_id == a,
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
    return select(
        weight.scalar_subquery(),
        excluded.exists(),
        mandate.exists() | grant.exists(),
        present.exists(),
        expelled.scalar_subquery(),
    )


_FACTS = _build_facts()  # built once: every cast runs it


def _facts(
    session: Session, poll: Poll, member_id: int, acting: Caster, now: datetime
) -> tuple[int | None, bool, bool, bool, date | None]:
    """In one query: the member's roll weight, whether the member or the actor is excluded,
    whether the actor holds the member's proxy (mandate, or a relative's accepted grant),
    whether the actor is present, and the expulsion letter's date if the member or the actor
    is expelled (§68(2))."""
    from governance.assemblies.attendance import ONLINE_WINDOW

    params = {
        "p_assembly": poll.assembly_id,
        "p_poll": poll.id,
        "p_member": member_id,
        "p_acting": acting.member_id,
        "p_user": acting.user_id,
        "p_since": now - ONLINE_WINDOW,
        "p_day": now.date(),
    }
    row = session.execute(_FACTS, params).one()
    return row[0], bool(row[1]), bool(row[2]), bool(row[3]), row[4]


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
    login without a member) may vote for them now; else DomainError.

    `online`: the acting member votes through the app. In a remote assembly in session that is
    taking part in it (§43b GenG: remote participants count as present), so an acting member on
    the roll who is not present yet (say their live page's heartbeats did not get through)
    joins online with this vote instead of being refused. A relative is never on the roll or
    checked in: they take part only online, in a remote assembly in session or a stretched
    voting phase.
    """
    acting = Caster(acting_member_id, None if acting_member_id else acting_user_id)
    if acting.member_id is None and acting.user_id is None:
        raise DomainError(_l("Your login is not linked to a member of the cooperative."))
    facts = _facts(session, poll, member_id, acting, now)
    weight, excluded, mandate, present, expelled = facts
    if weight is None:
        raise DomainError(_l("The member is not on the voter roll of this assembly."))
    if expelled is not None:
        raise DomainError(
            _l(
                "Expelled (expulsion letter of %(date)s): from that day no vote in the general "
                "assembly, neither in person nor as proxy nor by proxy (§68(2) GenG).",
                date=expelled.strftime("%d.%m.%Y"),
            )
        )
    if excluded:
        raise DomainError(
            _l("Excluded from this poll (§43(6) GenG): no vote, neither in person nor as proxy.")
        )
    if acting_member_id != member_id and not mandate:
        raise DomainError(_l("You hold no proxy for this member."))
    assembly = assembly or session.get(Assembly, poll.assembly_id)
    if not present and not (assembly and in_voting_phase(assembly, now)):
        joined = online and assembly is not None and _join_online(session, assembly, acting, now)
        if not joined:
            raise DomainError(
                _l("You are not present at the assembly: check in or join online first.")
            )
    return int(weight)


def _join_online(session: Session, assembly: Assembly, acting: Caster, now: datetime) -> bool:
    """The acting member joins a remote assembly in session online; False if they cannot. A
    relative takes part online by voting there (no attendance: they are on no roll)."""
    from governance.assemblies.attendance import heartbeat

    if acting.member_id is None:
        return assembly.is_remote and assembly.state == AssemblyState.IN_SESSION
    return heartbeat(session, assembly=assembly, member_id=acting.member_id, now=now) is not None


def _insert_participation(
    session: Session, poll: Poll, member_id: int, cast_by: Caster, channel: Channel
) -> None:
    """INSERT … ON CONFLICT DO NOTHING: no row inserted means this member has voted already."""
    dialect_insert = sqlite.insert if is_sqlite(session) else postgresql.insert
    stmt = dialect_insert(Participation.__table__).on_conflict_do_nothing(
        index_elements=["poll_id", "member_id"]
    )
    values = {
        "poll_id": poll.id,
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


@dataclass(frozen=True)
class Voter:
    """A member the user may vote for in a poll: themselves (on the roll) or a principal."""

    member: Member
    by_proxy: bool
    done: bool  # a vote has been cast for them already


def _build_voters() -> Any:
    poll_id, member_id = bindparam("p_poll"), bindparam("p_member")
    assembly = select(Poll.assembly_id).where(Poll.id == poll_id).scalar_subquery()
    own = select(RollEntry.member_id).where(
        RollEntry.assembly_id == assembly, RollEntry.member_id == member_id
    )
    principals = select(Mandate.principal_id).where(
        Mandate.assembly_id == assembly, Mandate.proxy_id == member_id
    )
    held = held_by_relative(assembly, bindparam("p_user"))
    slot = func.coalesce(
        select(Mandate.slot)
        .where(Mandate.assembly_id == assembly, Mandate.principal_id == Member.id)
        .scalar_subquery(),
        held.with_only_columns(ProxyGrant.slot)
        .where(ProxyGrant.principal_id == Member.id)
        .scalar_subquery(),
    )
    done = select(Participation.member_id).where(
        Participation.poll_id == poll_id, Participation.member_id == Member.id
    )
    # IN over a union of index lookups: the member table is read by primary key, not scanned.
    return (
        select(Member, done.exists())
        .where(Member.id.in_(union_all(own, principals, held)))
        .order_by(Member.id != member_id, slot)
    )


_VOTERS = _build_voters()  # built once: every ballot page, confirmation and cast runs it


def voters_of(
    session: Session, *, poll_id: int, member_id: int | None, user_id: int | None = None
) -> list[Voter]:
    """In one query: the user's own member if on the poll's roll, then the members they hold
    a mandate for (by slot), each with whether they voted already. Empty: not entitled.
    A login without a member (`user_id`: a relative, relatives.py) votes only for the members
    whose accepted grants it holds."""
    if member_id is None and user_id is None:
        return []
    params = {"p_poll": poll_id, "p_member": member_id, "p_user": None if member_id else user_id}
    rows = session.execute(_VOTERS, params).all()
    return [Voter(m, m.id != member_id, bool(d)) for m, d in rows]
