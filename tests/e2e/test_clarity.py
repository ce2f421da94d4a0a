"""Voting clarity and the room in Chromium (issue #16, parts 6 and 8): one call to action on the
live page, explicit abstention, the tracker copied, saved and printed, "✓ Sie haben
abgestimmt" after a reload; paper ballots found by name, confirmed and undone
(one backend: the browser part is the same on both)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from governance.assemblies.models import AssemblyForm
from governance.ballots.models import ElectionMode, Participation, PollKind
from governance.register.models import Member
from tests.e2e.helpers import password_login, submit_and_wait

pytestmark = pytest.mark.e2e


def _ballot_box(page, value):
    return page.locator(f"#live-ballot-form input[name=chosen][value='{value}']")


def test_a_member_votes_on_the_live_page_without_mixed_signals(
    one_backend, live_server, browser, vote_world, make_poll, shots
):
    world = vote_world(members=2)
    make_poll(
        world, kind=PollKind.ELECTION, election_mode=ElectionMode.CHOOSE_UP_TO_N, seats=1,
        candidates=["Anna Adler", "Ben Berg"], title="Wahl der Kassenprüfung",
    )  # fmt: skip
    url = live_server.url
    page = password_login(browser, url, world.users[0].email)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url)
    page.goto(f"{url}/assemblies/{world.assembly_id}/live")
    form = page.locator("#live-ballot-form")
    expect(form).to_be_visible()
    expect(page.locator("#live-vote")).to_be_hidden()  # one call to action: the ballot here
    shots(page, "live-ballot")

    form.locator("button[type=submit]").click()  # nothing ticked: no silent abstention
    expect(page.locator("#live-ballot-invalid")).to_contain_text("„Enthaltung“")
    expect(page.locator("#live-ballot-confirm")).to_be_hidden()
    shots(page, "nothing-ticked")
    form.locator("label", has_text="Anna Adler").click()
    form.locator("label", has_text="Enthaltung").click()
    expect(_ballot_box(page, "0")).to_be_checked()
    first = page.evaluate(
        "document.querySelector('#live-ballot-form input[value]:not([value=\"0\"])').value"
    )
    expect(_ballot_box(page, first)).not_to_be_checked()  # "Abstain" unticks the candidate
    form.locator("button[type=submit]").click()
    expect(page.locator("#live-ballot-choice")).to_have_text("Enthaltung")
    page.click("#live-ballot-cast")
    tracker = page.locator("#live-trackers code.tracker")
    expect(tracker).to_have_count(1)
    code = tracker.inner_text().strip()
    expect(page.locator("#live-turnout")).to_have_text("1")
    expect(page.locator("#live-ballot-receipt .why")).to_contain_text("Wozu?")
    expect(page.locator("#live-ballot-receipt")).not_to_contain_text("vertreten")
    shots(page, "tracker")

    tools = page.locator("#live-ballot-receipt .tracker-tools")
    tools.locator("button[data-action=copy]").click()
    expect(tools.locator("[data-status]")).to_have_text("Kopiert.")
    assert page.evaluate("navigator.clipboard.readText()") == code
    with page.expect_download() as saved:
        tools.locator("button[data-action=save]").click()
    text = open(saved.value.path(), encoding="utf-8").read()  # noqa: SIM115
    assert code in text and "Wahl der Kassenprüfung" in text and "Wozu" not in text
    assert "Prüfcode" in text and saved.value.suggested_filename.endswith(".txt")
    page.evaluate(  # records whether the receipt alone is marked for printing (app.css)
        "() => { window.printed = []; window.print = () => window.printed.push("
        "document.documentElement.classList.contains('print-tracker')); }"
    )
    tools.locator("button[data-action=print]").click()
    assert page.evaluate("window.printed") == [True]  # the receipt alone is printed

    page.reload()  # the vote survives a reload: no invitation to vote, the vote counted
    expect(page.locator("#live-ballot-voted")).to_be_visible()
    expect(page.locator("#live-ballot-voted")).to_have_text("✓ Sie haben abgestimmt")
    expect(form).to_be_hidden()
    expect(page.locator("#live-vote")).to_be_hidden()
    expect(page.locator("#live-turnout")).to_have_text("1")
    expect(page.locator("#live-ballot")).not_to_contain_text("vertreten")
    shots(page, "voted-after-reload")


def test_the_tellers_find_confirm_and_undo_a_paper_ballot(
    one_backend, live_server, browser, vote_world, make_poll, shots
):
    world = vote_world(members=3, form=AssemblyForm.HYBRID)
    poll = make_poll(world, title="Satzungsänderung")
    with world.session() as s:
        for member_id, last in zip(world.member_ids, ("Jäger", "Jung", "Schmidt"), strict=True):
            s.get(Member, member_id).last_name = last
        s.commit()
        member = s.get(Member, world.member_ids[1])
        name, number = member.display_name, member.number
    url = live_server.url
    page = password_login(browser, url, world.chair.email)
    page.goto(f"{url}/polls/{poll.id}/room")
    rows = page.locator("#room-present li")
    expect(rows).to_have_count(3)
    page.fill("#room-q", "ju")  # filters as one types: Jung, not Jäger or Schmidt
    expect(rows.locator("visible=true")).to_have_count(1)
    expect(rows.locator("visible=true")).to_contain_text(name)
    page.fill("#room-q", "kein solcher Name")
    expect(page.locator("#room-none")).to_be_visible()
    page.fill("#room-q", number)
    expect(rows.locator("visible=true")).to_have_count(1)
    shots(page, "room-search")
    submit = rows.locator("visible=true").locator("a.button")
    with page.expect_navigation():
        submit.click()
    confirm = page.locator("#room-confirm")
    expect(confirm).to_contain_text(f"{name} (Mitgliedsnr. {number})")
    shots(page, "room-confirm")
    with world.session() as s:  # nothing is saved before the name is confirmed
        assert s.scalars(select(Participation)).first() is None
    submit_and_wait(page, "#room-confirm-button")
    expect(page.locator(".flash.success")).to_contain_text(f"Papierstimmzettel für {name} erfasst.")
    expect(page.locator("#room-registered")).to_contain_text(name)
    expect(rows).to_have_count(2)
    shots(page, "room-registered")
    submit_and_wait(page, "#room-registered button")  # the confirm() dialog is accepted
    expect(page.locator(".flash.success")).to_contain_text("zurückgenommen")
    expect(page.locator("#room-registered")).to_have_count(0)
    expect(rows).to_have_count(3)
    with world.session() as s:
        assert s.scalars(select(Participation)).first() is None
