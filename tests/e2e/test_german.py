"""German on the live page's own ballot, which live_ballot.js builds in the browser (the Flask
crawl of tests/test_german.py does not run scripts): an election for one seat says "Höchstens 1
ankreuzen", not "Bis zu 1 wählen" (a wording that reads for every number of seats)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from governance.ballots.models import ElectionMode, PollKind
from governance.ballots.services import close_poll
from governance.db import utcnow
from tests.e2e.helpers import password_login

pytestmark = pytest.mark.e2e


def test_the_live_ballot_counts_seats_in_german(live_server, browser, vote_world, make_poll):
    world = vote_world(members=1)
    one = make_poll(
        world, title="Nachwahl zum Aufsichtsrat", kind=PollKind.ELECTION,
        election_mode=ElectionMode.CHOOSE_UP_TO_N, seats=1, candidates=["Anna", "Ben"],
    )  # fmt: skip
    page = password_login(browser, live_server.url, world.users[0].email)
    page.goto(f"{live_server.url}/assemblies/{world.assembly_id}/live")
    legend = page.locator("#live-ballot-form legend").first
    expect(legend).to_have_text("Höchstens 1 ankreuzen")
    with world.session() as s:
        from governance.ballots.models import Poll

        close_poll(s, poll=s.get(Poll, one.id), actor=world.chair, now=utcnow())
        s.commit()
    make_poll(
        world, title="Wahl in den Aufsichtsrat", kind=PollKind.ELECTION,
        election_mode=ElectionMode.CHOOSE_UP_TO_N, seats=2, candidates=["Anna", "Ben", "Cem"],
    )  # fmt: skip
    page.reload()
    expect(legend).to_have_text("Höchstens 2 ankreuzen")
