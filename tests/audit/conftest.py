"""Helpers of the audit tests."""

from __future__ import annotations

from typing import Any

import pytest
from flask_babel import force_locale
from sqlmodel import Session

from governance.audit.checks import Check, Report
from governance.ballots.models import Poll, PollKind
from governance.ballots.paper import register_room_voter, set_paper_counts
from governance.ballots.publishing import publish_poll
from governance.ballots.services import close_poll, options_of
from governance.db import utcnow
from tests.factories_ballots import World, add_mandate, cast


def texts(check: Check) -> list[str]:
    """The check's differences rendered in English."""
    with force_locale("en"):
        return [str(d) for d in check.differences]


def failed(report: Report) -> dict[str, list[str]]:
    """`section:code` -> rendered differences, for every failed check."""
    return {f"{s.key}:{c.code}": texts(c) for s, c in report.failures}


# --- a real poll: cast online, by proxy and on paper; closed, sealed and published ----------


def finish(world: World, poll_id: int, *, paper: dict[str, int] | None = None) -> None:
    """Close (and seal) the poll, enter the paper count, publish the result."""
    with world.session() as s:
        poll = s.get(Poll, poll_id)
        close_poll(s, poll=poll, actor=world.chair, now=utcnow())
        if paper is not None:
            set_paper_counts(s, poll=poll, counts=paper, actor=world.chair)
        publish_poll(s, poll=poll, actor=world.chair, declaration="Festgestellt.", now=utcnow())
        s.commit()


def on_paper(world: World, poll_id: int, i: int) -> None:
    """Member i hands in a paper ballot in the room."""
    with world.session() as s:
        poll = s.get(Poll, poll_id)
        member = world.member_ids[i]
        register_room_voter(s, poll=poll, member_id=member, cast_by_member_id=member, now=utcnow())
        s.commit()


@pytest.fixture
def motion(vote_world: Any, make_poll: Any) -> tuple[World, int]:
    """A published motion of 7 members: 3 online, 1 by proxy, 1 on paper, 2 did not vote."""
    world = vote_world(members=7)
    add_mandate(world, principal=4, proxy=0)
    poll = make_poll(world, title="Satzungsänderung", majority="THREE_QUARTERS")
    for i, choice in [(0, "YES"), (1, "YES"), (2, "NO")]:
        cast(world, poll.id, i, choice)
    cast(world, poll.id, 4, "YES", proxy=0)
    on_paper(world, poll.id, 3)
    finish(world, poll.id, paper={"YES": 1})
    return world, poll.id


@pytest.fixture
def election(vote_world: Any, make_poll: Any) -> tuple[World, int]:
    """A published election of two seats among three candidates (choose up to two)."""
    world = vote_world(members=5)
    poll = make_poll(
        world,
        title="Wahl zum Aufsichtsrat",
        kind=PollKind.ELECTION,
        election_mode="CHOOSE_UP_TO_N",
        majority="RELATIVE",
        seats=2,
        candidates=["Anna", "Bernd", "Clara"],
    )
    with world.session() as s:
        a, b, c = (o.id for o in options_of(s, poll_id=poll.id))
    for i, choice in enumerate([f"{a},{b}", f"{a}", f"{b},{c}", "ABSTAIN"]):
        cast(world, poll.id, i, choice)
    finish(world, poll.id)
    return world, poll.id


def poll_of(session: Session, poll_id: int) -> Poll:
    poll = session.get(Poll, poll_id)
    assert poll is not None
    return poll
