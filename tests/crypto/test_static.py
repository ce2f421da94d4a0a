"""The browser's crypto modules are served by the app as JavaScript, under its CSP."""

from __future__ import annotations

from typing import Any

import pytest

MODULES = [
    "js/coopvote.js",
    "js/coopvote-core.js",
    "js/coopvote-ceremony.js",
    "js/coopvote-count.js",
    "js/coopvote-worker.js",
    "vendor/noble-ed25519.js",
    "vendor/tweetnacl.js",
]


@pytest.mark.parametrize("name", MODULES)
def test_served_as_javascript(client: Any, name: str) -> None:
    response = client.get(f"/static/{name}")
    assert response.status_code == 200
    # Browsers refuse a module script (and a module worker) of any other MIME type.
    assert response.mimetype == "text/javascript"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "script-src 'self';" in response.headers["Content-Security-Policy"]
