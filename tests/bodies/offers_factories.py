"""Factories of the seat offers' tests (imported by the tests that use them).

`make_body(kind, name)` and `make_seat(body, member=, starts_on=, ends_on=)` (from the rooms'
factories); `elected(names)` publishes an election (choose up to N) of a general assembly in
which every candidate of `names` is elected, and returns its poll id; `candidate(first, last,
locale=...)` is a member with a login (their email `<first>@example.org`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from governance.accounts.models import Role, User
from governance.ballots.choices import encode_choose
from governance.ballots.models import ElectionMode, Poll, PollKind, PollOption
from governance.ballots.publishing import publish_poll
from governance.ballots.services import close_poll
from governance.db import new_session, utcnow
from tests.bodies.rooms_factories import *  # noqa: F403  (make_body, make_seat, seated)
from tests.factories_ballots import cast


@pytest.fixture
def elected(vote_world: Any, make_poll: Any) -> Callable[..., int]:
    """elected(["Hanna Berger", ...], title=...): a published election; its poll id."""

    def _make(names: list[str], title: str = "Wahl zum Aufsichtsrat") -> int:
        world = vote_world(members=2)
        poll = make_poll(
            world, title=title, kind=PollKind.ELECTION, candidates=names, seats=len(names),
            election_mode=ElectionMode.CHOOSE_UP_TO_N,
        )  # fmt: skip
        with world.session() as s:
            option_ids = list(s.scalars(select(PollOption.id).where(PollOption.poll_id == poll.id)))
        for i in range(2):
            cast(world, poll.id, i, encode_choose(option_ids))
        with world.session() as s:
            close_poll(s, poll=s.get(Poll, poll.id), actor=world.chair, now=utcnow())
            publish_poll(
                s, poll=s.get(Poll, poll.id), actor=world.chair, declaration="Gewählt.",
                now=utcnow(),
            )  # fmt: skip
            s.commit()
        return int(poll.id)

    return _make


@pytest.fixture
def candidate(app: Flask, make_member: Any, make_user: Any) -> Callable[..., User]:
    """candidate("Hanna", "Berger", locale="de"): a member with a login (MEMBER role)."""

    def _make(first: str, last: str, locale: str = "de") -> User:
        email = f"{first.lower()}@example.org"
        member = make_member(first_names=first, last_name=last, email=email)
        user = make_user(roles=[Role.MEMBER], email=email, member_id=member.id)
        with new_session(app.extensions["governance.engine"]) as s:
            s.get(User, user.id).locale = locale
            s.commit()
        return user

    return _make
