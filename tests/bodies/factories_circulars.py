"""Factories for the circular-resolution tests: bodies, seats with a login, a sent circular.

Imported by the test modules (not tests/conftest.py). Seats are created directly in the
database, as the bodies' own services may not be there yet.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask

from governance.accounts.models import Role, User
from governance.bodies import circular_render, circulars
from governance.bodies.models import Body, BodyKind, CircularRule, SeatFunction
from governance.bodies.models_circulars import Circular
from governance.db import utcnow
from governance.i18n import today
from tests.bodies.factories import add_body, add_seat

__all__ = ["Person", "make_body", "make_seat", "no_notice", "seated", "send", "vote"]


@dataclass(frozen=True)
class Person:
    """A seated person: their login and their seat."""

    user: User
    seat_id: int

    @property
    def id(self) -> int:
        return int(self.user.id or 0)

    @property
    def email(self) -> str:
        return self.user.email


@pytest.fixture
def make_body(app: Flask) -> Callable[..., Body]:
    """make_body(kind=BodyKind.BOARD, name=None, rule=CircularRule...)."""

    def _make(
        kind: BodyKind = BodyKind.BOARD,
        name: str | None = None,
        rule: CircularRule = CircularRule.NO_OBJECTION_MAJORITY_OF_SEATS,
    ) -> Body:
        engine = app.extensions["governance.engine"]
        return add_body(engine, kind, name=name or kind.value.title(), circular_rule=rule)

    return _make


@pytest.fixture
def make_seat(
    app: Flask, make_member: Callable[..., Any], make_user: Callable[..., User]
) -> Callable[..., Person]:
    """make_seat(body, function=MEMBER, starts_on=..., ends_on=None, member=True): a new
    person (a member with a login, or a user without a member) seated in `body`; returns
    a Person (user and seat_id)."""

    def _make(
        body: Body,
        function: SeatFunction = SeatFunction.MEMBER,
        starts_on: date | None = None,
        ends_on: date | None = None,
        member: bool = True,
    ) -> Person:
        member_id = make_member().id if member else None
        user = make_user(roles=[Role.MEMBER], member_id=member_id)
        seat = add_seat(
            app.extensions["governance.engine"], body, member_id=member_id,
            user_id=None if member else user.id, function=function,
            starts_on=starts_on or date(2024, 1, 1), ends_on=ends_on,
        )  # fmt: skip
        return Person(user, int(seat.id or 0))

    return _make


@pytest.fixture
def seated(make_body: Callable[..., Body], make_seat: Callable[..., Person]) -> Callable[..., Any]:
    """seated(n=3, kind=BOARD, rule=...): a body with a chair and n-1 further seats."""

    def _make(
        n: int = 3,
        kind: BodyKind = BodyKind.BOARD,
        rule: CircularRule = CircularRule.NO_OBJECTION_MAJORITY_OF_SEATS,
    ) -> tuple[Body, list[Person]]:
        body = make_body(kind=kind, rule=rule)
        users = [make_seat(body, function=SeatFunction.CHAIR)]
        users += [make_seat(body) for _ in range(n - 1)]
        return body, users

    return _make


def no_notice(_circular: Circular, user: User) -> tuple[str, str]:
    return "subject", f"text for {user.email}"


@pytest.fixture
def send(app: Flask) -> Callable[..., Circular]:
    """send(session, body, chair, deadline=+2 days, now=now): a circular through the service."""

    def _send(
        session: Any,
        body: Body,
        chair: Person,
        *,
        now: datetime | None = None,
        deadline: timedelta = timedelta(days=2),
        title: str = "Dachsanierung beauftragen",
        day: date | None = None,
    ) -> Circular:
        now = now or utcnow()
        circular = circulars.send_circular(
            session,
            body=session.get(Body, body.id),
            sender=session.get(User, chair.id),
            title=title,
            motion="Der Vorstand beauftragt die Dachsanierung **Haus B**.",
            reasoning="Das Dach ist undicht.",
            deadline=now + deadline,
            now=now,
            day=day or today(),
            notice=no_notice,
        )
        session.commit()
        return circular

    return _send


@pytest.fixture
def vote(app: Flask) -> Callable[..., Any]:
    """vote(session, circular, user, choice, now=now): a vote through the service."""

    def _vote(session: Any, circular: Circular, user: Person, choice: Any, now: Any = None) -> Any:
        result = circulars.cast_vote(
            session,
            circular=circular,
            user=session.get(User, user.id),
            choice=choice,
            now=now or utcnow(),
            day=today(),
            render=circular_render.pdf,
        )
        session.commit()
        return result

    return _vote
