"""Attendance: who is present right now, and by which channel (room, online, proxy).

In the room: checked in by the secretary and not checked out. Online: the member's live page
sent a heartbeat within the last ONLINE_WINDOW (the page beats every 45 s, so one lost or late
beat, e.g. under load or on a flaky connection, does not make the member absent). By proxy:
not present themselves, but their proxy is. Remote participants count as present (§43b GenG).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from governance import metrics
from governance.assemblies.models import (
    REMOTE_FORMS,
    Assembly,
    AssemblyState,
    Attendance,
    Channel,
    RollEntry,
)
from governance.assemblies.models_mandates import Mandate
from governance.assemblies.roll import roll_entry
from governance.auditlog import record_event
from governance.errors import DomainError
from governance.i18n import _l
from governance.register.models import Member
from governance.register.rules import expelled_on, expelled_refusal

ONLINE_WINDOW = timedelta(seconds=120)


@dataclass(frozen=True)
class Presence:
    """A roll member's presence: channel None means absent; `via` is the proxy if PROXY."""

    member: Member
    weight: int
    channel: Channel | None
    via: Member | None = None
    attendance: Attendance | None = None


def _channel_of(att: Attendance | None, now: datetime) -> Channel | None:
    if att is None:
        return None
    if att.channel == Channel.ROOM and att.checked_out_at is None:
        return Channel.ROOM
    if att.channel == Channel.ONLINE and now - att.last_seen_at <= ONLINE_WINDOW:
        return Channel.ONLINE
    return None


def _attendance(session: Session, assembly_id: int, member_id: int) -> Attendance | None:
    return session.execute(
        select(Attendance).where(
            Attendance.assembly_id == assembly_id, Attendance.member_id == member_id
        )
    ).scalar_one_or_none()


def present_channel(
    session: Session, *, assembly_id: int, member_id: int, now: datetime
) -> Channel | None:
    """ROOM if checked in and not out, ONLINE if seen within the window, else None (own)."""
    return _channel_of(_attendance(session, assembly_id, member_id), now)


def present_clause(now: datetime) -> Any:
    """SQL condition on Attendance: the member is present in person or online."""
    return present_since(now - ONLINE_WINDOW)


def present_since(since: Any) -> Any:
    """Present in the room, or online with a heartbeat at or after `since` (a value or a bound
    parameter, for statements built once)."""
    return or_(
        and_(Attendance.channel == Channel.ROOM, Attendance.checked_out_at.is_(None)),
        and_(Attendance.channel == Channel.ONLINE, Attendance.last_seen_at >= since),
    )


def present_counts(session: Session, *, assembly_id: int, now: datetime) -> dict[str, int]:
    """How many roll members are present per channel (two indexed queries)."""
    rows = session.execute(
        select(Attendance.channel, func.count(Attendance.id))
        .where(Attendance.assembly_id == assembly_id, present_clause(now))
        .group_by(Attendance.channel)
    )
    counts = {Channel.ROOM.value: 0, Channel.ONLINE.value: 0, Channel.PROXY.value: 0}
    for channel, n in rows:
        counts[Channel(channel).value] = int(n)
    here = select(Attendance.member_id).where(
        Attendance.assembly_id == assembly_id, present_clause(now)
    )
    counts[Channel.PROXY.value] = int(
        session.execute(
            select(func.count(Mandate.id)).where(
                Mandate.assembly_id == assembly_id,
                Mandate.proxy_id.in_(here),
                Mandate.principal_id.not_in(here),
            )
        ).scalar_one()
    )
    return counts


def presence(session: Session, *, assembly_id: int, now: datetime) -> list[Presence]:
    """Every roll member with their current channel, ordered by member number."""
    roll = session.execute(
        select(RollEntry, Member)
        .join(Member, Member.id == RollEntry.member_id)
        .where(RollEntry.assembly_id == assembly_id)
        .order_by(Member.number)
    ).all()
    atts = {
        a.member_id: a
        for a in session.execute(
            select(Attendance).where(Attendance.assembly_id == assembly_id)
        ).scalars()
    }
    proxies = dict(
        session.execute(
            select(Mandate.principal_id, Mandate.proxy_id).where(Mandate.assembly_id == assembly_id)
        ).all()
    )
    members = {m.id: m for _e, m in roll}
    result = []
    for entry, member in roll:
        att = atts.get(member.id)
        channel, via = _channel_of(att, now), None
        proxy_id = proxies.get(member.id)
        proxy_here = proxy_id is not None and _channel_of(atts.get(proxy_id), now) is not None
        if channel is None and proxy_here:
            channel, via = Channel.PROXY, members.get(proxy_id)
        result.append(Presence(member, entry.weight, channel, via, att))
    return result


def _check_open_for_attendance(assembly: Assembly) -> None:
    if assembly.state not in (AssemblyState.CONVENED, AssemblyState.IN_SESSION):
        raise DomainError(_l("Attendance is taken while the assembly is convened or in session."))


def _require_on_roll(session: Session, assembly: Assembly, member: Member) -> None:
    if roll_entry(session, assembly_id=assembly.id, member_id=member.id) is None:
        raise DomainError(
            _l("%(number)s is not on the voter roll of this assembly.", number=member.number),
            field="member",
        )


def check_in(
    session: Session, *, assembly: Assembly, member: Member, actor: object | None, now: datetime
) -> Attendance:
    """The secretary checks a member in at the room."""
    _check_open_for_attendance(assembly)
    _require_on_roll(session, assembly, member)
    if expelled_on(member.expulsion_letter_date, now.date()):
        raise expelled_refusal(member.display_name, member.expulsion_letter_date)
    att = _attendance(session, assembly.id, member.id)
    if _channel_of(att, now) == Channel.ROOM:
        raise DomainError(
            _l("%(name)s is checked in already.", name=member.display_name), field="member"
        )
    if att is None:
        att = Attendance(assembly_id=assembly.id, member_id=member.id, channel=Channel.ROOM)
    att.channel, att.checked_in_at, att.checked_out_at = Channel.ROOM, now, None
    att.last_seen_at, att.checked_in_by_id = now, getattr(actor, "id", None)
    session.add(att)
    session.flush()
    _record(session, "attendance.checked_in", assembly.id, member, actor, Channel.ROOM)
    return att


def check_out(
    session: Session, *, assembly: Assembly, member: Member, actor: object | None, now: datetime
) -> Attendance:
    """The member leaves the room."""
    att = _attendance(session, assembly.id, member.id)
    if _channel_of(att, now) != Channel.ROOM or att is None:
        raise DomainError(
            _l("%(name)s is not checked in.", name=member.display_name), field="member"
        )
    att.checked_out_at = now
    session.add(att)
    session.flush()
    _record(session, "attendance.checked_out", assembly.id, member, actor, Channel.ROOM)
    return att


def heartbeat(
    session: Session, *, assembly: Assembly, member_id: int, now: datetime
) -> Channel | None:
    """The live page of a roll member is open: they are present online (remote forms only)."""
    if assembly.state != AssemblyState.IN_SESSION or not assembly.is_remote:
        return None
    params = {"p_assembly": assembly.id, "p_member": member_id}
    return _beat(
        session, assembly.id, session.connection().execute(_ROLL_MEMBER, params).first(), now
    )


def heartbeat_in_session(
    session: Session, *, assembly_id: int, member_id: int, now: datetime
) -> Channel | None:
    """`heartbeat` with the assembly's checks (in session, remote) in the member's query: a
    beat under a watch pass (issued after the page's full check) that found no presence to
    refresh, mostly a member joining, without loading the assembly."""
    params = {"p_assembly": assembly_id, "p_member": member_id}
    member = session.connection().execute(_LIVE_ROLL_MEMBER, params).first()
    return _beat(session, assembly_id, member, now)


def _beat(session: Session, assembly_id: int, member: Any, now: datetime) -> Channel | None:
    """The beat of this roll member (a row of `_ROLL_MEMBER`; None: not on the roll, or the
    assembly not live)."""
    if member is None:  # not on the roll
        return None
    if expelled_on(member.expulsion_letter_date, now.date()):
        return None  # §68(2): no longer present, online or in the room
    if _join_online(session, assembly_id, member, now):
        return Channel.ONLINE
    att = _attendance(session, assembly_id, int(member.id or 0))
    if att is None:  # pragma: no cover - the row the insert met was deleted meanwhile
        return None
    if _channel_of(att, now) == Channel.ROOM:
        att.last_seen_at = now  # in the room with the live page open: stays ROOM
    else:
        joined = _channel_of(att, now) is None
        att.channel, att.checked_out_at, att.last_seen_at = Channel.ONLINE, None, now
        if joined:
            att.checked_in_at = now
    session.add(att)
    session.flush()
    return _channel_of(att, now)


# The member of a roll entry: on the roll, with what the beat checks of them (one statement).
# The member's id, number and expulsion, as Core (no ORM object: the beat only reads them).
_ROLL_MEMBER = (
    select(Member.id, Member.number, Member.expulsion_letter_date)
    .join(RollEntry, RollEntry.member_id == Member.id)
    .where(RollEntry.assembly_id == bindparam("p_assembly"), Member.id == bindparam("p_member"))
)

# The same, while the assembly is in session and takes part remotely (the live page's beats).
_LIVE_ROLL_MEMBER = _ROLL_MEMBER.join(Assembly, Assembly.id == RollEntry.assembly_id).where(
    Assembly.state == AssemblyState.IN_SESSION,
    Assembly.form.in_(REMOTE_FORMS),  # type: ignore[attr-defined]
)

# §68(2): an expelled member's beats keep nobody present (one primary-key lookup).
_NOT_EXPELLED = ~(
    select(Member.id)
    .where(Member.id == bindparam("p_member"), Member.expulsion_letter_date <= bindparam("p_day"))
    .exists()
)

# Built once: a heartbeat arrives for every watching member every 45 s.
_REFRESH = (
    update(Attendance)
    .where(
        Attendance.assembly_id == bindparam("p_assembly"),
        Attendance.member_id == bindparam("p_member"),
        present_since(bindparam("p_since")),
        select(Assembly.id)
        .where(Assembly.id == bindparam("p_assembly"), Assembly.state == AssemblyState.IN_SESSION)
        .exists(),
        _NOT_EXPELLED,
    )
    .values(last_seen_at=bindparam("p_seen"))
    .returning(Attendance.channel)
)


# A beat this soon after the last one that was written is answered from a read: the page beats
# every 45 s and retries after 10 s, presence lasts ONLINE_WINDOW (120 s), so skipping the
# write costs nothing, while a flood of beats (several tabs, a script) costs no writes.
EARLY_BEAT = timedelta(seconds=15)

# The member's attendance row, if any, and whether its last beat is recent enough to need no
# write (present, within EARLY_BEAT, the assembly in session, not expelled).
_LAST_BEAT = select(
    Attendance.channel,
    and_(
        Attendance.last_seen_at >= bindparam("p_recent"),
        present_since(bindparam("p_since")),
        select(Assembly.id)
        .where(Assembly.id == bindparam("p_assembly"), Assembly.state == AssemblyState.IN_SESSION)
        .exists(),
        _NOT_EXPELLED,
    ).label("recent"),
).where(
    Attendance.assembly_id == bindparam("p_assembly"),
    Attendance.member_id == bindparam("p_member"),
)


@dataclass(frozen=True)
class LastBeat:
    """What one read knows of a member's presence before a heartbeat writes."""

    has_row: bool  # they have an attendance row (joined before, online or in the room)
    channel: Channel | None  # their channel when the last beat is recent: nothing to write


def last_beat(session: Session, *, assembly_id: int, member_id: int, now: datetime) -> LastBeat:
    """One read: whether the member has an attendance row, and their channel if a heartbeat
    was written for them within EARLY_BEAT (and they are present, the assembly in session):
    then the next one needs no write. Without a row, the beat is a join (no UPDATE to try)."""
    params = {
        "p_assembly": assembly_id,
        "p_member": member_id,
        "p_recent": now - EARLY_BEAT,
        "p_since": now - ONLINE_WINDOW,
        "p_day": now.date(),
    }
    row = session.connection().execute(_LAST_BEAT, params).first()  # Core: no ORM entity
    if row is None:
        return LastBeat(has_row=False, channel=None)
    return LastBeat(has_row=True, channel=Channel(row[0]) if row[1] else None)


def seen_recently(
    session: Session, *, assembly_id: int, member_id: int, now: datetime
) -> Channel | None:
    """The member's channel if a heartbeat was written for them within EARLY_BEAT (and they
    are present, the assembly in session): then the next one needs no write. One read."""
    return last_beat(session, assembly_id=assembly_id, member_id=member_id, now=now).channel


def refresh_presence(
    session: Session, *, assembly_id: int, member_id: int, now: datetime
) -> Channel | None:
    """The common heartbeat in one statement: a member who is present (in the room, or online
    within the window) while the assembly is in session stays so; returns their channel.

    None when nothing was updated (not present, not in session): then `heartbeat` decides, with
    its checks and the audit event of joining online.
    """
    params = {
        "p_assembly": assembly_id,
        "p_member": member_id,
        "p_since": now - ONLINE_WINDOW,
        "p_seen": now,
        "p_day": now.date(),
    }
    # On the session's connection, as Core: no ORM object loaded here is touched (the beat
    # loads none), so the ORM layer's bookkeeping would cost the beat for nothing.
    row = session.connection().execute(_REFRESH, params).first()
    return Channel(row[0]) if row is not None else None


def _build_join(dialect: Any) -> Any:
    """INSERT … ON CONFLICT DO NOTHING RETURNING: no row back means the member has a row."""
    table = Attendance.__table__
    return (
        dialect.insert(table)
        .values(
            assembly_id=bindparam("p_assembly"),
            member_id=bindparam("p_member"),
            channel=Channel.ONLINE,
            checked_in_at=bindparam("p_now", type_=table.c.checked_in_at.type),
            last_seen_at=bindparam("p_now", type_=table.c.last_seen_at.type),
        )
        .on_conflict_do_nothing(index_elements=["assembly_id", "member_id"])
        .returning(table.c.id)
    )


# Built once: joining is the most frequent write while the members arrive (issue #19).
_JOIN = {"sqlite": _build_join(sqlite), "postgresql": _build_join(postgresql)}


def _join_online(session: Session, assembly_id: int, member: Any, now: datetime) -> bool:
    """The member's first beat: their attendance row, online, in one statement (joining is the
    most frequent write while the members arrive, issue #19). False when they have a row
    already (an earlier visit, the room, or a second tab that won the race)."""
    join = _JOIN[session.get_bind().dialect.name]
    params = {"p_assembly": assembly_id, "p_member": member.id, "p_now": now}
    if session.connection().execute(join, params).first() is None:
        return False
    _record(session, "attendance.online_joined", assembly_id, member, None, Channel.ONLINE)
    return True


def _record(
    session: Session,
    event_type: str,
    assembly_id: int | None,
    member: Any,
    actor: object | None,
    channel: Channel,
) -> None:
    record_event(
        session,
        event_type=event_type,
        actor=actor,
        object_type="member",
        object_id=member.id,
        assembly_id=assembly_id,
        payload={"member": member.number, "channel": channel},
    )


def search_roll(
    session: Session, *, assembly_id: int, query: str, limit: int = 50
) -> list[tuple[RollEntry, Member]]:
    """Roll members whose number or name contains `query` (case-insensitive)."""
    text = query.strip().lower()
    if not text:
        return []
    pattern = "%" + text.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_") + "%"
    cond = or_(
        *(
            func.lower(col).like(pattern, escape="\\")
            for col in (Member.number, Member.last_name, Member.first_names, Member.firm)
        )
    )
    rows = session.execute(
        select(RollEntry, Member)
        .join(Member, Member.id == RollEntry.member_id)
        .where(RollEntry.assembly_id == assembly_id, cond)
        .order_by(Member.sort_name, Member.number)  # DIN 5007-1: Jäger before Jung
        .limit(limit)
    )
    return [(e, m) for e, m in rows]


def _present_metrics(session: Session, now: datetime) -> list[Any]:
    """For /metrics: members present now in assemblies in session, by channel."""
    from prometheus_client.core import GaugeMetricFamily

    present = GaugeMetricFamily(
        "governance_members_present",
        "Members present in assemblies in session",
        labels=["channel"],
    )
    rows = session.execute(
        select(Attendance.channel, func.count(Attendance.id))
        .join(Assembly, Assembly.id == Attendance.assembly_id)
        .where(Assembly.state == AssemblyState.IN_SESSION, present_clause(now))
        .group_by(Attendance.channel)
    ).all()
    counts = {c.value: 0 for c in Channel} | {Channel(c).value: int(n) for c, n in rows}
    for channel, n in sorted(counts.items()):
        present.add_metric([channel], n)
    return [present]


metrics.register("members_present", _present_metrics)
