"""Loading a body for a view: only its seats see it (404 or 403), through one gate; the
body's page and the management of bodies and seats are open to the managers as well.

A body's page, its meetings, circulars and room are closed to everyone outside it: the
current seats see and act; a former seat reads what belongs to their own term (`former=True`
loaders, read-only pages). Every view of the bodies' pages loads its body here.
"""

from __future__ import annotations

from typing import Any

from flask import abort
from flask_login import current_user

from governance.accounts.models import Role
from governance.bodies.models import Body, Seat
from governance.bodies.queries import seat_of, user_seats
from governance.i18n import today
from governance.security import role_required
from governance.web import db, get_or_404


def current_seat(body: Body, user: Any = None) -> Seat | None:
    """The user's (default: the current user's) seat in the body today, or None."""
    user = current_user if user is None else user
    if not getattr(user, "is_authenticated", False):
        return None
    return seat_of(db(), user=user, body_id=int(body.id or 0), day=today())


def former_seats(body: Body, user: Any = None) -> list[Seat]:
    """The user's past seats in the body (terms that ended before today)."""
    user = current_user if user is None else user
    day = today()
    seats = user_seats(db(), user=user)
    return [s for s in seats if s.body_id == body.id and s.ends_on is not None and s.ends_on < day]


def load_body(body_id: int, *, former: bool = False) -> Body:
    """The body, if the current user sits in it today (with `former`: or sat in it); else 403."""
    body = get_or_404(Body, body_id)
    if not current_user.is_authenticated:
        abort(403)
    if current_seat(body) is not None or (former and former_seats(body)):
        return body
    abort(403)


# Who manages the bodies and their seats (creates bodies, seats people, ends terms). Managers
# see every body's page and seats, but a body's room and circulars only if they sit in it.
MANAGERS = (Role.BOARD, Role.ADMIN)
manager_required = role_required(*MANAGERS)


def may_manage(user: Any = None) -> bool:
    """Whether the user (default: the current user) manages the bodies."""
    user = current_user if user is None else user
    return bool(getattr(user, "is_authenticated", False) and user.has_any_role(*MANAGERS))


def load_body_page(body_id: int) -> Body:
    """The body for its page: its current and former seats and the managers; else 403."""
    body = get_or_404(Body, body_id)
    if not current_user.is_authenticated:
        abort(403)
    if may_manage() or current_seat(body) is not None or former_seats(body):
        return body
    abort(403)
