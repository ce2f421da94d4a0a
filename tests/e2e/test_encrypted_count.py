"""Two tellers decrypt a sealed encrypted poll through their page in Chromium, each with their
key file (static/js/decrypt.js on coopvote.js); a box changed on its way to the page is not
decrypted, and a key file of another teller is refused before anything is sent."""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from governance.accounts.models import Role
from governance.ballots import decrypt
from governance.ballots.models import DecryptionShare, Poll
from tests.e2e.conftest import axe_violations
from tests.e2e.helpers import password_login
from tests.factories_encrypted import cast_encrypted, encrypted_poll, seal

pytestmark = pytest.mark.e2e


def _key_file(tmp_path: Any, ep: Any, j: int) -> str:
    path = tmp_path / f"teller-{j}.json"
    path.write_text(json.dumps(ep.ready.key_files[j]))
    return str(path)


def _decryption_page(live_server: Any, browser: Any, email: str, poll_id: int) -> Any:
    page = password_login(browser, live_server.url, email)
    page.goto(f"{live_server.url}/polls/{poll_id}/decrypt")
    return page


def _shares(world: Any) -> int:
    with world.session() as s:
        return int(s.scalar(select(func.count()).select_from(DecryptionShare)) or 0)


def test_two_tellers_decrypt_through_their_pages(
    live_server, browser, vote_world, make_user, tmp_path, shots
):
    world = vote_world(members=5)
    users = [make_user(roles=[Role.MEMBER]) for _ in range(3)]
    ep = encrypted_poll(world, tellers=[u.id for u in users])
    for i, choice in enumerate(["YES", "NO", "YES", "YES"]):
        cast_encrypted(world, ep, i, choice)
    seal(world, ep)

    # Teller 3's page gets a box with one ballot swapped for another: it refuses to decrypt.
    page = _decryption_page(live_server, browser, users[2].email, ep.poll_id)

    def tamper(route: Any) -> None:
        box = route.fetch().json()
        box["ballots"][0][1] = box["ballots"][1][1]
        route.fulfill(json=box)

    page.route("**/decrypt/box.json", tamper)
    page.reload()
    expect(page.locator("#decrypt-error")).to_contain_text("nicht mit ihrem Siegel")
    expect(page.locator("#decrypt-form")).to_be_hidden()
    shots(page, "tampered-box-refused")
    page.context.close()

    # Teller 1 chooses teller 2's key file first: refused in the page, nothing is sent.
    page = _decryption_page(live_server, browser, users[0].email, ep.poll_id)
    expect(page.locator("#decrypt-form")).to_be_visible(timeout=30_000)
    expect(page.locator("#decrypt-checked")).to_have_text("4")
    expect(page.locator("#decrypt-title")).to_have_text("Verschlüsselte Abstimmung")
    assert axe_violations(page) == [], "the teller's decryption page"
    page.set_input_files("#decrypt-key", _key_file(tmp_path, ep, 2))
    page.click("#decrypt-send")
    expect(page.locator("#decrypt-error")).to_contain_text("Schlüsseldatei gehört nicht")
    assert _shares(world) == 0
    shots(page, "wrong-key-file-refused")
    page.set_input_files("#decrypt-key", _key_file(tmp_path, ep, 1))
    page.click("#decrypt-send")
    expect(page.locator("#decrypt-form")).to_be_hidden()
    expect(page.locator("#decrypt-state")).to_contain_text("1 von 2")
    shots(page, "teller-1-decrypted")
    assert _shares(world) == 1
    page.context.close()

    page = _decryption_page(live_server, browser, users[1].email, ep.poll_id)
    page.set_viewport_size({"width": 390, "height": 844})  # a teller's phone
    expect(page.locator("#decrypt-form")).to_be_visible(timeout=30_000)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_input_files("#decrypt-key", _key_file(tmp_path, ep, 2))
    page.click("#decrypt-send")
    expect(page.locator("#decrypt-state")).to_contain_text("abgeschlossen")
    shots(page, "teller-2-decrypted")
    page.context.close()

    with world.session() as s:
        assert decrypt.decrypted_counts(s, poll=s.get(Poll, ep.poll_id)) == [[3, 1, 0]]
    chair = password_login(browser, live_server.url, world.chair.email)
    chair.goto(f"{live_server.url}/polls/{ep.poll_id}/declare")
    expect(chair.locator("#result-figures")).to_be_visible()
    shots(chair, "declaration-of-the-decrypted-count")
