"""Voting in many browser contexts at once, and with the keyboard alone; on the ballot pages
(ballot, confirmation, receipt) and on the live page's own ballot (static/js/live.js).

Playwright's sync API is not thread-safe, so one browser drives all contexts in an interleaved
loop: each phase starts the action in every context (a click only dispatches it; the pages load
concurrently in the browser and the server), then waits for each page's result. So every
context is open and casting within the same window.
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import axe_violations
from tests.e2e.helpers import focus_by_tab, go
from tests.e2e.story import VOTE_HREF

BALLOT = "#main form[method=post]:has(input[type=radio][name=voter])"  # every kind of ballot
CAST = "#main form[action$='/cast']"
ENCRYPTED = "#encrypted-ballot"  # the ballot page of an encrypted poll (encrypted_ballot.js)
ENCRYPTED_CAST = "#eb-cast"  # enabled once the page has encrypted the choice
ENCRYPT_WAIT = 60_000  # ms: encryption in a Web Worker, many pages at once on two cores
INLINE = "#live-ballot-form"
LIVE_WAIT = 30_000  # ms: the live page polls every 5 s, its state is cached for 3 s


def _choose(voter: Any, member_id: int) -> None:
    page = voter.page
    page.check(f"input[name=voter][value='{member_id}']")
    page.check(f"input[name=choice][value={voter.choice}]")
    page.click(f"{BALLOT} button[type=submit]", no_wait_after=True)


def _encrypted(page: Any) -> bool:
    return page.locator(ENCRYPTED).count() > 0


def _cast(page: Any) -> None:
    if _encrypted(page):  # the confirmation is on the ballot page, after the encryption
        expect(page.locator(ENCRYPTED_CAST)).to_be_enabled(timeout=ENCRYPT_WAIT)
        page.click(ENCRYPTED_CAST, no_wait_after=True)
        return
    page.wait_for_selector(CAST)
    page.click(f"{CAST} button[type=submit]", no_wait_after=True)


def _receipt(voter: Any) -> None:
    codes = voter.page.locator("#trackers code.tracker")
    expect(codes).to_have_count(1, timeout=ENCRYPT_WAIT)
    voter.trackers.append(codes.inner_text().strip())


def _inline_choose(voter: Any) -> None:
    """On the live page: choose, continue to the confirmation shown on the same page."""
    page = voter.page
    page.check(f"{INLINE} input[name=choice][value={voter.choice}]")
    page.click(f"{INLINE} button[type=submit]")
    expect(page.locator("#live-ballot-confirm")).to_be_visible()
    expect(page.locator("#live-ballot-choice")).not_to_be_empty()


def _inline_receipt(voter: Any) -> None:
    codes = voter.page.locator("#live-trackers code.tracker")
    expect(codes).to_have_count(1, timeout=ENCRYPT_WAIT)
    voter.trackers.append(codes.inner_text().strip())


def _open_ballot_page(voter: Any) -> None:
    """To the ballot page at the address of the live page's vote link (hidden where the live
    page shows the ballot itself: one call to action)."""
    go(voter.page, voter.page.locator("#live-vote").get_attribute("href"))


def _keyboard_vote(voter: Any, shots: Any) -> None:
    """On the ballot pages to the tracker with Tab, Space and Enter only (no clicks)."""
    page = voter.page
    _open_ballot_page(voter)
    page.wait_for_selector(BALLOT)
    assert axe_violations(page) == [], "the ballot page"
    shots(page, "member-ballot")
    focus_by_tab(page, f"input[name=choice][value={voter.choice}]")
    page.keyboard.press("Space")
    expect(page.locator(f"input[name=choice][value={voter.choice}]")).to_be_checked()
    focus_by_tab(page, f"{BALLOT} button[type=submit]")
    page.keyboard.press("Enter")
    if _encrypted(page):
        expect(page.locator(ENCRYPTED_CAST)).to_be_enabled(timeout=ENCRYPT_WAIT)
        shots(page, "member-confirm-encrypted")
        focus_by_tab(page, ENCRYPTED_CAST)
    else:
        page.wait_for_selector(CAST)
        shots(page, "member-confirm")
        focus_by_tab(page, f"{CAST} button[type=submit]")
    page.keyboard.press("Enter")
    _receipt(voter)
    shots(page, "member-tracker")


def vote_in_parallel(voters: list[Any], shots: Any) -> None:
    """Voter 0 votes by keyboard on the ballot pages; of the others, every second one (the
    proxy among them) votes on the live page, the rest on the ballot pages; the proxy then
    votes for the principal on the ballot page."""
    keyboard, others = voters[0], voters[1:]
    inline, paged = others[0::2], others[1::2]
    for v in voters:  # the live pages notice the open poll by themselves: the ballot shows
        link = v.page.locator("#live-vote")
        expect(link).to_have_attribute("href", VOTE_HREF, timeout=LIVE_WAIT)
        expect(v.page.locator(INLINE)).to_be_visible()
        expect(link).to_be_hidden()  # one call to action: the ballot on the page
    shots(keyboard.page, "member-live-poll-open")
    for v in paged:
        _open_ballot_page(v)
    for v in paged:
        v.page.wait_for_selector(BALLOT)
    shots.lap("ballots-loaded")
    for v in paged:
        _choose(v, v.member_id)
    for v in inline:
        _inline_choose(v)
    shots(inline[0].page, "member-live-ballot-confirm")
    shots.lap("choices-made")
    _keyboard_vote(keyboard, shots)
    for v in paged:
        _cast(v.page)
    for v in inline:
        v.page.click("#live-ballot-cast", no_wait_after=True)
    for v in paged:
        _receipt(v)
    for v in inline:
        _inline_receipt(v)
    shots(inline[0].page, "member-live-ballot-tracker")
    shots.lap("all-cast")
    for v in voters:
        if v.principal is not None:
            _vote_as_proxy(v, shots, on_live_page=v in inline)


def _vote_as_proxy(voter: Any, shots: Any, *, on_live_page: bool) -> None:
    """Back to the ballot: the proxy casts a separate ballot for the member they represent."""
    page = voter.page
    page.click("#live-ballot-proxy a" if on_live_page else "#main a[href$='/vote']")
    page.wait_for_selector(BALLOT)
    radios = page.locator("input[name=voter]")
    expect(radios).to_have_count(1)
    expect(radios).to_have_value(str(voter.principal.id))
    shots(page, "proxy-ballot-for-principal")
    _choose(voter, voter.principal.id)
    _cast(page)
    _receipt(voter)
