"""One login cannot flood the live page's endpoints: heartbeats and live state are limited per
login (429 beyond), and a beat soon after the last one written costs no database write."""

from __future__ import annotations

import re
import uuid
from collections import Counter
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, select, update

from governance import create_app
from governance.assemblies import watch
from governance.assemblies.attendance import EARLY_BEAT
from governance.assemblies.models import AssemblyForm, AssemblyState, Attendance
from governance.db import new_session, utcnow
from governance.ratelimit import BATCH
from governance.security import limiter
from tests.assemblies import beat
from tests.conftest import PASSWORD, PerRequestClient

LIMITS = {
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_STORAGE_URI": "memory://",
    "HEARTBEAT_LIMIT_PER_LOGIN": "10 per minute",
    "LIVE_LIMIT_PER_LOGIN": "20 per minute",
}


@pytest.fixture
def app_config():
    return dict(LIMITS)


def _live(login, make_user, make_member, make_assembly, n=2):
    members = [make_member() for _ in range(n)]
    assembly = make_assembly(
        state=AssemblyState.IN_SESSION, form=AssemblyForm.VIRTUAL, members=members
    )
    clients = []
    for m in members:
        client = login(make_user(member_id=m.id))
        page = client.get(f"/assemblies/{assembly.id}/live").get_data(as_text=True)
        token = re.search(r'data-watch-pass="([^"]+)"', page).group(1)
        clients.append((client, token))
    return assembly, clients


@contextmanager
def _writes(engine):
    """Counts the INSERT/UPDATE/DELETE statements run, by statement kind and table."""
    seen: Counter[str] = Counter()

    def note(_conn, _cursor, statement, _params, _context, _many):
        words = statement.split()
        verb = words[0].upper() if words else ""
        if verb in ("INSERT", "UPDATE", "DELETE"):
            table = (words[2] if verb in ("INSERT", "DELETE") else words[1]).strip('"')
            seen[f"{verb} {table}"] += 1

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


@pytest.mark.parametrize("with_pass", [True, False])
def test_a_heartbeat_flood_gets_429_and_no_writes(
    app, engine, login, make_user, make_member, make_assembly, with_pass
):
    assembly, [(client, token), (other, other_token)] = _live(
        login, make_user, make_member, make_assembly
    )
    url = f"/assemblies/{assembly.id}/heartbeat"
    headers = {watch.HEADER: token} if with_pass else {}
    first = client.post(url, headers=headers)  # joins online: written
    assert first.status_code == 200 and beat(first) == {"channel": "ONLINE", "beat_seconds": 45}
    with _writes(engine) as writes:
        answers = [client.post(url, headers=headers) for _ in range(29)]
    statuses = [r.status_code for r in answers]
    assert statuses == [200] * 9 + [429] * 20
    assert all(beat(r) == {"channel": "ONLINE", "beat_seconds": 45} for r in answers[:9])
    assert answers[-1].json == {"error": "too_many_requests"}
    assert not writes, writes  # the early beats are answered from a read, the rest refused
    # Another login is not held up by the flood.
    assert other.post(url, headers={watch.HEADER: other_token}).status_code == 200


def test_a_beat_after_the_early_window_is_written(
    app, engine, login, make_user, make_member, make_assembly
):

    assembly, [(client, token)] = _live(login, make_user, make_member, make_assembly, n=1)
    url = f"/assemblies/{assembly.id}/heartbeat"
    assert client.post(url, headers={watch.HEADER: token}).status_code == 200
    with new_session(engine) as s:
        past = utcnow() - EARLY_BEAT - timedelta(seconds=1)
        s.execute(update(Attendance).values(last_seen_at=past))
        s.commit()
    with _writes(engine) as writes:
        assert beat(client.post(url, headers={watch.HEADER: token})) == {
            "channel": "ONLINE",
            "beat_seconds": 45,
        }
        assert beat(client.post(url, headers={watch.HEADER: token})) == {
            "channel": "ONLINE",
            "beat_seconds": 45,
        }
    assert writes == Counter({"UPDATE attendance": 1})


def test_live_state_is_limited_per_login(app, login, make_user, make_member, make_assembly):
    assembly, [(client, token), (other, other_token)] = _live(
        login, make_user, make_member, make_assembly
    )
    url = f"/assemblies/{assembly.id}/live.json"
    statuses = [client.get(url, headers={watch.HEADER: token}).status_code for _ in range(25)]
    assert statuses == [200] * 20 + [429] * 5
    refused = client.get(url)
    assert refused.status_code == 429 and refused.json == {"error": "too_many_requests"}
    assert other.get(url, headers={watch.HEADER: other_token}).status_code == 200


@pytest.mark.parametrize("storage", ["redis", "memory"])
def test_the_live_limit_is_counted_across_servers_in_redis(
    app, login, make_user, make_member, make_assembly, storage
):
    """Two app instances on one database stand for two app servers: with the limits in Redis
    (as #19 deploys them) one login's requests count together wherever they land, each server
    telling Redis in batches (at most BATCH - 1 requests per server beyond the limit); with
    memory:// (the control) each server counts only its own."""

    shared = {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0" if storage == "redis" else "memory://",
        "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
    }
    servers = []
    for _ in range(2):
        server = create_app({**app.config, **shared, "SCHEMA_CHECK": False})
        server.test_client_class = PerRequestClient
        servers.append(server)
    try:
        member = make_member()
        assembly = make_assembly(
            state=AssemblyState.IN_SESSION, form=AssemblyForm.VIRTUAL, members=[member]
        )
        user = make_user(member_id=member.id)
        clients = []
        for server in servers:
            client = server.test_client()
            login_form = {"email": user.email, "password": PASSWORD}
            assert client.post("/login", data=login_form).status_code == 302
            clients.append(client)
        url = f"/assemblies/{assembly.id}/live.json"
        answers = [[], []]
        for i in range(60):
            answers[i % 2].append(clients[i % 2].get(url).status_code)
        taken = sum(a.count(200) for a in answers)
        for statuses in answers:  # once refused, a server refuses the rest of the window
            first = statuses.index(429) if 429 in statuses else len(statuses)
            assert set(statuses[first:]) <= {429}
        if storage == "redis":
            assert 20 <= taken <= 20 + 2 * (BATCH - 1), answers
        else:
            assert taken == 40, answers
    finally:
        for server in servers:
            server.extensions["governance.engine"].dispose()


def test_no_limiter_pass_runs_on_requests_without_a_limit(app):
    """Flask-Limiter's before_request pass (application and default limits, of which there are
    none) is dropped: each limit is checked by its view's decorator, and the login limits hold
    (tests/accounts/test_ratelimit.py)."""

    assert limiter._check_request_limit not in app.before_request_funcs.get(None, [])


def test_joining_is_one_insert_and_its_audit_event(
    app, engine, login, make_user, make_member, make_assembly
):
    """A member's first beat (the most frequent write while the members arrive) inserts the
    attendance in one statement, with no savepoint around it and no UPDATE tried before it (the
    read found no row); a second tab's beat finds the row and writes nothing more."""
    assembly, [(client, token)] = _live(login, make_user, make_member, make_assembly, n=1)
    url = f"/assemblies/{assembly.id}/heartbeat"
    statements: list[str] = []

    def note(_conn, _cursor, statement, *_args):
        statements.append(statement.split()[0].upper())

    event.listen(engine, "before_cursor_execute", note)
    try:
        with _writes(engine) as writes:
            assert client.post(url, headers={watch.HEADER: token}).json["channel"] == "ONLINE"
        # The read found no row: no present member's UPDATE is tried before the insert.
        expected = {"INSERT attendance": 1, "INSERT audit_event": 1}
        assert writes == Counter(expected)
        assert "SAVEPOINT" not in statements and "RELEASE" not in statements
    finally:
        event.remove(engine, "before_cursor_execute", note)


def test_a_present_members_beat_is_one_update_and_a_lapsed_one_rejoins(
    app, engine, login, make_user, make_member, make_assembly
):
    """After the read: a present member's beat beyond EARLY_BEAT is one UPDATE; a member whose
    presence lapsed (ONLINE_WINDOW) is online again through the join's checks."""
    assembly, [(client, token)] = _live(login, make_user, make_member, make_assembly, n=1)
    url = f"/assemblies/{assembly.id}/heartbeat"
    assert client.post(url, headers={watch.HEADER: token}).json["channel"] == "ONLINE"

    def last_seen(ago: timedelta) -> None:
        with new_session(engine) as s:
            s.execute(update(Attendance).values(last_seen_at=utcnow() - ago))
            s.commit()

    last_seen(EARLY_BEAT + timedelta(seconds=5))
    with _writes(engine) as writes:
        assert client.post(url, headers={watch.HEADER: token}).json["channel"] == "ONLINE"
    assert writes == Counter({"UPDATE attendance": 1})

    last_seen(timedelta(minutes=10))  # not present any more: the UPDATE matches nothing
    with _writes(engine) as writes:
        assert client.post(url, headers={watch.HEADER: token}).json["channel"] == "ONLINE"
    # The UPDATE matched nothing; the join's insert met the row, which is written online again.
    assert writes == Counter({"UPDATE attendance": 2, "INSERT attendance": 1})
    with new_session(engine) as s:
        seen = s.scalars(select(Attendance.last_seen_at)).one()
    assert utcnow() - seen < timedelta(minutes=1)
