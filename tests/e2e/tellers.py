"""The tellers in the story: the key ceremony before convening, the decryption after the seal.

Each teller works in their own browser context, as three people at three computers would: the
chair names them on the ceremony page, each runs round 1, they compare the fingerprint, send
their shares, download their key file and confirm; after the vote two of the three decrypt the
sealed box on their page with their key file (static/js/teller.js, decrypt.js on coopvote.js).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from governance import coopvote as cv
from tests.e2e.conftest import axe_violations
from tests.e2e.helpers import password_login, submit_and_wait

STEP_WAIT = 60_000  # ms: the pages poll the ceremony's state


def key_ceremony(
    browser: Any,
    url: str,
    chair: Any,
    assembly_id: int,
    emails: list[str],
    folder: Path,
    shots: Any,
) -> dict[int, Path]:
    """Run a 2-of-n ceremony through the pages; returns each teller's saved key file."""
    chair.goto(f"{url}/assemblies/{assembly_id}/ceremony")
    chair.fill("textarea[name=tellers]", "\n".join(emails))
    chair.fill("input[name=t]", "2")
    submit_and_wait(chair, "#start button[type=submit]")
    shots(chair, "chair-names-tellers")
    pages = {i: password_login(browser, url, e) for i, e in enumerate(emails, start=1)}
    for page in pages.values():
        page.goto(f"{url}/assemblies/{assembly_id}/teller")
        expect(page.locator("#keep-open")).to_be_visible()
        page.click("#round1-button")
    for page in pages.values():
        expect(page.locator("[data-step=compare]")).to_be_visible(timeout=STEP_WAIT)
    shown = {p.locator("#fingerprint").inner_text() for p in pages.values()}
    assert len(shown) == 1, "the tellers compare one and the same fingerprint"
    assert axe_violations(pages[1]) == [], "the teller's page"
    shots(pages[1], "teller-compares-fingerprint")
    for page in pages.values():
        page.check("#compared")
        page.click("#shares-button")
    files = {}
    for i, page in pages.items():
        expect(page.locator("[data-step=key]")).to_be_visible(timeout=STEP_WAIT)
        with page.expect_download() as download:
            page.click("#download")
        files[i] = folder / f"teller-{i}-key.json"
        download.value.save_as(files[i])
    for page in pages.values():
        page.check("#saved")
        page.click("#confirm-button")
    for page in pages.values():
        expect(page.locator("[data-step=ready]")).to_be_visible(timeout=STEP_WAIT)
    fingerprint = pages[1].locator("#ready-fingerprint").inner_text()
    shots(pages[2], "teller-key-ready")
    for page in pages.values():
        page.context.close()
    chair.goto(f"{url}/assemblies/{assembly_id}")
    expect(chair.locator("#key-fingerprint")).to_have_text(fingerprint)
    key = json.loads(files[1].read_text())
    assert cv.group4(cv.key_fingerprint(key["Y"])) == fingerprint
    return files


def decrypt(browser: Any, url: str, email: str, poll_id: int, key_file: Path, shots: Any) -> str:
    """A teller decrypts the sealed poll on their page; returns the page's state line."""
    page = password_login(browser, url, email)
    page.goto(f"{url}/polls/{poll_id}/decrypt")
    expect(page.locator("#decrypt-form")).to_be_visible(timeout=STEP_WAIT)
    page.set_input_files("#decrypt-key", str(key_file))
    page.click("#decrypt-send")
    expect(page.locator("#decrypt-form")).to_be_hidden(timeout=STEP_WAIT)
    state = page.locator("#decrypt-state")
    expect(state).not_to_be_empty()
    shots(page, f"teller-decrypted-{key_file.stem}")
    text = state.inner_text()
    page.context.close()
    return text
