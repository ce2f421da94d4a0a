"""The login page in a real browser: keyboard login, accessibility, language switch."""

import pytest

from governance.accounts.models import Role
from tests.conftest import PASSWORD
from tests.e2e.conftest import axe_violations

pytestmark = pytest.mark.e2e


def test_login_with_keyboard_and_axe(live_server, browser, make_user, shots):
    user = make_user(roles=[Role.MEMBER], email="e2e-member@example.org")
    page = browser.new_page(locale="de-DE")
    page.goto(live_server.url + "/login")
    assert axe_violations(page) == []
    shots(page, "login")
    page.keyboard.press("Tab")  # skip link
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(live_server.url + "/")
    assert page.locator("#start-member").is_visible()
    shots(page, "start-page")
    page.close()
