"""Accessibility: axe-core finds no serious or critical violation on the login page, the
member's start page, the ballot pages and the results page; a member logs in and votes with
the keyboard alone.

The story (test_story.py) checks the same pages along the way; here the ballot forms of the
three kinds of poll are covered: a motion (radio group), an election of up to N candidates
(checkboxes) and an election with yes/no/abstain per candidate (a radio group per candidate).
Keys: Tab, Space and Enter; within a radio group the arrow keys (the standard pattern: Tab
enters the group, an arrow key moves the choice).
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from governance.ballots import choices as ch
from governance.ballots.models import Ballot, ElectionMode, Poll, PollKind, PollOption
from governance.ballots.publishing import publish_poll
from governance.ballots.services import close_poll
from governance.db import utcnow
from tests.conftest import PASSWORD
from tests.e2e.conftest import axe_violations
from tests.e2e.helpers import focus_by_tab, new_page
from tests.e2e.voting import BALLOT, CAST

pytestmark = pytest.mark.e2e


def _keyboard_login(page: Any, url: str, email: str) -> None:
    page.goto(url + "/login")
    assert axe_violations(page) == [], "the login page"
    focus_by_tab(page, "input[name=email]")
    page.keyboard.type(email)
    focus_by_tab(page, "input[name=password]")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(url + "/")


def _keyboard_cast(page: Any, url: str, poll_id: int, keys: list[tuple[str, str]]) -> str:
    """Open the ballot, press `keys` ((selector to reach by Tab, key) pairs), confirm, cast."""
    page.goto(f"{url}/polls/{poll_id}/vote")
    page.wait_for_selector(BALLOT)
    assert axe_violations(page) == [], f"the ballot page of poll {poll_id}"
    for selector, key in keys:
        focus_by_tab(page, selector)
        page.keyboard.press(key)
    focus_by_tab(page, f"{BALLOT} button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_selector(CAST)
    assert axe_violations(page) == [], "the confirmation page"
    focus_by_tab(page, f"{CAST} button[type=submit]")
    page.keyboard.press("Enter")
    tracker = page.locator("#trackers code.tracker")
    expect(tracker).to_have_count(1)
    return str(tracker.inner_text())


def _publish(world: Any, poll_id: int) -> None:
    with world.session() as s:
        poll = close_poll(s, poll=s.get(Poll, poll_id), actor=world.chair, now=utcnow())
        publish_poll(s, poll=poll, actor=world.chair, declaration="Angenommen.", now=utcnow())
        s.commit()


def test_axe_and_voting_with_the_keyboard_alone(live_server, browser, vote_world, make_poll, shots):
    url = live_server.url
    world = vote_world(members=3)
    motion = make_poll(world, title="Satzungsänderung")
    choose = make_poll(
        world, title="Wahl in den Aufsichtsrat", kind=PollKind.ELECTION,
        election_mode=ElectionMode.CHOOSE_UP_TO_N, seats=2, candidates=["Anna", "Ben", "Cem"],
    )  # fmt: skip
    per = make_poll(
        world, title="Wahl des Vorstands", kind=PollKind.ELECTION,
        election_mode=ElectionMode.YES_NO_ABSTAIN_PER_CANDIDATE, candidates=["Dora", "Emil"],
    )  # fmt: skip
    page = new_page(browser)
    _keyboard_login(page, url, world.users[0].email)
    expect(page.locator("#start-member")).to_be_visible()
    assert axe_violations(page) == [], "the member's start page"
    shots(page, "member-start-page")

    # Motion: Tab into the radio group (focus on "yes"), ArrowDown moves the choice to "no".
    _keyboard_cast(page, url, motion.id, [("input[name=choice]", "ArrowDown")])
    shots(page, "motion-cast-by-keyboard")
    # Up to two of three candidates: Tab to a checkbox, Space ticks it.
    boxes = "input[name=chosen][value='{}']"
    ids = [o.id for o in _options(world, choose.id)]
    _keyboard_cast(
        page, url, choose.id, [(boxes.format(ids[0]), "Space"), (boxes.format(ids[2]), "Space")]
    )
    # Yes/no/abstain per candidate: each group starts at "abstain"; ArrowUp moves to "no".
    per_ids = [o.id for o in _options(world, per.id)]
    _keyboard_cast(page, url, per.id, [(f"input[name=c{per_ids[0]}]", "ArrowUp")])
    shots(page, "election-cast-by-keyboard")

    _publish(world, motion.id)
    page.goto(f"{url}/polls/{motion.id}/results")
    expect(page.locator("#result-figures")).to_be_visible()
    assert axe_violations(page) == [], "the results page"
    shots(page, "results")
    _check_choices(world, motion.id, choose.id, per.id, ids, per_ids)


def _options(world: Any, poll_id: int) -> list[Any]:
    with world.session() as s:
        return list(
            s.scalars(
                select(PollOption).where(PollOption.poll_id == poll_id).order_by(PollOption.id)
            )
        )


def _check_choices(
    world: Any, motion: int, choose: int, per: int, ids: list[int], per_ids: list[int]
) -> None:
    """The keys chose what was meant: the stored ballots carry exactly these choices."""
    with world.session() as s:
        stored = {
            p: s.scalars(select(Ballot.choice).where(Ballot.poll_id == p)).all()
            for p in (motion, choose, per)
        }
    assert stored[motion] == ["NO"]
    assert stored[choose] == [ch.encode_choose([ids[0], ids[2]])]
    assert stored[per] == [ch.encode_per_candidate({per_ids[0]: "N", per_ids[1]: "A"})]


def _keyboard_live_cast(page: Any, url: str, assembly_id: int, keys: list[tuple[str, str]]) -> str:
    """On the live page's own ballot: press `keys`, confirm on the page, cast; the tracker."""
    page.goto(f"{url}/assemblies/{assembly_id}/live")
    form = "#live-ballot-form"
    expect(page.locator(form)).to_be_visible()
    assert axe_violations(page) == [], "the live page with its ballot"
    for selector, key in keys:
        focus_by_tab(page, f"{form} {selector}")
        page.keyboard.press(key)
    focus_by_tab(page, f"{form} button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("#live-ballot-confirm")).to_be_visible()
    assert axe_violations(page) == [], "the live page's confirmation"
    focus_by_tab(page, "#live-ballot-cast")
    page.keyboard.press("Enter")
    tracker = page.locator("#live-trackers code.tracker")
    expect(tracker).to_have_count(1)
    expect(page.locator("#live-ballot-receipt-heading")).to_be_focused()
    return str(tracker.inner_text())


def test_voting_on_the_live_page_with_the_keyboard_alone(
    live_server, browser, vote_world, make_poll, shots
):
    url = live_server.url
    world = vote_world(members=2)
    page = new_page(browser)
    _keyboard_login(page, url, world.users[0].email)
    a = world.assembly_id

    motion = make_poll(world, title="Satzungsänderung")
    # Continuing without a choice is refused on the page, with a message.
    page.goto(f"{url}/assemblies/{a}/live")
    page.click("#live-ballot-form button[type=submit]")
    expect(page.locator("#live-ballot-invalid")).to_be_visible()
    expect(page.locator("#live-ballot-confirm")).to_be_hidden()
    _keyboard_live_cast(page, url, a, [("input[name=choice]", "ArrowDown")])
    shots(page, "live-ballot-motion-tracker")
    page.reload()  # the page knows the vote is cast
    expect(page.locator("#live-ballot-voted")).to_be_visible()

    choose = make_poll(
        world, title="Wahl in den Aufsichtsrat", kind=PollKind.ELECTION,
        election_mode=ElectionMode.CHOOSE_UP_TO_N, seats=2, candidates=["Anna", "Ben", "Cem"],
    )  # fmt: skip
    ids = [o.id for o in _options(world, choose.id)]
    boxes = "input[name=chosen][value='{}']"
    _keyboard_live_cast(
        page, url, a, [(boxes.format(ids[0]), "Space"), (boxes.format(ids[2]), "Space")]
    )
    per = make_poll(
        world, title="Wahl des Vorstands", kind=PollKind.ELECTION,
        election_mode=ElectionMode.YES_NO_ABSTAIN_PER_CANDIDATE, candidates=["Dora", "Emil"],
    )  # fmt: skip
    per_ids = [o.id for o in _options(world, per.id)]
    _keyboard_live_cast(page, url, a, [(f"input[name=c{per_ids[0]}]", "ArrowUp")])
    shots(page, "live-ballot-election-tracker")
    _check_choices(world, motion.id, choose.id, per.id, ids, per_ids)
