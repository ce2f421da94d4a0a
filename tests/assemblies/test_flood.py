"""One login cannot flood the live page's endpoints: heartbeats and live state are limited per
login (429 beyond), and a beat soon after the last one written costs no database write."""

from __future__ import annotations

import re
from collections import Counter
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, update

from governance.assemblies import watch
from governance.assemblies.models import AssemblyForm, AssemblyState, Attendance
from governance.db import new_session, utcnow

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
    assert first.status_code == 200 and first.json == {"channel": "ONLINE", "beat_seconds": 45}
    with _writes(engine) as writes:
        answers = [client.post(url, headers=headers) for _ in range(29)]
    statuses = [r.status_code for r in answers]
    assert statuses == [200] * 9 + [429] * 20
    assert all(r.json == {"channel": "ONLINE", "beat_seconds": 45} for r in answers[:9])
    assert answers[-1].json == {"error": "too_many_requests"}
    assert not writes, writes  # the early beats are answered from a read, the rest refused
    # Another login is not held up by the flood.
    assert other.post(url, headers={watch.HEADER: other_token}).status_code == 200


def test_a_beat_after_the_early_window_is_written(
    app, engine, login, make_user, make_member, make_assembly
):
    from governance.assemblies.attendance import EARLY_BEAT

    assembly, [(client, token)] = _live(login, make_user, make_member, make_assembly, n=1)
    url = f"/assemblies/{assembly.id}/heartbeat"
    assert client.post(url, headers={watch.HEADER: token}).status_code == 200
    with new_session(engine) as s:
        past = utcnow() - EARLY_BEAT - timedelta(seconds=1)
        s.execute(update(Attendance).values(last_seen_at=past))
        s.commit()
    with _writes(engine) as writes:
        assert client.post(url, headers={watch.HEADER: token}).json == {
            "channel": "ONLINE",
            "beat_seconds": 45,
        }
        assert client.post(url, headers={watch.HEADER: token}).json == {
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
