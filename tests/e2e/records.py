"""After the vote: the tracker in the ballot box, the secretary's audit, and the minutes from
draft to signatures, publication and a member's PDF download."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from playwright.sync_api import expect
from pypdf import PdfReader

from tests.e2e.conftest import axe_violations
from tests.e2e.helpers import SUBMIT, submit_and_wait


def results_seen_by_member(page: Any, url: str, poll_id: int, counts: dict[str, int]) -> None:
    """The member reads the published result (axe-checked): the figures match the casts."""
    page.goto(f"{url}/polls/{poll_id}/results")
    rows = page.locator("#result-figures tbody tr")
    for row, key in enumerate(("YES", "NO", "ABSTAIN")):
        expect(rows.nth(row).locator("td.num").first).to_have_text(str(counts[key]))
    assert axe_violations(page) == [], "the results page"


def find_tracker(page: Any, url: str, poll_id: int, tracker: str, shots: Any) -> None:
    """The member looks their tracker up in the sealed ballot box."""
    page.goto(f"{url}/polls/{poll_id}")
    page.click("#main a[href$='/box']")
    page.fill("input[name=tracker]", tracker)
    submit_and_wait(page, "#lookup form button[type=submit]")
    result = page.locator("#lookup-result")
    expect(result).to_have_class("flash success")
    expect(result).to_contain_text(tracker)
    shots(page, "member-tracker-found")


def audit_passes(page: Any, url: str, assembly_id: int, poll_id: int, shots: Any) -> None:
    """The secretary verifies chain, roll and poll; everything passes; she records it."""
    page.goto(f"{url}/polls/{poll_id}/audit")
    expect(page.locator("#checks .badge.err")).to_have_count(0)
    expect(page.locator("#checks .badge.ok").first).to_be_visible()
    page.goto(f"{url}/audit/verify?assembly={assembly_id}")
    main = page.locator("#main")
    expect(main.locator(".badge.err")).to_have_count(0)
    expect(main.locator("section.card").first).to_be_visible()
    assert main.locator("tbody .badge.ok").count() >= 5
    shots(page, "secretary-audit-passed")
    submit_and_wait(page, "#main form[action*='/audit/verify'] button[type=submit]")
    expect(page.locator(".flash.success")).to_be_visible()


def seal_in_minutes_passes(page: Any, url: str, assembly_id: int) -> None:
    """After publication the audit also finds the seal root in the published minutes."""
    page.goto(f"{url}/audit/verify?assembly={assembly_id}")
    expect(page.locator("#main .badge.err")).to_have_count(0)
    expect(page.locator("tr[id$='-poll.seal_in_minutes'] .badge.ok")).to_have_count(1)


def close_assembly(page: Any, url: str, assembly_id: int) -> None:
    page.goto(f"{url}/assemblies/{assembly_id}")
    submit_and_wait(page, "#chair form[action$='/close'] button[type=submit]")
    expect(page.locator("#chair")).to_have_count(0)


def draft_minutes(page: Any, url: str, assembly_id: int, shots: Any) -> None:
    """The secretary starts the minutes, writes every part and renders the PDF."""
    base = f"{url}/assemblies/{assembly_id}/minutes"
    page.goto(base)
    submit_and_wait(page, "#main form[action$='/minutes/start'] button[type=submit]")
    page.goto(base + "/general")
    page.fill("textarea[name=preamble]", "Die Versammlungsleiterin begrüßt die Mitglieder.")
    page.fill("textarea[name=closing]", "Die Versammlung endet um 20:15 Uhr.")
    submit_and_wait(page)
    items = page.locator("#draft a[href*='/minutes/items/']")
    hrefs = [items.nth(i).get_attribute("href") for i in range(items.count())]
    for href in hrefs:
        page.goto(url + href)
        page.fill("textarea[name=discussion]", "Aussprache ohne Wortmeldungen.")
        submit_and_wait(page, "#main form:has(textarea[name=discussion]) button[type=submit]")
    expect(page.locator("#completeness .badge.ok")).to_be_visible()
    submit_and_wait(page, "#main form[action$='/minutes/render'] button[type=submit]")
    expect(page.locator("#render-status")).to_have_class("badge ok")
    shots(page, "secretary-minutes-rendered")


def sign_minutes(page: Any, url: str, assembly_id: int, shots: Any, step: str) -> None:
    """The chair, then a board member present, approve the exact PDF."""
    page.goto(f"{url}/assemblies/{assembly_id}/minutes")
    submit_and_wait(page, "#approvals form[action$='/minutes/approve'] button[type=submit]")
    expect(page.locator("#approvals li").first).to_be_visible()
    shots(page, step)


def publish_minutes(page: Any, url: str, assembly_id: int, shots: Any) -> None:
    """The supervisory board publishes the signed minutes."""
    page.goto(f"{url}/assemblies/{assembly_id}/minutes")
    page.click("#publication a[href$='/minutes/publish']")
    submit_and_wait(page, SUBMIT)
    expect(page).to_have_url(f"{url}/assemblies/{assembly_id}/minutes/versions")
    shots(page, "supervisory-board-published")


def download_minutes(page: Any, url: str, shots: Any) -> str:
    """A member opens the published minutes and downloads the PDF; returns its text."""
    page.goto(url + "/minutes")
    page.click("#minutes-published a[href$='/minutes/versions']")
    shots(page, "member-minutes-versions")
    with page.expect_download() as download:
        page.click("#minutes-versions a[href$='/versions/1.pdf']")
    data = Path(download.value.path()).read_bytes()
    (shots.dir / "minutes.pdf").write_bytes(data)  # kept with the screenshots
    assert data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(p.extract_text() or "" for p in reader.pages)


def bundle_verifies(page: Any, url: str, poll_id: int, folder: Any) -> None:
    """An auditor downloads the poll's bundle, the verifier and coopvote.py from the audit pages
    and checks the bundle outside the app: with PyNaCl, and with the verifier's own pure-Python
    arithmetic in an interpreter where PyNaCl cannot be imported."""
    import subprocess
    import sys

    for name, path in (
        ("bundle.json", f"/audit/polls/{poll_id}/bundle.json"),
        ("verify_bundle.py", "/audit/verify_bundle.py"),
        ("coopvote.py", "/audit/coopvote.py"),
    ):
        response = page.request.get(url + path)
        assert response.ok, path
        (folder / name).write_bytes(response.body())
    blocked = folder / "no-nacl" / "nacl"
    blocked.mkdir(parents=True)
    (blocked / "__init__.py").write_text("raise ImportError('PyNaCl is not installed here')\n")
    runs = {
        "nacl": [
            sys.executable,
            "-I",
            str(folder / "verify_bundle.py"),
            str(folder / "bundle.json"),
        ],
        "pure": [
            sys.executable,
            "-I",
            "-c",
            "import runpy, sys; sys.path.insert(0, sys.argv[1]); "
            "sys.argv = sys.argv[2:]; runpy.run_path(sys.argv[0], run_name='__main__')",
            str(folder / "no-nacl"),
            str(folder / "verify_bundle.py"),
            str(folder / "bundle.json"),
        ],
    }
    for arith, command in runs.items():
        done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        assert f"arithmetic: {arith}" in done.stdout
        assert "RESULT: all checks passed" in done.stdout
