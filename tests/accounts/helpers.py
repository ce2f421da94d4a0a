"""Helpers for tests that go through real forms: CSRF tokens from rendered pages."""

from __future__ import annotations

import re
from typing import Any

from tests.conftest import PASSWORD

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(page: bytes | str) -> str:
    """The CSRF token of the first form on a rendered page."""
    text = page.decode() if isinstance(page, bytes) else page
    match = CSRF.search(text)
    assert match, "no csrf_token on the page"
    return match.group(1)


def login_with_csrf(client: Any, email: str, password: str = PASSWORD) -> Any:
    """Log in through the form as a browser does: GET the page, POST with its token."""
    token = csrf_token(client.get("/login").data)
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})
