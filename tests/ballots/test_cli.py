"""`governance ballots close-due | open-due | verify`."""

from __future__ import annotations

from datetime import timedelta

from governance.assemblies.models import AssemblyForm
from governance.ballots.models import Poll, PollState
from governance.db import utcnow
from tests.factories_ballots import cast


def test_close_due_and_verify(app, vote_world, make_poll):
    world = vote_world(members=2)
    poll = make_poll(world)
    cast(world, poll.id, 0, "YES")
    with world.session() as s:
        s.get(Poll, poll.id).auto_close_at = utcnow() - timedelta(minutes=1)
        s.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["ballots", "close-due"])
    assert result.exit_code == 0 and f"[{poll.id}]" in result.output
    with world.session() as s:
        assert s.get(Poll, poll.id).state == PollState.SEALED
    result = runner.invoke(args=["ballots", "verify", str(poll.id)])
    assert result.exit_code == 0 and "ok  merkle_root" in result.output
    assert runner.invoke(args=["ballots", "verify", "999"]).exit_code == 1


def test_open_due_opens_the_voting_phase(app, vote_world, make_poll):
    world = vote_world(members=2, form=AssemblyForm.STRETCHED, present=False)
    poll = make_poll(world, open=False)
    result = app.test_cli_runner().invoke(args=["ballots", "open-due"])
    assert result.exit_code == 0 and f"[{poll.id}]" in result.output
    with world.session() as s:
        opened = s.get(Poll, poll.id)
        assert opened.state == PollState.OPEN and opened.auto_close_at is not None
