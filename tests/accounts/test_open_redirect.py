"""No open redirect: `next` after login and after a language switch stays on this site.

Each payload is judged where the browser lands: the Location header read as a browser reads it
(tabs, CR and LF removed, backslashes as slashes, then resolved against the page), and one hop
further if the app redirects again.
"""

from __future__ import annotations

from urllib.parse import unquote, urljoin, urlsplit

import pytest

from tests.conftest import PASSWORD

HOST = "localhost"
PAGE = f"http://{HOST}/login"

# Raw (percent-encoded) as an attacker puts them into a link.
PAYLOADS = [
    "//evil.example/phish",
    "///evil.example/phish",
    "/%5Cevil.example",
    "%5C/%5C/evil.example",
    "/%5C/evil.example",
    "/%09/evil.example/phish",
    "%09//evil.example",
    "/%0a/evil.example",
    "/%0d/evil.example",
    "/%0d%0aSet-Cookie:%20x=1",
    "/%00/evil.example",
    "%20//evil.example",
    "https://evil.example/",
    "http:evil.example",
    "https:/evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt%3Aalert(1)",
    "data:text/html,<script>alert(1)</script>",
    "%2F%2Fevil.example",
    "/%2F%2Fevil.example",
    "/%252F%252Fevil.example",
    "/..//evil.example",
    "/.//evil.example",
    "//evil.example%2F",
    "/%E3%80%80/evil.example",
    "\\/\\/evil.example",
]


def _browser_target(location: str, base: str = PAGE) -> tuple[str, str]:
    """(scheme, host) a browser would go to for this Location (WHATWG-style clean-up)."""
    cleaned = location.strip("".join(map(chr, range(0x21))))
    cleaned = "".join(c for c in cleaned if c not in "\t\r\n").replace("\\", "/")
    target = urlsplit(urljoin(base, cleaned))
    return target.scheme, target.hostname or ""


def _stays_here(client, response, payload: str) -> None:
    assert response.status_code in (302, 303), (payload, response.status_code)
    location = response.headers["Location"]
    assert _browser_target(location) == ("http", HOST), (payload, location)
    # One hop further: the page the browser asks for does not send it away either.
    path = urljoin(PAGE, location)
    then = client.get(path)
    assert then.status_code != 500, (payload, location)
    if then.status_code in (301, 302, 303, 307, 308):
        assert _browser_target(then.headers["Location"], path) == ("http", HOST), payload


@pytest.mark.parametrize("payload", PAYLOADS)
def test_login_next_never_leaves_the_site(app, make_user, payload):
    user = make_user()
    client = app.test_client()
    r = client.post(f"/login?next={payload}", data={"email": user.email, "password": PASSWORD})
    _stays_here(client, r, payload)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_language_switch_next_never_leaves_the_site(app, payload):
    client = app.test_client()
    r = client.post("/lang/en", data={"next": unquote(payload)})
    _stays_here(client, r, payload)


def test_local_next_is_followed(app, make_user):
    user = make_user()
    client = app.test_client()
    data = {"email": user.email, "password": PASSWORD}
    r = client.post("/login?next=/account/password%3Fx%3D1", data=data)
    assert r.headers["Location"] == "/account/password?x=1"
    r = client.post("/lang/en", data={"next": "/login?next=/admin/users"})
    assert r.headers["Location"] == "/login?next=/admin/users"
    r = client.post("/lang/de", data={"next": "/suche?q=Müller Eva"})
    assert r.headers["Location"] == "/suche?q=M%C3%BCller%20Eva"
