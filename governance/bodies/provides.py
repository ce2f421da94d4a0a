"""What the bodies domain answers for the domains below it (registered on import).

The accounts domain declares the start page's question in `governance/accounts/hooks.py`;
this module answers it, so that accounts never imports bodies.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session

from governance.accounts import hooks as account_hooks
from governance.bodies.models import Body
from governance.bodies.queries import user_seats


@account_hooks.my_bodies.register
def my_bodies(session: Session, *, user: Any, day: date) -> list[dict[str, Any]]:
    """The user's seats on `day`: the body, the function, since when; by body name."""
    out = []
    for seat in user_seats(session, user=user, day=day):
        body = session.get(Body, seat.body_id)
        if body is not None:
            out.append(
                {"body_id": body.id, "name": body.name, "function": seat.function,
                 "since": seat.starts_on}
            )  # fmt: skip
    return sorted(out, key=lambda b: b["name"])
