"""The chair runs a vote from the cockpit, with a speaker and the screen in the room open
(one backend: the browser part is the same on both)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from governance.assemblies.models_agenda import AgendaItem
from governance.db import utcnow
from governance.register.models import Member
from tests.e2e.helpers import new_page, password_login, submit_and_wait
from tests.factories_ballots import cast

pytestmark = pytest.mark.e2e


def test_the_chair_runs_a_vote_from_the_cockpit(
    one_backend, live_server, browser, vote_world, make_poll, shots
):
    world = vote_world(members=2)
    with world.session() as s:
        item = AgendaItem(
            assembly_id=world.assembly_id,
            position=1,
            title="Jahresabschluss",
            announced_at=utcnow() - timedelta(days=30),  # with the invitation (§46(2) GenG)
        )
        s.add(item)
        s.commit()
        item_id = item.id
    poll = make_poll(world, open=False, title="Feststellung", agenda_item_id=item_id)
    url, a = live_server.url, world.assembly_id

    chair = password_login(browser, url, world.chair.email)
    chair.goto(f"{url}/assemblies/{a}/cockpit")
    submit_and_wait(chair, f"#cockpit-agenda button[value='{item_id}']")
    submit_and_wait(chair, "#cockpit-screen button[type=submit]")
    screen_url = chair.locator("#screen-link").get_attribute("href")
    screen = new_page(browser)
    screen.goto(screen_url)
    expect(screen.locator("#room-item")).to_contain_text("Jahresabschluss")

    member = password_login(browser, url, world.users[0].email)
    member.goto(f"{url}/assemblies/{a}/live")
    submit_and_wait(member, "#speakers button[value=NORMAL]")
    with world.session() as s:
        name = s.get(Member, world.member_ids[0]).display_name
    chair.goto(f"{url}/assemblies/{a}/cockpit")
    expect(chair.locator("#room-queue")).to_contain_text(name)
    chair.fill("input[name=minutes]", "3")
    submit_and_wait(chair, "#speakers form[action$='/speakers/next'] button")
    expect(screen.locator("#room-speaker")).to_contain_text(name, timeout=15_000)
    expect(member.locator("#room-speaker")).to_contain_text(name, timeout=15_000)

    submit_and_wait(chair, "#cockpit-open-poll")
    expect(chair.locator("#room-turnout")).to_contain_text("0 von 2")
    cast(world, poll.id, 0, "YES")
    expect(chair.locator("#room-turnout")).to_contain_text("1 von 2", timeout=15_000)
    expect(screen.locator("#room-turnout")).to_contain_text("1 von 2", timeout=15_000)
    shots(chair, "cockpit-poll-open")
    shots(screen, "screen-poll-open")

    submit_and_wait(chair, "#cockpit-poll form[action*='/close'] button")
    submit_and_wait(chair, "#cockpit-poll a[href$='/declare']")
    chair.check("input[name=confirm]")
    submit_and_wait(chair)
    expect(screen.locator(".screen-chart svg")).to_be_visible(timeout=15_000)
    shots(screen, "screen-result")
