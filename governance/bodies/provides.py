"""What the bodies domain answers for the domains below it (registered on import).

The accounts domain declares the start page's question in `governance/accounts/hooks.py`;
this module answers it, so that accounts never imports bodies.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session

from governance.accounts import hooks as account_hooks
from governance.accounts.models import Role
from governance.bodies.models import Body
from governance.bodies.queries import ROLE_KINDS, sat_expression, sits_in, user_seats


@account_hooks.seat_role_columns.register
def seat_role_columns(*, user_id: Any, member_id: Any, day: date) -> dict[Role, Any]:
    """BOARD and SUPERVISORY_BOARD: one correlated EXISTS each on the seats of `day`."""
    return {
        role: sits_in([kind], user_id=user_id, member_id=member_id, day=day)
        for role, kind in ROLE_KINDS.items()
    }


@account_hooks.sat_column.register
def sat_column(*, user_id: Any, member_id: Any) -> Any:
    """Whether that person holds or held a seat in any body: one correlated EXISTS."""
    return sat_expression(user_id=user_id, member_id=member_id)


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
