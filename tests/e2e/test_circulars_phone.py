"""Circular resolutions in the browser, on a phone: the supervisory board reads its adopted
circular and downloads its minutes-book PDF; a board member votes on the board's open one;
every circular page fits 390 px, has 44 px tap targets and no serious axe violation."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from governance.bodies.models import Body, BodyKind
from governance.bodies.models_circulars import Circular
from governance.db import new_session
from governance.demo import seed
from tests.e2e.test_phone import check, phone

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.xdist_group("browser-phone")]


def _circulars(app: Any) -> dict[BodyKind, Circular]:
    with new_session(app.extensions["governance.engine"]) as s:
        seed(s, only_if_empty=False, config=app.config)
        s.commit()
        rows = s.execute(select(Body.kind, Circular).join(Body, Body.id == Circular.body_id))
        return {kind: c for kind, c in rows}


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_the_boards_work_with_circulars_on_a_phone(app, live_server, browser, shots):
    found = _circulars(app)
    sb, board = found[BodyKind.SUPERVISORY_BOARD], found[BodyKind.BOARD]
    url, problems = live_server.url, []

    page = phone(browser, url, "aufsichtsrat@demo.example")
    page.goto(f"{url}/bodies/{sb.body_id}/circulars")
    check(page, "supervisory board's circulars", problems, axe=True)
    page.click(f"text={sb.title}")
    expect(page.locator("#result")).to_contain_text("angenommen")
    check(page, "adopted circular", problems, axe=True)
    shots(page, "sb-adopted-circular")
    with page.expect_download() as download:
        page.click("#result a.button")
    assert download.value.suggested_filename == f"circular-{sb.id}.pdf"
    other = page.request.get(f"{url}/bodies/{board.body_id}/circulars/{board.id}")
    assert other.status == 403  # the board's circular is closed to the supervisory board
    page.context.close()

    page = phone(browser, url, "vorstand@demo.example")
    page.goto(f"{url}/bodies/{board.body_id}/circulars/{board.id}")
    check(page, "open circular", problems, axe=True)
    page.locator("#vote-form label").first.click()  # the row: "Ja"
    page.click("#vote-form button[type=submit]")
    expect(page.locator("#my-vote")).to_contain_text("Ihre Stimme: Ja")
    check(page, "circular after the vote", problems, axe=False)
    shots(page, "board-voted")
    response = page.goto(f"{url}/bodies/{board.body_id}/circulars/new")
    assert response is not None and response.status == 200  # the demo's board user chairs it
    check(page, "new circular", problems, axe=True)
    page.context.close()
    assert problems == [], "\n".join(problems)
