"""Who sits where on a day: the read side of the seats, shared by every part of the bodies.

A person sits by member (`seat.member_id`, their login is the user linked to that member) or,
in a committee or working group, by user (`seat.user_id`). Terms include both end days.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import and_, exists, or_, select
from sqlmodel import Session

from governance.accounts.models import Role, User, loaded_sat
from governance.bodies.models import Body, BodyKind, Seat

# The roles that follow a seat in the body of that kind (issue #15).
ROLE_KINDS = {Role.BOARD: BodyKind.BOARD, Role.SUPERVISORY_BOARD: BodyKind.SUPERVISORY_BOARD}


def _current(day: date) -> Any:
    return and_(Seat.starts_on <= day, or_(Seat.ends_on.is_(None), Seat.ends_on >= day))  # type: ignore[union-attr]


def _of_user(user: Any) -> Any:
    """The seats held by `user`: as their member or as themselves."""
    member_id = getattr(user, "member_id", None)
    mine = Seat.user_id == user.id
    return or_(mine, Seat.member_id == member_id) if member_id is not None else mine


def seats_on(session: Session, *, body_id: int, day: date) -> list[Seat]:
    """The body's seats on `day`, chair first."""
    rows = session.execute(
        select(Seat).where(Seat.body_id == body_id, _current(day)).order_by(Seat.function, Seat.id)
    )
    return list(rows.scalars())


def user_seats(session: Session, *, user: Any, day: date | None = None) -> list[Seat]:
    """The user's seats in every body: on `day`, or all of them (past, current, future)."""
    if user is None or not getattr(user, "is_authenticated", False) or user.id is None:
        return []
    query = select(Seat).where(_of_user(user))
    if day is not None:
        query = query.where(_current(day))
    return list(session.execute(query.order_by(Seat.starts_on)).scalars())


def sat_anywhere(session: Session, *, user: Any) -> bool:
    """Whether the user holds or held a seat in any body (for the nav's link): as the user
    loader found it with the user, else one EXISTS."""
    if user is None or not getattr(user, "is_authenticated", False) or user.id is None:
        return False
    loaded = loaded_sat(user)
    if loaded is not None:
        return loaded
    return bool(session.scalar(select(exists().where(_of_user(user)))))


def sat_expression(*, user_id: Any, member_id: Any) -> Any:
    """An SQL boolean (a correlated EXISTS): the person of these user-id and member-id columns
    holds or held a seat in any body."""
    return exists().where(or_(Seat.user_id == user_id, Seat.member_id == member_id))


def seat_of(session: Session, *, user: Any, body_id: int, day: date) -> Seat | None:
    """The user's seat in the body on `day`, or None."""
    return next((s for s in user_seats(session, user=user, day=day) if s.body_id == body_id), None)


def seated_kinds(session: Session, *, user: Any, day: date) -> set[BodyKind]:
    """The kinds of the bodies the user sits in on `day` (roles follow seats)."""
    body_ids = {s.body_id for s in user_seats(session, user=user, day=day)}
    if not body_ids:
        return set()
    rows = session.execute(select(Body.kind).where(Body.id.in_(body_ids)))  # type: ignore[union-attr]
    return {BodyKind(k) for k in rows.scalars()}


def body_of_kind(session: Session, kind: BodyKind) -> Body | None:
    """The board, the supervisory board or the representative assembly (one of each)."""
    return session.execute(select(Body).where(Body.kind == kind)).scalars().first()


def sits_in(kinds: Iterable[BodyKind], *, user_id: Any, member_id: Any, day: date) -> Any:
    """An SQL boolean (a correlated EXISTS): the person of these user-id and member-id columns
    sits in a body of one of these kinds on `day` (by member, or by user outside the register)."""
    person = or_(Seat.user_id == user_id, Seat.member_id == member_id)
    return exists().where(
        Seat.body_id == Body.id,
        Body.kind.in_(list(kinds)),  # type: ignore[attr-defined]
        _current(day),
        person,
    )


def seated_users(kinds: Iterable[BodyKind], day: date) -> Any:
    """An SQL boolean on the `user` table: the user sits in a body of these kinds on `day`."""
    return sits_in(kinds, user_id=User.id, member_id=User.member_id, day=day)
