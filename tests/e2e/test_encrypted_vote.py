"""Voting in an encrypted poll in Chromium (issue #20): the live page encrypts the choice in a
Web Worker, shows the ballot's tracker, lets the member check a ballot first (its check file is
downloaded and accepted by coopvote.check_audit_file, and that ballot is never sent), encrypts
anew and casts; the ballot page does the same for a proxy's second member."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from governance import coopvote as cv
from governance.ballots.models import Ballot, ElectionMode, Majority, PollKind, PollOption
from governance.ballots.trackers import format_tracker
from tests.ballots.test_encrypted_cast import encrypted_poll
from tests.e2e.helpers import password_login
from tests.factories_ballots import add_mandate

pytestmark = pytest.mark.e2e


def _stored(world: Any) -> list[tuple[bytes, str, str]]:
    with world.session() as s:
        return [tuple(r) for r in s.execute(select(Ballot.tracker, Ballot.choice, Ballot.cipher))]


def _check_file(page: Any, prefix: str, key: cv.PollKey, choice: list[list[int]]) -> str:
    """Download the revealed ballot's check file; the independent check accepts it."""
    link = page.locator(f"#{prefix}-audit a[download]")
    expect(link).to_have_count(1)
    with page.expect_download() as info:
        link.click()
    data = json.loads(Path(info.value.path()).read_text())
    ballot = cv.check_audit_file(data, key)
    assert data["choices"] == choice
    return format_tracker(bytes.fromhex(ballot.tracker))


def test_a_member_checks_a_ballot_then_casts_on_the_live_page(
    live_server, browser, vote_world, make_poll, shots
):
    world = vote_world(members=1)
    _poll, key = encrypted_poll(world, make_poll)
    page = password_login(browser, live_server.url, world.users[0].email)
    page.goto(f"{live_server.url}/assemblies/{world.assembly_id}/live")
    fingerprint = cv.group4(cv.key_fingerprint(key.Y))
    expect(page.locator("#live-ballot-note")).to_contain_text(fingerprint)
    page.check("#live-ballot-form input[name=choice][value=NO]")
    page.click("#live-ballot-form button[type=submit]")
    shown = page.locator("#live-ballot-pretrackers code.tracker")
    expect(shown).to_have_count(1, timeout=30_000)
    checked = shown.inner_text()
    shots(page, "encrypted-ballot-tracker")
    page.click("#live-ballot-check")
    assert _check_file(page, "live-ballot", key, [[0, 1, 0]]) == checked
    expect(page.locator("#live-ballot-audit")).to_contain_text("Er enthielt: Nein.")
    # A new encryption of the same choice, with fresh randomness: another tracker.
    expect(shown).to_have_count(1, timeout=30_000)
    expect(shown).not_to_have_text(checked)
    fresh = shown.inner_text()
    shots(page, "encrypted-ballot-checked")
    page.click("#live-ballot-cast")
    expect(page.locator("#live-trackers code.tracker")).to_have_text([fresh], timeout=15_000)
    [(tracker, choice, cipher)] = _stored(world)
    assert format_tracker(tracker) == fresh != checked and choice == ""
    assert cv.check_ballot(key, cipher).tracker == tracker.hex()


def test_a_proxy_votes_for_a_member_on_the_ballot_page(
    live_server, browser, vote_world, make_poll, shots
):
    world = vote_world(members=2)
    add_mandate(world, principal=0, proxy=1)
    poll, key = encrypted_poll(world, make_poll)
    page = password_login(browser, live_server.url, world.users[1].email)
    page.goto(f"{live_server.url}/polls/{poll.id}/vote")
    expect(page.locator("#needs-js")).to_have_count(0)  # scripts run: no <noscript> text shown
    page.check(f"input[name=voter][value='{world.member_ids[0]}']")
    page.check("input[name=choice][value=ABSTAIN]")
    page.click("#eb-continue")
    shown = page.locator("#eb-pretrackers code.tracker")
    expect(shown).to_have_count(1, timeout=30_000)
    page.click("#eb-check")
    first = _check_file(page, "eb", key, [[0, 0, 1]])
    expect(shown).not_to_have_text(first, timeout=30_000)
    fresh = shown.inner_text()
    page.click("#eb-cast")
    expect(page.locator("#trackers code.tracker")).to_have_text([fresh], timeout=15_000)
    shots(page, "encrypted-ballot-page-receipt")
    [(tracker, choice, _cipher)] = _stored(world)
    assert format_tracker(tracker) == fresh and choice == ""


def test_elections_encrypt_the_chosen_candidates_one_ballot_per_vote(
    live_server, browser, vote_world, make_poll
):
    """The page's choice → 0/1 per option mapping, checked through the revealed ballot: a
    wrong order would encrypt a valid ballot for the wrong candidate."""
    world = vote_world(members=1, weights=[2])
    _poll, key = encrypted_poll(
        world,
        make_poll,
        multiple_votes=True,
        kind=PollKind.ELECTION,
        election_mode=ElectionMode.CHOOSE_UP_TO_N,
        seats=2,
        majority=Majority.RELATIVE,
        candidates=["Anna", "Bernd", "Carla"],
        title="Wahl zum Aufsichtsrat",
    )
    page = password_login(browser, live_server.url, world.users[0].email)
    page.goto(f"{live_server.url}/assemblies/{world.assembly_id}/live")
    page.check("#live-ballot-form label:has-text('Carla') input")
    page.check("#live-ballot-form label:has-text('Anna') input")
    page.click("#live-ballot-form button[type=submit]")
    shown = page.locator("#live-ballot-pretrackers code.tracker")
    expect(shown).to_have_count(2, timeout=60_000)  # two votes: two encryptions
    page.click("#live-ballot-check")
    links = page.locator("#live-ballot-audit a[download]")
    expect(links).to_have_count(2)
    with page.expect_download() as info:
        links.first.click()
    data = json.loads(Path(info.value.path()).read_text())
    cv.check_audit_file(data, key)
    assert data["choices"] == [[1, 0, 1, 0]]  # Anna, Carla; not abstaining
    expect(shown).to_have_count(2, timeout=60_000)
    page.click("#live-ballot-cast")
    expect(page.locator("#live-trackers code.tracker")).to_have_count(2, timeout=15_000)
    assert len(_stored(world)) == 2


def test_yes_no_abstain_per_candidate_on_the_ballot_page(
    live_server, browser, vote_world, make_poll
):
    world = vote_world(members=1)
    _poll, key = encrypted_poll(
        world,
        make_poll,
        kind=PollKind.ELECTION,
        election_mode=ElectionMode.YES_NO_ABSTAIN_PER_CANDIDATE,
        candidates=["Dora", "Emil"],
        title="Wahl des Vorstands",
    )
    page = password_login(browser, live_server.url, world.users[0].email)
    page.goto(f"{live_server.url}/polls/{_poll.id}/vote")
    with world.session() as s:
        dora, emil = s.scalars(
            select(PollOption.id)
            .where(PollOption.poll_id == _poll.id)
            .order_by(PollOption.position)
        ).all()
    page.check(f"input[name=c{dora}][value=N]")
    page.check(f"input[name=c{emil}][value=Y]")
    page.click("#eb-continue")
    expect(page.locator("#eb-pretrackers code.tracker")).to_have_count(1, timeout=30_000)
    page.click("#eb-check")
    link = page.locator("#eb-audit a[download]")
    with page.expect_download() as info:
        link.click()
    data = json.loads(Path(info.value.path()).read_text())
    cv.check_audit_file(data, key)
    assert data["choices"] == [[0, 1, 0], [1, 0, 0]]  # Dora: no, Emil: yes


def test_an_explicit_abstention_in_an_election_on_the_ballot_page(
    live_server, browser, vote_world, make_poll
):
    world = vote_world(members=1)
    poll, key = encrypted_poll(
        world,
        make_poll,
        kind=PollKind.ELECTION,
        election_mode=ElectionMode.CHOOSE_UP_TO_N,
        seats=1,
        majority=Majority.RELATIVE,
        candidates=["Anna", "Bernd"],
        title="Wahl zum Aufsichtsrat",
    )
    page = password_login(browser, live_server.url, world.users[0].email)
    page.goto(f"{live_server.url}/polls/{poll.id}/vote")
    page.check("input[name=chosen][value='0']")
    page.click("#eb-continue")
    expect(page.locator("#eb-pretrackers code.tracker")).to_have_count(1, timeout=30_000)
    page.click("#eb-check")
    with page.expect_download() as info:
        page.locator("#eb-audit a[download]").click()
    data = json.loads(Path(info.value.path()).read_text())
    cv.check_audit_file(data, key)
    assert data["choices"] == [[0, 0, 1]]  # no candidate, the abstention ciphertext 1
