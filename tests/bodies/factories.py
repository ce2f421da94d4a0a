"""Bodies and seats written directly to the database (committed), for the bodies' factory
fixtures (factories_circulars.py, rooms_factories.py, conftest_meetings.py): one way to add a
body or a seat, each fixture module choosing its defaults."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from governance.bodies.models import Body, BodyKind, Seat, SeatFunction, SeatOrigin
from governance.db import new_session
from tests.conftest import single_body


def add_body(engine: Any, kind: BodyKind, **fields: Any) -> Body:
    """The body of `kind` with these fields: the one board, supervisory board or representative
    assembly if it exists already (a BOARD user of make_user sits in it), else a new body."""
    with new_session(engine) as s:
        body = single_body(s, kind) or Body(kind=kind)
        for key, value in fields.items():
            setattr(body, key, value)
        s.add(body)
        s.commit()
        s.refresh(body)
        return body


def add_seat(
    engine: Any,
    body: Body,
    *,
    member_id: int | None = None,
    user_id: int | None = None,
    function: SeatFunction = SeatFunction.MEMBER,
    starts_on: date | None = None,
    ends_on: date | None = None,
) -> Seat:
    """An appointed seat in `body` for a member or a user outside the register; from a year
    ago unless `starts_on` says otherwise."""
    with new_session(engine) as s:
        seat = Seat(
            body_id=body.id,
            member_id=member_id,
            user_id=user_id,
            function=function,
            origin=SeatOrigin.APPOINTED,
            starts_on=starts_on or date.today() - timedelta(days=365),
            ends_on=ends_on,
        )
        s.add(seat)
        s.commit()
        s.refresh(seat)
        return seat
