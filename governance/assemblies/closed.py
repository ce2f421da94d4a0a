"""Who belongs to a meeting of a body (board, supervisory board, committee, delegates).

The one gate (`Assembly.can_see` and the predicates beside it) asks this module for a meeting
with a `body_id`: the user's seat in that body today (the seats are the body, so a term that
ended yesterday closes the meeting today) and the meeting's guest list. The assembly's own
session answers (`object_session`): the gate stays a predicate on the model that every
domain's loader calls, without a session argument. A detached assembly has no session to ask
and the answer is "no": a closed meeting stays closed when in doubt.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import object_session

from governance.assemblies.guests import MeetingGuest
from governance.bodies.models import Seat, SeatFunction
from governance.bodies.queries import seat_of
from governance.i18n import today

LEADING = (SeatFunction.CHAIR, SeatFunction.DEPUTY)


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "id", None))


def seat_today(assembly: Any, user: Any) -> Seat | None:
    """The user's seat today in the body whose meeting this is, or None."""
    session = object_session(assembly)
    if session is None or assembly.body_id is None or not _authenticated(user):
        return None
    return seat_of(session, user=user, body_id=assembly.body_id, day=today())  # type: ignore[arg-type]


def is_guest(assembly: Any, user: Any) -> bool:
    """Whether the body invited the user to this meeting."""
    session = object_session(assembly)
    if session is None or assembly.id is None or not _authenticated(user):
        return False
    query = select(MeetingGuest.id).where(
        MeetingGuest.assembly_id == assembly.id, MeetingGuest.user_id == user.id
    )
    return session.execute(query).first() is not None


def leads_with(seat: Seat | None, kind: str) -> bool:
    """Whether this seat leads a body of this kind: chair or deputy; on the board every seat
    (the board acts as a whole, §§24, 27 GenG)."""
    return seat is not None and (seat.function in LEADING or kind == "BOARD")


def leads(assembly: Any, user: Any) -> bool:
    """The body's leaders today prepare, convene and run the body's meetings."""
    return leads_with(seat_today(assembly, user), str(assembly.body))
