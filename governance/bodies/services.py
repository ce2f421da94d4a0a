"""The bodies' verbs: create a body, change its settings, dissolve it; add a seat, end a term,
change a seat's function.

Every verb checks its rules in Python first and raises a DomainError with a message a person
reads; the database triggers (bodies/ddl.py) stay the backstop and, should they fire anyway
(a concurrent request), their refusal is translated into the same DomainError. Seats are
history: a term ends by its last day, never by deleting. Seats from an election come from the
election's seat offers, not from here. Each verb flushes and records an audit event; the
caller commits.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from governance.accounts.models import User
from governance.auditlog import record_event
from governance.bodies import ddl
from governance.bodies.models import (
    MEMBERS_ONLY,
    SINGLE_BODIES,
    Body,
    BodyKind,
    CircularRule,
    Seat,
    SeatFunction,
    SeatOrigin,
)
from governance.bodies.queries import user_seats
from governance.errors import DomainError
from governance.i18n import _l, enum_label
from governance.register.models import Member

SUB_BODIES = (BodyKind.COMMITTEE, BodyKind.WORKING_GROUP)
MANUAL_ORIGINS = (SeatOrigin.APPOINTED, SeatOrigin.CO_OPTED)
EXCLUSIVE = (BodyKind.BOARD, BodyKind.SUPERVISORY_BOARD)
_FAR = date(9999, 12, 31)

# The triggers' messages (bodies/ddl.py) and what a person reads instead.
TRIGGER_MESSAGES = {
    ddl.MSG_OVERLAP: _l("This person already holds a seat in this body during this term."),
    ddl.MSG_EXCLUSIVE: _l(
        "Nobody may sit on the board and the supervisory board at the same time (§37 GenG)."
    ),
    ddl.MSG_MEMBERS: _l("The seats of this body are held by members of the cooperative."),
}


def translate_db_error(exc: DBAPIError) -> DomainError | None:
    """The DomainError for a seat trigger's refusal, or None for any other database error."""
    text = str(exc.orig)
    for marker, message in TRIGGER_MESSAGES.items():
        if marker in text:
            return DomainError(message)
    return None


def _flush(session: Session) -> None:
    try:
        session.flush()
    except DBAPIError as exc:
        error = translate_db_error(exc)
        if error is None:
            raise
        raise error from exc


# --- bodies --------------------------------------------------------------------------------


def _check_name(session: Session, name: str, body_id: int | None = None) -> str:
    name = name.strip()
    if not name:
        raise DomainError(_l("A body needs a name."), field="name")
    query = select(Body.id).where(func.lower(Body.name) == name.lower())
    if body_id is not None:
        query = query.where(Body.id != body_id)
    if session.execute(query).first() is not None:
        raise DomainError(_l("A body with this name exists already."), field="name")
    return name


def _check_settings(quorum_percent: int, notice_days: int) -> None:
    if not 0 <= quorum_percent < 100:
        raise DomainError(_l("The quorum is a share from 0 to 99 %."), field="quorum_percent")
    if not 0 <= notice_days <= 60:
        raise DomainError(_l("The notice period is 0 to 60 days."), field="notice_days")


def create_body(
    session: Session,
    *,
    kind: BodyKind,
    name: str,
    actor: Any,
    description: str = "",
    parent_id: int | None = None,
    quorum_percent: int = 50,
    notice_days: int = 7,
    circular_rule: CircularRule = CircularRule.NO_OBJECTION_MAJORITY_OF_SEATS,
) -> Body:
    """Create a body: a committee or working group (optionally of a parent body), or the
    board, the supervisory board or the representative assembly if there is none yet."""
    name = _check_name(session, name)
    _check_settings(quorum_percent, notice_days)
    if kind in SINGLE_BODIES:
        if session.execute(select(Body.id).where(Body.kind == kind)).first() is not None:
            raise DomainError(
                _l("The cooperative has a %(kind)s already.", kind=enum_label(kind)), field="kind"
            )
        if parent_id is not None:
            raise DomainError(_l("Only committees and working groups have a parent body."))
    if parent_id is not None:
        parent = session.get(Body, parent_id)
        if parent is None or parent.dissolved_on is not None:
            raise DomainError(_l("The parent body does not exist."), field="parent_id")
    body = Body(
        kind=kind,
        name=name,
        description=description.strip(),
        parent_id=parent_id,
        quorum_percent=quorum_percent,
        notice_days=notice_days,
        circular_rule=circular_rule,
    )
    session.add(body)
    session.flush()
    record_event(
        session, event_type="body.created", actor=actor, object_type="body", object_id=body.id,
        payload={"kind": kind.value, "name": name, "parent": parent_id},
    )  # fmt: skip
    return body


def change_body(
    session: Session,
    *,
    body: Body,
    actor: Any,
    name: str,
    description: str,
    quorum_percent: int,
    notice_days: int,
    circular_rule: CircularRule,
) -> Body:
    """Change a body's name, description and rules for meetings and circulars."""
    body.name = _check_name(session, name, body.id)
    _check_settings(quorum_percent, notice_days)
    body.description = description.strip()
    body.quorum_percent = quorum_percent
    body.notice_days = notice_days
    body.circular_rule = circular_rule
    session.add(body)
    session.flush()
    record_event(
        session, event_type="body.changed", actor=actor, object_type="body", object_id=body.id,
        payload={"name": body.name, "quorum_percent": quorum_percent,
                 "notice_days": notice_days, "circular_rule": circular_rule.value},
    )  # fmt: skip
    return body


def dissolve_body(session: Session, *, body: Body, on: date, actor: Any) -> Body:
    """Dissolve a committee or working group on `on`: its open terms end that day; its seats
    and papers stay as history."""
    if body.kind not in SUB_BODIES:
        raise DomainError(_l("Only committees and working groups can be dissolved."))
    if body.dissolved_on is not None:
        raise DomainError(_l("This body has been dissolved already."))
    seats = session.execute(select(Seat).where(Seat.body_id == body.id)).scalars().all()
    if any(s.starts_on > on for s in seats):
        raise DomainError(
            _l("A term starts after this day; the body cannot be dissolved before it."),
            field="dissolved_on",
        )
    for seat in seats:
        if seat.ends_on is None or seat.ends_on > on:
            seat.ends_on = on
            session.add(seat)
    body.dissolved_on = on
    session.add(body)
    _flush(session)
    record_event(
        session, event_type="body.dissolved", actor=actor, object_type="body", object_id=body.id,
        payload={"on": on.isoformat()},
    )  # fmt: skip
    return body


# --- seats ---------------------------------------------------------------------------------


def _overlapping(starts_on: date, ends_on: date | None) -> Any:
    return and_(
        Seat.starts_on <= (ends_on or _FAR),
        or_(Seat.ends_on.is_(None), Seat.ends_on >= starts_on),  # type: ignore[union-attr]
    )


def _check_seat(
    session: Session,
    *,
    body: Body,
    member_id: int | None,
    user_id: int | None,
    starts_on: date,
    ends_on: date | None,
    seat_id: int | None = None,
) -> None:
    """The rules the triggers enforce, in Python first: one seat per person and body at a
    time, and not on the board and the supervisory board at once (§37 GenG)."""
    if ends_on is not None and ends_on < starts_on:
        raise DomainError(_l("A term ends on or after the day it starts."), field="ends_on")
    person = Seat.member_id == member_id if member_id is not None else Seat.user_id == user_id
    others = select(Seat.id).where(person, _overlapping(starts_on, ends_on))
    if seat_id is not None:
        others = others.where(Seat.id != seat_id)
    if session.execute(others.where(Seat.body_id == body.id)).first() is not None:
        raise DomainError(TRIGGER_MESSAGES[ddl.MSG_OVERLAP])
    if body.kind in EXCLUSIVE and member_id is not None:
        other_kind = next(k for k in EXCLUSIVE if k != body.kind)
        query = others.join(Body, Body.id == Seat.body_id).where(Body.kind == other_kind)
        if session.execute(query).first() is not None:
            raise DomainError(TRIGGER_MESSAGES[ddl.MSG_EXCLUSIVE])


def _check_chair(
    session: Session, *, body: Body, function: SeatFunction, seat: Seat, starts_on: date
) -> None:
    """A body has one chair and one deputy at a time."""
    if function == SeatFunction.MEMBER:
        return
    query = select(Seat.id).where(
        Seat.body_id == body.id, Seat.function == function, _overlapping(starts_on, seat.ends_on)
    )
    if seat.id is not None:
        query = query.where(Seat.id != seat.id)
    if session.execute(query).first() is not None:
        raise DomainError(
            _l("The body has a %(function)s during this term already.",
               function=enum_label(function)),
            field="function",
        )  # fmt: skip


def add_seat(
    session: Session,
    *,
    body: Body,
    actor: Any,
    starts_on: date,
    member: Member | None = None,
    user: User | None = None,
    function: SeatFunction = SeatFunction.MEMBER,
    origin: SeatOrigin = SeatOrigin.APPOINTED,
    ends_on: date | None = None,
    note: str = "",
) -> Seat:
    """Seat a member (or, in a committee or working group, a user who is not a member) in the
    body, appointed or co-opted, from `starts_on` to `ends_on` (None: open)."""
    if user is not None and member is None and user.member_id is not None:
        member = session.get(Member, user.member_id)  # a member sits as a member
    if member is None and user is None:
        raise DomainError(_l("Choose the member or the user who takes the seat."), field="member")
    if member is not None and user is not None and user.member_id != member.id:
        raise DomainError(_l("Choose either a member or a user, not both."), field="member")
    if origin not in MANUAL_ORIGINS:
        raise DomainError(_l("Elected seats come from the election's result."), field="origin")
    if body.dissolved_on is not None:
        raise DomainError(_l("This body has been dissolved."))
    if member is None and body.kind in MEMBERS_ONLY:
        raise DomainError(TRIGGER_MESSAGES[ddl.MSG_MEMBERS], field="member")
    member_id = member.id if member is not None else None
    user_id = None if member is not None else getattr(user, "id", None)
    _check_seat(
        session, body=body, member_id=member_id, user_id=user_id,
        starts_on=starts_on, ends_on=ends_on,
    )  # fmt: skip
    seat = Seat(
        body_id=body.id, member_id=member_id, user_id=user_id, function=function, origin=origin,
        starts_on=starts_on, ends_on=ends_on, note=note.strip(),
        created_by_id=getattr(actor, "id", None),
    )  # fmt: skip
    _check_chair(session, body=body, function=function, seat=seat, starts_on=starts_on)
    session.add(seat)
    _flush(session)
    record_event(
        session, event_type="seat.added", actor=actor, object_type="seat", object_id=seat.id,
        payload={"body": body.id, "member": member_id, "user": user_id,
                 "function": function.value, "origin": origin.value,
                 "starts_on": starts_on.isoformat(),
                 "ends_on": ends_on.isoformat() if ends_on else None},
    )  # fmt: skip
    return seat


def end_term(session: Session, *, seat: Seat, ends_on: date, actor: Any) -> Seat:
    """End the seat's term on `ends_on` (its last day); the seat stays as history."""
    body = session.get(Body, seat.body_id)
    assert body is not None
    if ends_on < seat.starts_on:
        raise DomainError(_l("A term ends on or after the day it starts."), field="ends_on")
    _check_seat(
        session, body=body, member_id=seat.member_id, user_id=seat.user_id,
        starts_on=seat.starts_on, ends_on=ends_on, seat_id=seat.id,
    )  # fmt: skip
    before = seat.ends_on
    seat.ends_on = ends_on
    session.add(seat)
    _flush(session)
    record_event(
        session, event_type="seat.ended", actor=actor, object_type="seat", object_id=seat.id,
        payload={"body": body.id, "ends_on": ends_on.isoformat(),
                 "before": before.isoformat() if before else None},
    )  # fmt: skip
    return seat


def change_function(
    session: Session, *, seat: Seat, function: SeatFunction, actor: Any, day: date
) -> Seat:
    """Change the function of a seat whose term has not ended before `day`."""
    if seat.ends_on is not None and seat.ends_on < day:
        raise DomainError(_l("This term has ended; it stays as it was."))
    body = session.get(Body, seat.body_id)
    assert body is not None
    _check_chair(
        session, body=body, function=function, seat=seat, starts_on=max(seat.starts_on, day)
    )
    before = seat.function
    seat.function = function
    session.add(seat)
    _flush(session)
    record_event(
        session, event_type="seat.function_changed", actor=actor, object_type="seat",
        object_id=seat.id, payload={"body": body.id, "from": before.value, "to": function.value},
    )  # fmt: skip
    return seat


# --- reading -------------------------------------------------------------------------------


def holder_names(session: Session, seats: list[Seat]) -> dict[int, str]:
    """Each seat's holder by name: the member's name, or the user's for a user's seat."""
    member_ids = {s.member_id for s in seats if s.member_id is not None}
    user_ids = {s.user_id for s in seats if s.user_id is not None}
    members = {
        m.id: m.display_name
        for m in session.execute(select(Member).where(Member.id.in_(member_ids))).scalars()  # type: ignore[union-attr]
    }
    users = {
        u.id: u.display_name or u.email
        for u in session.execute(select(User).where(User.id.in_(user_ids))).scalars()  # type: ignore[union-attr]
    }
    return {
        int(s.id or 0): members.get(s.member_id, "") if s.member_id else users.get(s.user_id, "")
        for s in seats
    }


def body_seats(session: Session, *, body: Body, day: date) -> tuple[list[Seat], list[Seat]]:
    """The body's seats: (current and future, chair first; past, latest end first)."""
    seats = list(session.execute(select(Seat).where(Seat.body_id == body.id)).scalars())
    now = [s for s in seats if s.ends_on is None or s.ends_on >= day]
    past = [s for s in seats if s.ends_on is not None and s.ends_on < day]
    order = list(SeatFunction)
    now.sort(key=lambda s: (s.starts_on > day, order.index(s.function), s.starts_on, s.id or 0))
    past.sort(key=lambda s: (s.ends_on, s.id or 0), reverse=True)
    return now, past


def all_bodies(session: Session) -> list[Body]:
    """Every body: the single ones first, then committees and working groups by name."""
    order = list(BodyKind)
    bodies = list(session.execute(select(Body)).scalars())
    return sorted(bodies, key=lambda b: (b.dissolved_on is not None, order.index(b.kind), b.name))


def bodies_of(session: Session, *, user: Any) -> list[Body]:
    """The bodies the user sits or sat in (any term)."""
    ids = {s.body_id for s in user_seats(session, user=user)}
    return [b for b in all_bodies(session) if b.id in ids]
