"""The key ceremony through the pages in Chromium: the chair names three tellers, each teller
runs round 1, compares the fingerprint, sends the shares, downloads the key file and confirms,
in their own browser context, until the key is READY (one backend: the browser part is the
same on both). The key files are then checked in Python: any two of them give the poll key."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from governance import coopvote as cv
from governance.tellers import services
from governance.tellers.models import CeremonyState, KeyCeremony, TellerShare
from tests.e2e.conftest import axe_violations
from tests.e2e.helpers import password_login, submit_and_wait
from tests.tellers.conftest import CeremonyWorld, build_world

pytestmark = pytest.mark.e2e


@pytest.fixture
def world(app, make_assembly, make_user) -> Iterator[CeremonyWorld]:
    """The tellers' ceremony world (tests/tellers/conftest.py), in a request context."""
    with app.test_request_context():
        yield build_world(app, make_assembly, make_user)


PHONE = {"width": 390, "height": 844}


def fits(page) -> None:
    """The page fits a phone's width (nothing sticks out sideways)."""
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def _ceremony(world: CeremonyWorld) -> KeyCeremony:
    with world.session() as s:
        query = select(KeyCeremony).where(KeyCeremony.assembly_id == world.assembly_id)
        row = s.scalars(query.order_by(KeyCeremony.id.desc())).first()
        assert row is not None
        s.expunge(row)
        return row


def _start(browser, url: str, world: CeremonyWorld, emails: list[str], t: int):
    chair = password_login(browser, url, world.chair.email)
    chair.goto(f"{url}/assemblies/{world.assembly_id}/ceremony")
    chair.fill("textarea[name=tellers]", "\n".join(emails))
    chair.fill("input[name=t]", str(t))
    submit_and_wait(chair, "#start button[type=submit]")
    expect(chair.locator("#live")).to_be_visible()
    return chair


def test_three_tellers_run_the_ceremony_to_ready(
    one_backend,
    live_server,
    browser,
    shots,
    world: CeremonyWorld,
    tmp_path: Path,
) -> None:
    url, a = live_server.url, world.assembly_id
    chair = _start(browser, url, world, [u.email for u in world.users], 2)
    shots(chair, "chair-started")
    pages = {i: password_login(browser, url, u.email) for i, u in enumerate(world.users, 1)}
    pages[1].set_viewport_size(PHONE)  # teller 1 on a phone
    chair.set_viewport_size(PHONE)
    fits(chair)
    for page in pages.values():
        page.goto(f"{url}/assemblies/{a}/teller")
        expect(page.locator("#keep-open")).to_be_visible()
    fits(pages[1])
    shots(pages[1], "teller-round1")
    for page in pages.values():
        page.click("#round1-button")
    for page in pages.values():
        expect(page.locator("[data-step=compare]")).to_be_visible()
    shots(pages[1], "teller-compare")
    fits(pages[1])
    assert axe_violations(pages[1]) == []
    shown = {i: p.locator("#fingerprint").inner_text() for i, p in pages.items()}
    ceremony = _ceremony(world)
    assert ceremony.state == CeremonyState.SHARES
    assert set(shown.values()) == {cv.group4(ceremony.fingerprint)}
    for page in pages.values():
        expect(page.locator("#shares-button")).to_be_disabled()
        page.check("#compared")
        page.click("#shares-button")
    key_files = {}
    for i, page in pages.items():
        expect(page.locator("[data-step=key]")).to_be_visible()
        with page.expect_download() as download:
            page.click("#download")
        target = tmp_path / f"key-{i}.json"
        download.value.save_as(target)
        key_files[i] = json.loads(target.read_text())
    shots(pages[2], "teller-key-file")
    pages[1].click("#key-print summary")
    fits(pages[1])
    shots(pages[1], "teller-key-file-phone")
    for page in pages.values():
        page.check("#saved")
        page.click("#confirm-button")
    for page in pages.values():
        expect(page.locator("[data-step=ready]")).to_be_visible()
    ceremony = _ceremony(world)
    grouped = cv.group4(ceremony.key_fingerprint or "")
    for page in pages.values():
        expect(page.locator("#ready-fingerprint")).to_have_text(grouped)
        # the key part never left the page's memory
        assert page.evaluate("localStorage.length + sessionStorage.length") == 0
    shots(pages[3], "teller-ready")
    assert ceremony.state == CeremonyState.READY

    # The key files the browsers made: each share is on the commitments; any two give Y.
    with world.session() as s:
        entries = services.entries_of(s, ceremony_id=ceremony.id)
    assert ceremony.public_key == cv.poll_key(entries)
    for j, f in key_files.items():
        assert (f["ceremony"], f["index"], f["t"], f["n"]) == (ceremony.uuid, j, 2, 3)
        assert f["Y"] == ceremony.public_key and f["fingerprint"] == ceremony.fingerprint
        assert cv.arith().base(int.from_bytes(bytes.fromhex(f["x"]), "little")).hex() == f["Y_j"]
    x = {j: int.from_bytes(bytes.fromhex(f["x"]), "little") for j, f in key_files.items()}
    for pair in ((1, 2), (1, 3), (2, 3)):
        secret = sum(cv.lagrange(list(pair), j) * x[j] for j in pair) % cv.ELL
        assert cv.arith().base(secret).hex() == ceremony.public_key

    chair.goto(f"{url}/assemblies/{a}/ceremony")
    fits(chair)
    assert axe_violations(chair) == []
    chair.goto(f"{url}/assemblies/{a}")
    expect(chair.locator("#key-fingerprint")).to_have_text(grouped)
    fits(chair)
    shots(chair, "assembly-key-fingerprint")


def test_a_teller_page_reloaded_after_round_one_voids_the_ceremony(
    one_backend,
    live_server,
    browser,
    world: CeremonyWorld,
) -> None:
    url, a = live_server.url, world.assembly_id
    chair = _start(browser, url, world, [u.email for u in world.users[:2]], 2)
    page = password_login(browser, url, world.users[0].email)
    page.goto(f"{url}/assemblies/{a}/teller")
    page.click("#round1-button")
    expect(page.locator("[data-step=wait]")).to_be_visible()
    page.reload()  # the polynomial is gone with the page's memory
    expect(page.locator("[data-step=lost]")).to_be_visible()
    page.click("#lost-button")
    expect(page.locator("[data-step=void]")).to_be_visible()
    assert _ceremony(world).state == CeremonyState.VOID
    chair.goto(f"{url}/assemblies/{a}/ceremony")
    expect(chair.locator(".void-reason")).to_contain_text("Anna Teller1")
    expect(chair.locator("#start")).to_be_visible()


def test_a_teller_page_finds_its_entry_changed_by_the_server(
    one_backend,
    live_server,
    browser,
    world: CeremonyWorld,
) -> None:
    """The server (here: a database edit past the triggers) swaps teller 1's round-1 entry for
    one it made itself: teller 1's page refuses to send shares and the ceremony is void."""
    from nacl.public import PrivateKey
    from sqlalchemy import text

    url, a = live_server.url, world.assembly_id
    _start(browser, url, world, [u.email for u in world.users], 2)
    pages = {i: password_login(browser, url, u.email) for i, u in enumerate(world.users, 1)}
    for i in (1, 2):
        pages[i].goto(f"{url}/assemblies/{a}/teller")
        pages[i].click("#round1-button")
        expect(pages[i].locator("[data-step=wait]")).to_be_visible()
    ceremony = _ceremony(world)
    forged, _coeffs = cv.round1(ceremony.uuid, 1, 2, bytes(PrivateKey.generate().public_key))
    with world.session() as s:
        for trigger in ("teller_once", "teller_steps"):
            s.execute(text(f"DROP TRIGGER {trigger}"))
        s.execute(
            text("UPDATE teller SET round1 = :r WHERE ceremony_id = :c AND idx = 1"),
            {"r": cv.entry_json(forged), "c": ceremony.id},
        )
        s.commit()
    pages[3].goto(f"{url}/assemblies/{a}/teller")
    pages[3].click("#round1-button")
    expect(pages[1].locator("[data-step=void]")).to_be_visible()
    expect(pages[1].locator("#void-text")).to_contain_text("own entry was changed")
    ceremony = _ceremony(world)
    assert ceremony.state == CeremonyState.VOID and "Anna Teller1" in (ceremony.void_reason or "")
    with world.session() as s:
        assert s.scalars(select(TellerShare)).first() is None  # no share left a page
