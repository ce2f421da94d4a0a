"""A seat offered after an election, on a phone: the demo member finds the offer on the start
page, accepts it on their offers page and then sees the supervisory board among their bodies
and themselves among its seats; the board's list of the body's offers and the form that
offers seats from an election fit 390 px too (tap targets of 44 px, no serious axe
violation). The subject is the layout and the answer: one backend (SQLite)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from governance.bodies.models import Body, Seat, SeatOrigin
from governance.bodies.models_offers import OfferState, SeatOffer
from governance.db import new_session
from governance.demo import seed
from tests.e2e.test_phone import check, phone

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.xdist_group("browser-phone")]


def _open_offer(app: Any) -> tuple[SeatOffer, Body]:
    with new_session(app.extensions["governance.engine"]) as s:
        seed(s, only_if_empty=False, config=app.config)
        s.commit()
        offer = s.scalars(select(SeatOffer).where(SeatOffer.state == OfferState.OFFERED)).one()
        return offer, s.get(Body, offer.body_id)


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_a_member_accepts_an_elected_seat_on_a_phone(app, live_server, browser, shots):
    offer, body = _open_offer(app)
    url, problems = live_server.url, []

    page = phone(browser, url, "mitglied@demo.example")
    card = page.locator(f"#my-seat-offers #seat-offer-{offer.id}")
    expect(card).to_contain_text(body.name)
    check(page, "start page with a seat offered", problems, axe=True)
    shots(page, "start-seat-offered")
    page.click("#my-seat-offers a[href$='/bodies/offers']")
    expect(page.locator("#open-offers")).to_contain_text(offer.candidate)
    check(page, "my seat offers", problems, axe=True)
    page.locator(f"#seat-offer-{offer.id}").get_by_role("button", name="Sitz annehmen").click()
    expect(page.locator("#answered-offers")).to_contain_text("angenommen")
    expect(page.locator("#open-offers")).to_contain_text("Ihnen wird derzeit kein Sitz angeboten")
    check(page, "my seat offers after accepting", problems, axe=False)
    shots(page, "seat-accepted")
    page.goto(url + "/")
    expect(page.locator("#my-seat-offers")).to_have_count(0)
    expect(page.locator("#start-bodies")).to_contain_text(body.name)
    page.click(f"#start-bodies a:text('{body.name}')")
    expect(page.locator("body")).to_contain_text("Max Mitglied")
    check(page, "the body page, seated", problems, axe=False)
    page.context.close()

    with new_session(app.extensions["governance.engine"]) as s:
        seat = s.scalars(
            select(Seat).where(Seat.member_id == offer.member_id, Seat.body_id == body.id)
        ).one()
        assert (seat.origin, seat.poll_id) == (SeatOrigin.ELECTED, offer.poll_id)

    page = phone(browser, url, "vorstand@demo.example")
    page.goto(f"{url}/bodies/{body.id}/offers")
    expect(page.locator("#seat-offers")).to_contain_text(offer.candidate)
    check(page, "the body's seat offers", problems, axe=True)
    page.goto(f"{url}/bodies/{body.id}/offers/new")
    check(page, "offering seats from an election", problems, axe=True)
    shots(page, "board-offers-new")
    page.context.close()
    assert problems == [], "\n".join(problems)
