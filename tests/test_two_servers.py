"""Two app servers on one PostgreSQL database and one Redis, as behind a load balancer (#19).

Two separate gunicorn servers share the database, the secret key, the rate limits and the live
state's cache (Redis). A voting story crosses them: members log in on one and watch and cast
on the other, the chair works on the first; the login limit counts attempts on both together;
a change the chair makes on one is seen at once on the other; the audit passes afterwards.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from governance.assemblies.models_agenda import AgendaItem
from tests.conftest import PASSWORD
from tests.e2e.conftest import LiveServer

ROOT = Path(__file__).resolve().parents[1]
REDIS = "redis://127.0.0.1:6379/3"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Browser:
    """Cookies and CSRF tokens as a browser keeps them; one session across both servers."""

    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )

    def get(self, url: str) -> tuple[int, str]:
        return self._open(urllib.request.Request(url))

    def post(self, url: str, data: dict[str, Any], token_from: str) -> tuple[int, str]:
        _status, page = self.get(token_from)
        found = CSRF.search(page)
        assert found, f"no CSRF token on {token_from}"
        body = urllib.parse.urlencode({**data, "csrf_token": found.group(1)}).encode()
        return self._open(urllib.request.Request(url, data=body, method="POST"))

    def _open(self, request: urllib.request.Request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=30) as r:
                return r.status, r.read().decode("utf-8")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8", "replace")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@pytest.fixture
def servers(app: Any, backend: str, smtp: Any) -> Iterator[tuple[LiveServer, LiveServer]]:
    if backend != "postgresql":
        pytest.skip("several app servers share a PostgreSQL database (SQLite: one server)")
    redis.Redis.from_url(REDIS).flushdb()
    prefix = f"two-{uuid.uuid4().hex}"
    pair = []
    for _ in range(2):
        server = LiveServer(app.config["DATABASE_URL"], smtp.port, workers=1)
        server.env.pop("GOVERNANCE_RATELIMIT_DISABLED")
        server.env.update(
            {
                "GOVERNANCE_RATELIMIT_STORAGE_URI": REDIS,
                "GOVERNANCE_CACHE_URL": REDIS,
                "GOVERNANCE_CACHE_PREFIX": prefix,
                "GOVERNANCE_LOGIN_LIMIT_PER_ACCOUNT": "5 per 15 minutes",
            }
        )
        server.start()
        pair.append(server)
    yield pair[0], pair[1]
    for server in pair:
        server.stop()


def log_in(browser: Browser, server: LiveServer, email: str, password: str = PASSWORD) -> int:
    data = {"email": email, "password": password}
    status, _page = browser.post(f"{server.url}/login", data, token_from=f"{server.url}/login")
    return status


def test_a_vote_across_two_servers(servers, app, vote_world, make_poll, make_user) -> None:
    a, b = servers
    world = vote_world(members=3)
    poll = make_poll(world)
    with world.session() as s:
        item = AgendaItem(assembly_id=world.assembly_id, position=1, title="Jahresabschluss")
        s.add(item)
        s.commit()
        item_id = item.id
    live = f"/assemblies/{world.assembly_id}/live"

    # Each member logs in on one server and votes on the other (or on the same one).
    for i, (login_on, vote_on) in enumerate([(a, b), (b, a), (a, a)]):
        browser = Browser()
        assert log_in(browser, login_on, world.users[i].email) == 302
        status, page = browser.get(vote_on.url + live)
        assert status == 200 and "live-ballot-form" in page
        status, answer = browser.post(
            f"{vote_on.url}/polls/{poll.id}/cast",
            {"voter": world.member_ids[i], "choice": "YES"},
            token_from=vote_on.url + live,
        )
        assert status in (200, 302), answer[:300]

    # The chair calls an item on A; a watcher of B sees it at once (the cache is shared).
    watcher = Browser()
    assert log_in(watcher, b, world.users[0].email) == 302
    assert '"item":null' in watcher.get(f"{b.url}{live}.json")[1].replace(" ", "")
    chair = Browser()
    assert log_in(chair, a, world.chair.email) == 302
    cockpit = f"{a.url}/assemblies/{world.assembly_id}/cockpit"
    status, _ = chair.post(
        f"{a.url}/assemblies/{world.assembly_id}/current-item", {"item_id": item_id}, cockpit
    )
    assert status == 302
    assert f'"id":{item_id}' in watcher.get(f"{b.url}{live}.json")[1].replace(" ", "")

    # The chair closes the poll on B; the audit passes over what both servers wrote.
    status, _ = chair.post(
        f"{b.url}/polls/{poll.id}/close", {}, token_from=f"{b.url}/polls/{poll.id}"
    )
    assert status == 302
    audit = subprocess.run(
        [str(Path(sys.executable).parent / "governance"), "audit", "verify"],
        cwd=ROOT,
        env={**os.environ, "GOVERNANCE_DATABASE_URL": app.config["DATABASE_URL"]},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert audit.returncode == 0, audit.stdout + audit.stderr
    assert "All checks passed." in audit.stdout

    # The login limit counts the attempts on both servers together.
    user = make_user()
    browser = Browser()
    for server in (a, b, a, b, a):  # five wrong passwords, spread over both servers
        assert log_in(browser, server, user.email, "wrong-password") == 200
    assert log_in(browser, b, user.email) == 429  # the sixth attempt, even the right one
    assert log_in(browser, a, user.email) == 429
