"""The live page's ballot when the network fails: a cast that never reached the server is sent
again (static/js/live_ballot.js); when every try fails the member is told, nothing is stored,
and casting again works."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from governance.ballots.models import Ballot, Participation
from tests.e2e.helpers import password_login

pytestmark = pytest.mark.e2e


class Flaky:
    """Aborts the first `failures` cast requests as a reset connection, lets the rest through."""

    def __init__(self, failures: int) -> None:
        self.failures, self.seen = failures, 0

    def __call__(self, route: Any) -> None:
        self.seen += 1
        if self.seen <= self.failures:
            route.abort("connectionreset")
        else:
            route.continue_()


def _stored(world: Any) -> tuple[int, int]:
    with world.session() as s:
        return (
            int(s.scalar(select(func.count()).select_from(Participation)) or 0),
            int(s.scalar(select(func.count()).select_from(Ballot)) or 0),
        )


def _confirmed(live_server: Any, browser: Any, world: Any, poll: Any, flaky: Any) -> Any:
    """The member on the live page with a flaky network, the choice confirmed, not cast yet."""
    page = password_login(browser, live_server.url, world.users[0].email)
    page.goto(f"{live_server.url}/assemblies/{world.assembly_id}/live")
    page.route(f"**/polls/{poll.id}/cast", flaky)
    page.check("#live-ballot-form input[name=choice][value=NO]")
    page.click("#live-ballot-form button[type=submit]")
    expect(page.locator("#live-ballot-confirm")).to_be_visible()
    return page


def test_a_lost_cast_request_is_sent_again(live_server, browser, vote_world, make_poll, shots):
    world = vote_world(members=1)
    flaky = Flaky(failures=2)
    page = _confirmed(live_server, browser, world, make_poll(world), flaky)
    page.click("#live-ballot-cast")
    expect(page.locator("#live-trackers code.tracker")).to_have_count(1, timeout=15_000)
    shots(page, "cast-after-two-lost-requests")
    assert flaky.seen == 3
    assert _stored(world) == (1, 1)


def test_when_every_try_fails_the_member_is_told_and_can_cast_again(
    live_server, browser, vote_world, make_poll, shots
):
    world = vote_world(members=1)
    flaky = Flaky(failures=3)
    page = _confirmed(live_server, browser, world, make_poll(world), flaky)
    page.click("#live-ballot-cast")
    expect(page.locator("#live-ballot-error")).to_be_visible(timeout=15_000)
    expect(page.locator("#live-ballot-confirm")).to_be_visible()  # the choice is kept
    shots(page, "cast-failed")
    assert flaky.seen == 3 and _stored(world) == (0, 0)
    page.click("#live-ballot-cast")  # the network is back
    expect(page.locator("#live-trackers code.tracker")).to_have_count(1)
    assert _stored(world) == (1, 1)


def test_the_ballot_says_when_the_poll_closes(live_server, browser, vote_world, make_poll):
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from governance.ballots.models import Poll
    from governance.ballots.services import open_poll
    from governance.db import utcnow

    world = vote_world(members=1)
    poll = make_poll(world, open=False)
    closes = utcnow() + timedelta(hours=2)
    with world.session() as s:
        open_poll(
            s, poll=s.get(Poll, poll.id), actor=world.chair, now=utcnow(), auto_close_at=closes
        )
        s.commit()
    page = password_login(browser, live_server.url, world.users[0].email)
    page.goto(f"{live_server.url}/assemblies/{world.assembly_id}/live")
    note = page.locator("#live-ballot-closes")
    expect(note).to_be_visible()
    berlin = closes.astimezone(ZoneInfo("Europe/Berlin")).strftime("%H:%M")
    expect(note).to_contain_text("Schließt automatisch")
    expect(note).to_contain_text(berlin)


def test_a_lost_answer_ends_in_you_have_voted(live_server, browser, vote_world, make_poll):
    """The first try reaches the server (the vote is stored) but its answer is lost: the
    retry is told the vote is in, and the page says so instead of offering the ballot."""

    def lose_first_answer(route: Any) -> None:
        flaky.seen += 1
        if flaky.seen == 1:
            route.fetch()  # the server stores the vote ...
            route.abort("connectionreset")  # ... and the answer never arrives
        else:
            route.continue_()

    world = vote_world(members=1)
    flaky = Flaky(failures=0)
    page = _confirmed(live_server, browser, world, make_poll(world), lose_first_answer)
    page.click("#live-ballot-cast")
    expect(page.locator("#live-ballot-voted")).to_be_visible(timeout=15_000)
    expect(page.locator("#live-ballot-error")).to_contain_text("bereits")
    expect(page.locator("#live-ballot-form")).to_be_hidden()
    assert flaky.seen == 2 and _stored(world) == (1, 1)
