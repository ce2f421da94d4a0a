"""Factories for meetings of a body (imported by the tests that use them, not a conftest).

`make_body(kind=BodyKind.BOARD, name=None, **fields)` and `make_seat(body, member=None,
user=None, function=SeatFunction.MEMBER, starts_on=None, ends_on=None)` create rows directly
(committed). `make_meeting(body, state=..., members=None, **fields)` is `make_assembly` for a
meeting of the body: its `body` enum follows the body's kind and, from CONVENED on, its roll
is the body's seats on the record date (unless `members` is given).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask

from governance.assemblies.body_meetings import KIND_OF, seat_members
from governance.assemblies.models import Assembly, AssemblyState
from governance.bodies.models import Body, BodyKind, Seat, SeatFunction
from governance.db import new_session, utcnow
from tests.bodies.factories import add_body, add_seat

NAMES = {
    BodyKind.BOARD: "Vorstand",
    BodyKind.SUPERVISORY_BOARD: "Aufsichtsrat",
    BodyKind.COMMITTEE: "Prüfungsausschuss",
    BodyKind.WORKING_GROUP: "AG Neubau",
    BodyKind.REPRESENTATIVE_ASSEMBLY: "Vertreterversammlung",
}


@pytest.fixture
def make_body(app: Flask) -> Callable[..., Body]:
    def _make(kind: BodyKind = BodyKind.BOARD, name: str | None = None, **fields: Any) -> Body:
        engine = app.extensions["governance.engine"]
        return add_body(engine, kind, **{"name": name or NAMES[kind], **fields})

    return _make


@pytest.fixture
def make_seat(app: Flask) -> Callable[..., Seat]:
    def _make(
        body: Body,
        member: Any = None,
        user: Any = None,
        function: SeatFunction = SeatFunction.MEMBER,
        starts_on: date | None = None,
        ends_on: date | None = None,
    ) -> Seat:
        return add_seat(
            app.extensions["governance.engine"], body, member_id=getattr(member, "id", None),
            user_id=getattr(user, "id", None), function=function, starts_on=starts_on,
            ends_on=ends_on,
        )  # fmt: skip

    return _make


@pytest.fixture
def make_meeting(app: Flask, make_assembly: Callable[..., Assembly]) -> Callable[..., Assembly]:
    def _make(
        body: Body, state: AssemblyState = AssemblyState.DRAFT, members: Any = None, **fields: Any
    ) -> Assembly:
        if members is None and state != AssemblyState.DRAFT:
            in_session = state not in (AssemblyState.DRAFT, AssemblyState.CONVENED)
            # the record date make_assembly gives: the day of convening
            ago = timedelta(days=21, hours=1) if in_session else timedelta(0)
            record = (utcnow() - ago).date()
            with new_session(app.extensions["governance.engine"]) as s:
                members = seat_members(s, body_id=int(body.id or 0), day=record)
        fields.setdefault("title", f"Sitzung {body.name}")
        return make_assembly(
            state=state, members=members, body=KIND_OF[body.kind], body_id=body.id, **fields
        )

    return _make
