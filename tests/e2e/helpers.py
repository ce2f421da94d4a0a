"""Small helpers for the browser tests: logins, mailed links, keyboard focus, time travel.

Selectors use name/id attributes only (the interface is German by default and will be
translated): `#main` scopes a page's own forms (the header holds the language and logout forms).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from playwright.sync_api import expect
from sqlalchemy import update

from governance.assemblies.models import Assembly
from governance.db import new_session, utcnow
from tests.conftest import PASSWORD

LINK = re.compile(r"https?://\S+/login/(?:link|invitation)/\S+")
TIMEOUT = 20_000  # ms: the longest a single step may take on a busy CI machine
SUBMIT = "#main form[method=post] button[type=submit]"
expect.set_options(timeout=TIMEOUT)  # assertions wait as long as actions (default: 5 s)


def local(dt: datetime) -> str:
    """A datetime as the value of an <input type=datetime-local> (Europe/Berlin)."""
    return dt.astimezone(ZoneInfo("Europe/Berlin")).strftime("%Y-%m-%dT%H:%M")


def new_page(browser: Any, *, dialogs: bool = True) -> Any:
    """A page in a fresh browser context (own cookies), German, confirm() dialogs accepted."""
    context = browser.new_context(locale="de-DE", accept_downloads=True)
    context.set_default_timeout(TIMEOUT)
    page = context.new_page()
    if dialogs:
        page.on("dialog", lambda dialog: dialog.accept())
    return page


def password_login(browser: Any, url: str, email: str) -> Any:
    """A new context logged in with email and password through the login form."""
    page = new_page(browser)
    page.goto(url + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click(SUBMIT)
    page.wait_for_url(url + "/")
    return page


def mailed_link(smtp: Any, address: str) -> str:
    """The path of the personal login link in the last mail to `address`."""
    messages = smtp.to(address)
    assert messages, f"no mail to {address}"
    body = messages[-1].get_body(preferencelist=("plain",)).get_content()
    found = LINK.search(body)
    assert found, f"no login link in the mail to {address}:\n{body}"
    return urlsplit(found.group(0)).path


def go(page: Any, target: str) -> None:
    """Start loading `target` without waiting for it (other pages load meanwhile)."""
    page.evaluate("target => { window.location.href = target; }", target)


def submit_and_wait(page: Any, selector: str = SUBMIT) -> None:
    """Click a submit button and wait for the page it leads to."""
    with page.expect_navigation():
        page.click(selector)


def focus_by_tab(page: Any, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching `selector` has the keyboard focus (no clicks)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement?.matches(s) ?? false", selector):
            return
    raise AssertionError(f"{selector} cannot be reached with the Tab key")


def fortnight_passes(engine: Any, assembly_id: int) -> None:
    """Time travel: the assembly convened ≥ 14 days ahead is due now.

    The server's clock cannot move, so the assembly moves: it starts now (the chair may open
    it), and the convening is dated 15 days earlier. The convening evidence and the audit
    chain are append-only and keep their real times.
    """
    now = utcnow()
    with new_session(engine) as s:
        s.execute(
            update(Assembly)
            .where(Assembly.id == assembly_id)
            .values(starts_at=now, convened_at=now - timedelta(days=15))
        )
        s.commit()


def text_of(page: Any, selector: str) -> str:
    return str(page.locator(selector).inner_text()).strip()
