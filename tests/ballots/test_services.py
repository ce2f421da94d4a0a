"""Poll lifecycle through the services: open, cast, close + seal, count, publish, verify."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from governance.auditlog import AuditEvent
from governance.ballots.models import Ballot, Participation, Poll, PollState
from governance.ballots.publishing import publish_poll
from governance.ballots.services import close_poll
from governance.ballots.tally import compute_result
from governance.ballots.verify import verify_poll
from governance.db import utcnow
from governance.errors import DomainError
from tests.ballots.conftest import message
from tests.factories_ballots import add_mandate, cast


def _close(world, poll_id):
    with world.session() as s:
        poll = close_poll(s, poll=s.get(Poll, poll_id), actor=world.chair, now=utcnow())
        s.commit()
        return poll


def test_cast_close_seal_publish(vote_world, make_poll):
    world = vote_world(members=6)
    poll = make_poll(world)
    for i, choice in enumerate(["YES", "YES", "YES", "NO", "ABSTAIN"]):
        receipt = cast(world, poll.id, i, choice)
        assert len(receipt.trackers) == 1 and len(receipt.trackers[0]) == 16
    with pytest.raises(DomainError) as exc:
        cast(world, poll.id, 0, "NO")
    assert "already" in message(exc)
    sealed = _close(world, poll.id)
    assert sealed.state == PollState.SEALED and len(sealed.seal_root) == 64
    with world.session() as s:
        result = compute_result(s, poll=s.get(Poll, poll.id))
        assert result.counts == {"YES": 3, "NO": 1, "ABSTAIN": 1}
        assert (result.outcome, result.participants, result.roll_size) == ("ADOPTED", 5, 6)
        publish_poll(
            s, poll=s.get(Poll, poll.id), actor=world.chair, declaration="Angenommen.", now=utcnow()
        )
        s.commit()
        checks = verify_poll(s, poll=s.get(Poll, poll.id))
        assert all(c.ok for c in checks), checks
        types = s.scalars(
            select(AuditEvent.event_type).where(AuditEvent.object_type == "poll")
        ).all()
        assert types == [
            "poll.created",
            "poll.opened",
            "poll.closed",
            "poll.sealed",
            "poll.scrub_verified",  # the close's quick attempt proved the scrub
            "poll.published",
        ]


def test_proxy_casts_for_principal_once(vote_world, make_poll):
    world = vote_world(members=3, present=True)
    add_mandate(world, principal=2, proxy=1)
    poll = make_poll(world)
    cast(world, poll.id, 1, "YES")
    cast(world, poll.id, 2, "NO", proxy=1)
    with pytest.raises(DomainError) as exc:
        cast(world, poll.id, 2, "NO", proxy=1)
    assert "already" in message(exc)
    with pytest.raises(DomainError) as exc:
        cast(world, poll.id, 1, "NO", proxy=0)
    assert "proxy" in message(exc)
    with world.session() as s:
        n = s.scalar(select(func.count()).select_from(Participation))
        b = s.scalar(select(func.count()).select_from(Ballot))
        assert n == b == 2


def test_absent_member_cannot_vote(vote_world, make_poll):
    world = vote_world(members=2, present=False)
    poll = make_poll(world)
    with pytest.raises(DomainError) as exc:
        cast(world, poll.id, 0, "YES")
    assert "not present" in message(exc)


def test_casting_online_in_a_remote_assembly_is_taking_part(vote_world, make_poll):
    """§43b GenG: remote participants count as present. A member whose live page never got a
    heartbeat through joins online with their vote; in the room nobody does."""
    from governance.assemblies.attendance import present_channel
    from governance.assemblies.models import AssemblyForm, Channel

    world = vote_world(members=2, present=False, form=AssemblyForm.VIRTUAL)
    poll = make_poll(world)
    cast(world, poll.id, 0, "YES")
    with world.session() as s:
        channel = present_channel(
            s, assembly_id=world.assembly_id, member_id=world.member_ids[0], now=utcnow()
        )
        joined = s.scalars(
            select(AuditEvent.event_type).where(AuditEvent.event_type == "attendance.online_joined")
        ).all()
    assert channel == Channel.ONLINE and joined == ["attendance.online_joined"]


def test_state_machine_refuses_illegal_transitions():
    from governance.ballots.models import Poll, PollState
    from governance.errors import IllegalTransition

    poll = Poll(assembly_id=1, title="x")
    with pytest.raises(IllegalTransition):
        poll.close(now=utcnow())
    poll.open(now=utcnow())
    with pytest.raises(IllegalTransition):
        poll.open(now=utcnow())
    with pytest.raises(IllegalTransition):
        poll.publish(now=utcnow())
    poll.close(now=utcnow())
    poll.seal(now=utcnow(), root="0" * 64)
    poll.publish(now=utcnow())
    assert poll.state == PollState.PUBLISHED and poll.is_sealed
