"""The browser's crypto modules are served by the app as JavaScript, under its CSP."""

from __future__ import annotations

from typing import Any

MODULES = [
    "js/coopvote.js",
    "js/coopvote-core.js",
    "js/coopvote-ceremony.js",
    "js/coopvote-count.js",
    "js/coopvote-worker.js",
    "vendor/noble-ed25519.js",
    "vendor/tweetnacl.js",
]


def test_served_as_javascript(client: Any) -> None:
    for name in MODULES:
        response = client.get(f"/static/{name}")
        assert response.status_code == 200, name
        # Browsers refuse a module script (and a module worker) of any other MIME type.
        # (Python's mimetypes says text/javascript; a system's mime.types may say the older name.)
        assert response.mimetype in ("text/javascript", "application/javascript"), name
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "script-src 'self';" in response.headers["Content-Security-Policy"]
