"""Sessions of logged-in members for HTTP tests against the live server, and a plain client.

Logging in hundreds of members through the form would hash their passwords again with the
production parameters; instead their session cookies are minted with the server's secret
key exactly as a login from 127.0.0.1 with our User-Agent leaves them (Flask-Login's
"strong" session protection binds a session to address and agent).
"""

from __future__ import annotations

import http.client
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from governance.accounts.models import User

UA = "governance-e2e-http"
TRACKER = re.compile(r'<code class="tracker">([0-9A-Z-]+)</code>')


@dataclass(frozen=True)
class HttpSession:
    cookie: str
    csrf: str


def mint_sessions(database_url: str, secret: str, users: list[User]) -> list[HttpSession]:
    """A session cookie and CSRF token per user, as after their login."""
    from flask import session
    from flask_login import login_user
    from flask_wtf.csrf import generate_csrf

    from governance import create_app

    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": secret, "SCHEMA_CHECK": False})
    serializer = app.session_interface.get_signing_serializer(app)
    out = []
    for user in users:
        env = {"REMOTE_ADDR": "127.0.0.1"}
        with app.test_request_context(environ_base=env, headers={"User-Agent": UA}):
            login_user(User(id=user.id, email=user.email, security_stamp=user.security_stamp))
            token = generate_csrf()
            out.append(HttpSession(serializer.dumps(dict(session)), token))
    app.extensions["governance.engine"].dispose()
    return out


def post(
    port: int, path: str, form: dict[str, Any], who: HttpSession, accept: str = "text/html"
) -> tuple[int, str]:
    """POST a form with the session; (status, body). Connection errors propagate."""
    body = urlencode({"csrf_token": who.csrf, **form})
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(
            "POST",
            path,
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"session={who.cookie}",
                "User-Agent": UA,
                "Accept": accept,
            },
        )
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()
