"""Meetings of a body: the roll is the body's seats, the quorum and notice are the body's.

A meeting of the board, the supervisory board, a committee or the representative assembly is
an assembly with a `body_id`. Convening it freezes the seats held on the record date as its
roll (one vote each; the register does not matter), waits the body's notice period
(`body.notice_days`, not the general assembly's §46(1) GenG) and invites the seats through
the same mailing as every invitation. It has a quorum when more than `body.quorum_percent`
percent of its seats are present (in the room or online; nobody is represented at a meeting
of a body). Its chair is the body's chair on the meeting's day, who signs its minutes.

Seats held by a user who is not a member (committees, working groups) cannot go on a roll
(a roll entry is a member's): convening such a meeting is refused with a clear message
rather than leaving them off. Only the body's seats and the guests it invites see the
meeting (the gate, `Assembly.can_see`); `invite_guest`, `remove_guest` keep the list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from governance.accounts.models import User
from governance.assemblies import closed
from governance.assemblies.attendance import present_clause
from governance.assemblies.guests import MeetingGuest
from governance.assemblies.models import Assembly, Attendance, RollEntry
from governance.assemblies.models import Body as AssemblyBody
from governance.assemblies.roll import freeze_entries, roll_size
from governance.auditlog import record_event
from governance.bodies.models import Body, BodyKind, Seat, SeatFunction
from governance.bodies.queries import body_of_kind, seat_of, seats_on
from governance.errors import DomainError
from governance.i18n import _l
from governance.register.models import Member
from governance.register.queries import eligible_members

KIND_OF = {
    BodyKind.BOARD: AssemblyBody.BOARD,
    BodyKind.SUPERVISORY_BOARD: AssemblyBody.SUPERVISORY_BOARD,
    BodyKind.COMMITTEE: AssemblyBody.COMMITTEE,
    BodyKind.WORKING_GROUP: AssemblyBody.COMMITTEE,
    BodyKind.REPRESENTATIVE_ASSEMBLY: AssemblyBody.REPRESENTATIVE_ASSEMBLY,
}
SINGLE = {v: k for k, v in KIND_OF.items() if k != BodyKind.COMMITTEE}


def body_of(session: Session, assembly: Assembly) -> Body | None:
    """The body whose meeting this is; None for a general assembly."""
    return session.get(Body, assembly.body_id) if assembly.body_id is not None else None


def resolve_body(session: Session, *, body: AssemblyBody, body_id: int | None) -> int | None:
    """The body a new assembly of `body` belongs to: the one given (its kind must fit), or the
    one board, supervisory board or representative assembly; a committee's meeting is created
    on the committee's page."""
    if body == AssemblyBody.GENERAL_ASSEMBLY:
        return None
    row = session.get(Body, body_id) if body_id is not None else None
    if row is None and body in SINGLE:
        row = body_of_kind(session, SINGLE[body])
    if row is None or KIND_OF[BodyKind(row.kind)] != body:
        raise DomainError(
            _l("Create the meeting of a body on that body's page (bodies and seats)."),
            field="body",
        )
    if row.dissolved_on is not None:
        raise DomainError(_l("This body has been dissolved."), field="body")
    return row.id


def _non_members(seats: list[Seat]) -> None:
    outside = [s for s in seats if s.member_id is None]
    if outside:
        raise DomainError(
            _l(
                "%(num)d seats of this body are held by people who are not members. A meeting's "
                "roll lists members only: the app cannot convene this meeting yet (their vote "
                "would be missing). Hold it outside the app.",
                num=len(outside),
            )
        )


def seat_members(session: Session, *, body_id: int, day: date) -> list[Member]:
    """The members holding a seat in the body on `day` (refused if a non-member sits)."""
    seats = seats_on(session, body_id=body_id, day=day)
    _non_members(seats)
    members = [session.get(Member, s.member_id) for s in seats]
    return sorted((m for m in members if m is not None), key=lambda m: m.number)


def freeze_seats(
    session: Session, *, assembly: Assembly, record_date: date, actor: object | None
) -> str:
    """Freeze the roll as the body's seats on the record date: one vote each."""
    shares = dict((m.id, n) for m, n in eligible_members(session, at=record_date, min_shares=0))
    entries = [
        RollEntry(assembly_id=assembly.id, member_id=m.id, shares=shares.get(m.id, 0), weight=1)
        for m in seat_members(session, body_id=int(assembly.body_id or 0), day=record_date)
    ]
    return freeze_entries(
        session, assembly=assembly, record_date=record_date, entries=entries, actor=actor
    )


@dataclass(frozen=True)
class Quorum:
    """Present seats against all seats: a quorum when present * 100 > percent * seats."""

    seats: int
    present: int
    percent: int

    @property
    def needed(self) -> int:
        """The fewest present seats that make a quorum."""
        return self.seats * self.percent // 100 + 1

    @property
    def met(self) -> bool:
        return self.seats > 0 and self.present * 100 > self.percent * self.seats


def quorum(session: Session, *, assembly: Assembly, now: datetime) -> Quorum | None:
    """The meeting's quorum now (None for a general assembly or before the roll is frozen)."""
    body = body_of(session, assembly)
    if body is None or not assembly.roll_frozen:
        return None
    present = session.execute(
        select(func.count(Attendance.id))
        .join(
            RollEntry,
            (RollEntry.assembly_id == Attendance.assembly_id)
            & (RollEntry.member_id == Attendance.member_id),
        )
        .where(Attendance.assembly_id == assembly.id, present_clause(now))
    ).scalar_one()
    return Quorum(
        seats=roll_size(session, assembly_id=assembly.id),
        present=int(present),
        percent=body.quorum_percent,
    )


def attended(session: Session, *, assembly_id: int) -> list[Member]:
    """The roll's members who attended at all (checked in or online), by number: the minutes'
    record of who was present at a body's meeting."""
    rows = session.execute(
        select(Member)
        .join(RollEntry, RollEntry.member_id == Member.id)
        .join(
            Attendance,
            (Attendance.member_id == Member.id) & (Attendance.assembly_id == assembly_id),
        )
        .where(RollEntry.assembly_id == assembly_id)
        .order_by(Member.number)
    )
    return list(rows.scalars())


def body_chair(session: Session, *, body_id: int, day: date) -> Seat | None:
    """The body's chair on `day` (the seat with function CHAIR), or None.

    Kept here until bodies/queries.py offers it (the bodies branch adds `body_chair`)."""
    return next(
        (
            s
            for s in seats_on(session, body_id=body_id, day=day)
            if s.function == SeatFunction.CHAIR
        ),
        None,
    )


def seat_user(session: Session, seat: Seat) -> User | None:
    """The login of a seat's holder: their own, or the one linked to their member."""
    if seat.user_id is not None:
        return session.get(User, seat.user_id)
    query = select(User).where(User.member_id == seat.member_id)
    return session.execute(query).scalars().first()


def chair_user(session: Session, *, assembly: Assembly, body_first: bool = False) -> User | None:
    """The meeting's appointed chair, else the body's chair on its day; with `body_first` the
    other way round (the body's chair signs its minutes)."""
    appointed = session.get(User, assembly.chair_user_id) if assembly.chair_user_id else None
    seat = None
    if assembly.body_id is not None:
        seat = body_chair(session, body_id=assembly.body_id, day=assembly.starts_at.date())
    holder = seat_user(session, seat) if seat is not None else None
    return (holder or appointed) if body_first else (appointed or holder)


def seat_users(session: Session, *, body_id: int, day: date) -> list[User]:
    """The logins of the body's seats on `day` (who may chair or keep its minutes)."""
    users = [seat_user(session, s) for s in seats_on(session, body_id=body_id, day=day)]
    return [u for u in users if u is not None and u.active]


def may_create(session: Session, *, body: Body, user: Any, day: date) -> bool:
    """The body's leaders (chair, deputy; on the board every seat) create its meetings."""
    if not getattr(user, "is_authenticated", False) or body.dissolved_on is not None:
        return False
    seat = seat_of(session, user=user, body_id=int(body.id or 0), day=day)
    return closed.leads_with(seat, str(body.kind))


def meetings_of(session: Session, *, body_id: int) -> list[Assembly]:
    """The body's meetings, the latest first."""
    query = select(Assembly).where(Assembly.body_id == body_id)
    return list(session.execute(query.order_by(Assembly.starts_at.desc())).scalars())


def guests(session: Session, *, assembly_id: int) -> list[tuple[MeetingGuest, User]]:
    """The meeting's guests with their logins, in the order invited."""
    rows = session.execute(
        select(MeetingGuest, User)
        .join(User, User.id == MeetingGuest.user_id)
        .where(MeetingGuest.assembly_id == assembly_id)
        .order_by(MeetingGuest.id)
    ).all()
    return [(g, u) for g, u in rows]


def _guest_event(session: Session, assembly: Assembly, event: str, user: User, actor: Any) -> None:
    record_event(
        session,
        event_type=event,
        actor=actor,
        object_type="assembly",
        object_id=assembly.id,
        assembly_id=assembly.id,
        payload={"user_id": user.id, "email": user.email},
    )


def invite_guest(
    session: Session, *, assembly: Assembly, user: User, actor: Any, now: datetime
) -> MeetingGuest:
    """Open the meeting to a user outside the body (audit-logged)."""
    if assembly.body_id is None:
        raise DomainError(_l("Guests are invited to meetings of a body only."))
    if not user.active:
        raise DomainError(_l("This account is not active."), field="user")
    if any(u.id == user.id for _g, u in guests(session, assembly_id=int(assembly.id or 0))):
        raise DomainError(_l("%(name)s is a guest already.", name=user.email), field="user")
    guest = MeetingGuest(
        assembly_id=assembly.id, user_id=user.id, invited_by_id=getattr(actor, "id", None)
    )
    guest.invited_at = now
    session.add(guest)
    session.flush()
    _guest_event(session, assembly, "assembly.guest_invited", user, actor)
    return guest


def remove_guest(session: Session, *, assembly: Assembly, guest: MeetingGuest, actor: Any) -> None:
    """Close the meeting to a guest again (audit-logged)."""
    if guest.assembly_id != assembly.id:
        raise DomainError(_l("This guest belongs to another meeting."))
    user = session.get(User, guest.user_id)
    session.delete(guest)
    session.flush()
    if user is not None:
        _guest_event(session, assembly, "assembly.guest_removed", user, actor)
