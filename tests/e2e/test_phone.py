"""Phone first: every page each role may open fits a 390 px wide phone, with tap targets of
44 px and no serious or critical axe violation; a member votes on the phone.

The pages come from the app's URL map with real ids (tests/e2e/crawl.py), against the demo
cooperative plus an assembly with published minutes, so a new page is crawled without anyone
remembering. The subject is the layout, not the database: one backend (SQLite) only.
Screenshots of the member's phone journey: test-artifacts/e2e/<test>/.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from governance.accounts.models import Role
from tests.e2e import crawl
from tests.e2e.conftest import axe_violations
from tests.e2e.helpers import SUBMIT, TIMEOUT

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.xdist_group("browser-phone")]

ROLES = [Role.MEMBER, Role.BOARD, Role.SUPERVISORY_BOARD, Role.SECRETARY, Role.ADMIN]
# axe runs once per view and group: the boards and the secretary see the same staff pages.
AXE_GROUP = {Role.BOARD: "staff", Role.SUPERVISORY_BOARD: "staff", Role.SECRETARY: "staff"}


def phone(browser: Any, url: str, email: str) -> Any:
    """A phone (390 × 844, touch) in a fresh context, logged in with the demo password."""
    context = browser.new_context(
        viewport=crawl.PHONE, is_mobile=True, has_touch=True, locale="de-DE"
    )
    context.set_default_timeout(TIMEOUT)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(url + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", crawl.PASSWORD)
    page.click(SUBMIT)
    page.wait_for_url(url + "/")
    return page


def check(page: Any, where: str, problems: list[str], *, axe: bool) -> None:
    """The page fits the phone's width, its tap targets are large enough, axe finds nothing.

    Measured once the page has loaded: a page reached by a click can show its content before
    its stylesheet applies (the nav's links are then 17 px high)."""
    page.wait_for_load_state("load")
    wide = crawl.overflow(page)
    if wide:
        problems.append(f"{where} overflows: {wide}")
    small = crawl.small_targets(page)
    if small:
        problems.append(f"{where} has small tap targets: {small}")
    font = crawl.chart_font(page)
    if font is not None and font < 12:
        problems.append(f"{where} shows a chart with {font:.1f} px text")
    if axe:
        problems += [f"{where}: {v}" for v in axe_violations(page)]


def crawl_as(
    page: Any, url: str, role: Role, found: list[crawl.Target], axed: set[tuple[str, str]]
) -> tuple[list[str], int]:
    """Every page of `found` that `role` may open (status 200) is checked; axe once per view
    and group of roles (`axed` remembers); a page that fails (5xx) for any role is a problem."""
    problems: list[str] = []
    seen = 0
    for target in found:
        # Ask first without the browser's rendering: most routes are closed to most roles.
        status = page.request.get(url + target.url, max_redirects=0).status
        if status >= 500:  # closed is fine, broken is not
            problems.append(f"{role.value} {target.url} answers {status}")
        if status != 200:
            continue
        response = page.goto(url + target.url)
        assert response is not None and response.status == 200, target.url
        seen += 1
        key = (AXE_GROUP.get(role, role.value), target.endpoint)
        check(page, f"{role.value} {target.url}", problems, axe=key not in axed)
        axed.add(key)
    return problems, seen


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_every_page_fits_a_phone(app, make_held_assembly, live_server, browser, shots):
    crawl.seed_cooperative(app, make_held_assembly)
    found = crawl.targets(app, crawl.value_sets(app))
    assert crawl.uncovered(app, found) == set(), "GET pages the crawl has no ids for"
    url = live_server.url
    problems: list[str] = []
    axed: set[tuple[str, str]] = set()
    for role in ROLES:
        page = phone(browser, url, crawl.LOGINS[role])
        found_problems, seen = crawl_as(page, url, role, found, axed)
        shots.lap(f"{role.value}: {seen} pages")
        assert seen >= 10, f"{role.value} could open only {seen} pages"
        problems += found_problems
        if role == Role.MEMBER:
            live = f"{url}/assemblies/{crawl.in_session(app)}/live"
            problems += member_votes_on_the_phone(page, url, live, shots)
        page.context.close()
    assert problems == [], "\n".join(problems)


def member_votes_on_the_phone(page: Any, url: str, live: str, shots: Any) -> list[str]:
    """Start page → live page → vote → tracker → result, a screenshot of each step."""
    problems: list[str] = []
    page.goto(url + "/")
    check(page, "start page", problems, axe=False)
    shots(page, "member-start-page")
    page.goto(live)
    form = page.locator("#live-ballot-form")
    expect(form).to_be_visible()
    check(page, "live page", problems, axe=False)
    shots(page, "member-live-ballot")
    form.locator("label").first.click()  # the row, not the small box
    expect(form.locator("input[name=chosen]").first).to_be_checked()
    form.locator("button[type=submit]").click()
    expect(page.locator("#live-ballot-confirm")).to_be_visible()
    check(page, "live page's confirmation", problems, axe=True)
    shots(page, "member-live-confirm")
    page.click("#live-ballot-cast")
    expect(page.locator("#live-trackers code.tracker")).to_have_count(1)
    check(page, "live page's tracker", problems, axe=True)
    shots(page, "member-live-tracker")
    tracker = page.locator("#live-trackers code.tracker").inner_text().strip()
    with page.expect_download() as saved:
        page.locator(".tracker-tools:visible [data-action=save]").click()
    text = Path(saved.value.path()).read_text(encoding="utf-8")
    if tracker not in text:
        problems.append(f"the saved tracker file does not hold the tracker {tracker}: {text!r}")
    shots(page, "member-tracker-saved")
    page.click("#live-result a")
    expect(page.locator("#result-figures")).to_be_visible()
    check(page, "result", problems, axe=False)
    shots(page, "member-result")
    return problems
