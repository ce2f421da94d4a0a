"""The supervisory board works in its room in the browser: a seat opens the room, creates a
folder, uploads a PDF and a new version of it, sees both versions and downloads the first
(recorded in the audit log); the pages fit a phone; a board member is refused."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from governance.auditlog import AuditEvent
from governance.bodies.models import BodyKind
from governance.db import new_session
from tests.bodies.rooms_factories import *  # noqa: F403  (the rooms' fixtures)
from tests.bodies.rooms_factories import PDF, PDF2
from tests.e2e import crawl
from tests.e2e.helpers import password_login, submit_and_wait

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser-room")]


def _pdf(name: str, data: bytes) -> dict[str, Any]:
    return {"name": name, "mimeType": "application/pdf", "buffer": data}


def test_the_supervisory_board_works_in_its_room(
    one_backend, app, monkeypatch, tmp_path, serve, browser, make_body, seated, shots
):
    monkeypatch.setenv("GOVERNANCE_UPLOAD_DIR", str(tmp_path / "live-uploads"))
    sb = make_body(BodyKind.SUPERVISORY_BOARD, "Aufsichtsrat")
    board = make_body(BodyKind.BOARD, "Vorstand")
    sb_user, board_user = seated(sb), seated(board)
    url = serve().url
    room = f"{url}/bodies/{sb.id}/room"

    page = password_login(browser, url, sb_user.email)
    page.goto(room)
    expect(page.locator("h1")).to_contain_text("Gremienraum")
    page.fill("#room-folder input[name='folder-name']", "Prüfberichte")
    page.fill("#room-folder textarea[name='folder-description']", "Berichte des Verbands")
    submit_and_wait(page, "#room-folder button[type=submit]")
    expect(page.locator("h1")).to_have_text("Prüfberichte")
    shots(page, "folder-created")

    page.set_input_files("#room-upload input[name='paper-file']", _pdf("bericht.pdf", PDF))
    page.fill("#room-upload input[name='paper-title']", "Prüfbericht 2025")
    submit_and_wait(page, "#room-upload button[type=submit]")
    expect(page.locator("h1")).to_have_text("Prüfbericht 2025")
    expect(page.locator("#room-versions tbody tr")).to_have_count(1)

    page.set_input_files("#room-version input[name=file]", _pdf("bericht-v2.pdf", PDF2))
    page.fill("#room-version input[name=note]", "Endfassung")
    submit_and_wait(page, "#room-version button[type=submit]")
    rows = page.locator("#room-versions tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("bericht-v2.pdf")
    expect(rows.nth(0)).to_contain_text("Endfassung")
    expect(rows.nth(1)).to_contain_text("bericht.pdf")
    shots(page, "two-versions")
    version_link = rows.nth(0).locator("a").get_attribute("href")

    with page.expect_download() as download:
        rows.nth(1).locator("a").click()
    assert download.value.suggested_filename == "bericht.pdf"
    with open(download.value.path(), "rb") as f:
        assert f.read() == PDF  # the first version, untouched by the second

    page.set_viewport_size(crawl.PHONE)
    for where in (page.url, room, f"{room}/folders/1"):
        page.goto(where)
        assert crawl.overflow(page) is None, where
    shots(page, "phone")

    other = password_login(browser, url, board_user.email)
    response = other.goto(room)
    assert response is not None and response.status == 403
    assert other.request.get(url + str(version_link), max_redirects=0).status == 403

    with new_session(app.extensions["governance.engine"]) as s:
        downloads = s.execute(
            select(AuditEvent).where(AuditEvent.event_type == "room.file_downloaded")
        ).scalars()
        assert [e.actor_user_id for e in downloads] == [sb_user.id]
