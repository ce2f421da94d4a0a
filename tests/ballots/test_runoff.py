"""A tied election offers a run-off (Stichwahl) before it can be declared (issue #16, part 6):
a draft in the same assembly with the tied candidates, for the seats still open."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from governance.assemblies.models import Assembly, AssemblyState
from governance.ballots import choices as ch
from governance.ballots.models import ElectionMode, Majority, Poll, PollKind, PollState
from governance.ballots.publishing import publish_poll
from governance.ballots.runoff import create_runoff, needs_runoff, runoff_of
from governance.ballots.services import close_poll, options_of
from governance.ballots.tally import compute_result
from governance.db import utcnow
from governance.errors import DomainError
from tests.ballots.conftest import message
from tests.factories_ballots import cast


def _tied(world, make_poll):
    """Two seats; Anna 2 votes, Ben and Cem 1 each: Anna elected, Ben and Cem tied."""
    poll = make_poll(
        world, kind=PollKind.ELECTION, election_mode=ElectionMode.CHOOSE_UP_TO_N, seats=2,
        majority=Majority.RELATIVE, candidates=["Anna", "Ben", "Cem"], title="Aufsichtsrat",
        secret=True,
    )  # fmt: skip
    with world.session() as s:
        anna, ben, cem = [o.id for o in options_of(s, poll_id=poll.id)]
    cast(world, poll.id, 0, ch.encode_choose([anna, ben]))
    cast(world, poll.id, 1, ch.encode_choose([anna, cem]))
    with world.session() as s:
        close_poll(s, poll=s.get(Poll, poll.id), actor=None, now=utcnow())
        s.commit()
    return poll


def test_a_tie_is_declared_only_after_its_run_off_is_created(vote_world, make_poll):
    world = vote_world(members=3)
    poll = _tied(world, make_poll)
    with world.session() as s:
        tied = s.get(Poll, poll.id)
        result = compute_result(s, poll=tied)
        assert (result.elected, result.tied) == (["Anna"], ["Ben", "Cem"])
        assert needs_runoff(s, poll=tied, result=result)
        with pytest.raises(DomainError) as exc:
            publish_poll(s, poll=tied, actor=None, declaration="x", now=utcnow())
        assert "create the run-off first" in message(exc)
        s.rollback()
        runoff = create_runoff(s, poll=s.get(Poll, poll.id), result=result, actor=world.chair)
        s.commit()
        assert runoff.state == PollState.DRAFT and runoff.assembly_id == world.assembly_id
        assert (runoff.kind, runoff.election_mode) == (
            PollKind.ELECTION,
            ElectionMode.CHOOSE_UP_TO_N,
        )
        assert runoff.seats == 1 and runoff.secret and runoff.title == "Run-off: Aufsichtsrat"
        assert [o.label for o in options_of(s, poll_id=runoff.id)] == ["Ben", "Cem"]
        assert runoff_of(s, poll_id=poll.id).id == runoff.id
        with pytest.raises(DomainError):  # one run-off only
            create_runoff(s, poll=s.get(Poll, poll.id), result=result, actor=None)
        s.rollback()
        published = publish_poll(
            s, poll=s.get(Poll, poll.id), actor=None, declaration="Stichwahl folgt.", now=utcnow()
        )
        s.commit()
        assert published.outcome == "TIE"


def test_the_database_allows_one_run_off_per_election(vote_world, make_poll):
    world = vote_world(members=3)
    poll = _tied(world, make_poll)
    first, second = make_poll(world, open=False), make_poll(world, open=False)
    sql = "UPDATE poll SET runoff_of_id = :t WHERE id = :p"
    with world.engine.begin() as conn:
        conn.execute(text(sql), {"t": poll.id, "p": first.id})
    with (
        pytest.raises(IntegrityError, match=r"(?i)unique|uq_poll_runoff"),
        world.engine.begin() as conn,
    ):
        conn.execute(text(sql), {"t": poll.id, "p": second.id})


def test_after_the_assembly_the_tie_is_declared_as_it_stands(vote_world, make_poll):
    world = vote_world(members=3)
    poll = _tied(world, make_poll)
    with world.session() as s:
        assembly = s.get(Assembly, world.assembly_id)
        assembly.state, assembly.closed_at = AssemblyState.CLOSED, utcnow()
        s.commit()
        tied = s.get(Poll, poll.id)
        assert not needs_runoff(s, poll=tied, result=compute_result(s, poll=tied))
        publish_poll(s, poll=tied, actor=None, declaration="Das Los entscheidet.", now=utcnow())


def test_a_motion_or_a_clear_election_needs_no_run_off(vote_world, make_poll):
    world = vote_world(members=2)
    motion = make_poll(world)
    cast(world, motion.id, 0, "YES")
    cast(world, motion.id, 1, "NO")  # a tie, but a motion: not adopted
    with world.session() as s:
        close_poll(s, poll=s.get(Poll, motion.id), actor=None, now=utcnow())
        s.commit()
        tied = s.get(Poll, motion.id)
        result = compute_result(s, poll=tied)
        assert result.outcome == "TIE" and not needs_runoff(s, poll=tied, result=result)
        with pytest.raises(DomainError):
            create_runoff(s, poll=tied, result=result, actor=None)


def test_the_declare_page_offers_the_run_off_first(vote_world, make_poll, login):
    world = vote_world(members=3)
    poll = _tied(world, make_poll)
    chair = login(world.chair)
    page = chair.get(f"/polls/{poll.id}/declare").text
    assert "Tie between Ben, Cem." in page and f"/polls/{poll.id}/runoff" in page
    assert 'name="declaration"' not in page  # no declaration before the run-off
    r = chair.post(f"/polls/{poll.id}/runoff")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/polls/{poll.id}/declare")
    page = chair.get(f"/polls/{poll.id}/declare").text
    assert "The run-off is prepared:" in page and "Run-off: Aufsichtsrat" in page
    assert 'name="declaration"' in page and f"/polls/{poll.id}/runoff" not in page
    r = chair.post(f"/polls/{poll.id}/declare", data={"declaration": "Stichwahl.", "confirm": "y"})
    assert r.status_code == 302
    with world.session() as s:
        assert s.get(Poll, poll.id).state == PollState.PUBLISHED
