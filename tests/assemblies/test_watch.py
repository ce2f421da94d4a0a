"""Watch passes: the live page's cheap path (live.json and the heartbeat without loading the
user) is open only to the login the pass was issued to, for its assembly, while it is fresh."""

from __future__ import annotations

import re
import time
from datetime import timedelta

from sqlalchemy import event, select, update

from governance.accounts.models import Role, User
from governance.assemblies import attendance, watch
from governance.assemblies.live import (
    MAX_POLL_SECONDS,
    MAX_SHED_POLL_SECONDS,
    POLL_SECONDS,
    poll_interval,
)
from governance.assemblies.models import Assembly, AssemblyForm, AssemblyState, Attendance
from governance.auditlog import AuditEvent
from governance.db import new_session, utcnow
from governance.register.models import Member
from tests.assemblies import beat

SECRET = "test-secret"


def test_a_pass_names_its_assembly_and_login():
    token = watch.issue(SECRET, assembly_id=3, login="7:0", member_id=11)
    granted = watch.check(SECRET, token, assembly_id=3, login="7:0", now=time.time())
    assert granted is not None and granted.member_id == 11 and granted.fresh
    assert watch.check(SECRET, token, assembly_id=4, login="7:0", now=time.time()) is None
    assert watch.check(SECRET, token, assembly_id=3, login="8:0", now=time.time()) is None
    assert watch.check(SECRET, token, assembly_id=3, login=None, now=time.time()) is None
    assert watch.check("another-secret", token, assembly_id=3, login="7:0", now=time.time()) is None
    assert watch.check(SECRET, token[:-2] + "xx", assembly_id=3, login="7:0", now=0) is None
    assert watch.check(SECRET, None, assembly_id=3, login="7:0", now=time.time()) is None


def test_an_old_pass_is_not_fresh_and_an_expired_one_is_refused(monkeypatch):
    token = watch.issue(SECRET, assembly_id=3, login="7:0", member_id=None)
    later = time.time() + watch.REFRESH_SECONDS + 1
    granted = watch.check(SECRET, token, assembly_id=3, login="7:0", now=later)
    assert granted is not None and not granted.fresh
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + watch.MAX_AGE_SECONDS + 5)
    assert watch.check(SECRET, token, assembly_id=3, login="7:0", now=time.time()) is None


def _watcher(login, make_user, make_member, make_assembly, form=AssemblyForm.VIRTUAL):
    member = make_member()
    user = make_user(member_id=member.id)
    assembly = make_assembly(state=AssemblyState.IN_SESSION, form=form, members=[member])
    client = login(user)
    page = client.get(f"/assemblies/{assembly.id}/live").get_data(as_text=True)
    token = re.search(r'data-watch-pass="([^"]+)"', page).group(1)
    return client, user, member, assembly, token


def _deactivate(app, user):
    with new_session(app.extensions["governance.engine"]) as s:
        s.execute(update(User).where(User.id == user.id).values(active=False))
        s.commit()


def test_live_json_with_a_pass_skips_the_user_check_and_without_renews_it(
    app, login, make_user, make_member, make_assembly
):
    client, user, _m, assembly, token = _watcher(login, make_user, make_member, make_assembly)
    url = f"/assemblies/{assembly.id}/live.json"
    plain = client.get(url)
    assert plain.status_code == 200 and plain.headers.get(watch.HEADER)
    with_pass = client.get(url, headers={watch.HEADER: token})
    assert with_pass.status_code == 200 and watch.HEADER not in with_pass.headers
    assert with_pass.json == plain.json
    # The pass is what lets the request through without loading the user: a deactivated user
    # keeps watching until the pass needs renewing (at most REFRESH_SECONDS) ...
    _deactivate(app, user)
    assert client.get(url, headers={watch.HEADER: token}).status_code == 200
    # ... while a request without a pass takes the full check at once.
    assert client.get(url).status_code in (302, 401)


def test_a_pass_is_worthless_without_its_login(app, login, make_user, make_member, make_assembly):
    client, _user, _m, assembly, token = _watcher(login, make_user, make_member, make_assembly)
    url = f"/assemblies/{assembly.id}/live.json"
    client.post("/logout")
    assert client.get(url, headers={watch.HEADER: token}).status_code in (302, 401)
    stranger = app.test_client()
    assert stranger.get(url, headers={watch.HEADER: token}).status_code in (302, 401)
    outsider = login(roles=[Role.MEMBER])  # logged in, not on the roll: the full check refuses
    assert outsider.get(url, headers={watch.HEADER: token}).status_code == 403


def test_a_pass_is_for_one_assembly(login, make_user, make_member, make_assembly):
    client, _user, _m, _assembly, token = _watcher(login, make_user, make_member, make_assembly)
    other = make_assembly(state=AssemblyState.IN_SESSION, members=[make_member()])
    r = client.get(f"/assemblies/{other.id}/live.json", headers={watch.HEADER: token})
    assert r.status_code == 403


def test_heartbeat_with_a_pass_refreshes_presence_in_one_update(
    app, login, make_user, make_member, make_assembly
):
    client, user, member, assembly, token = _watcher(login, make_user, make_member, make_assembly)
    url = f"/assemblies/{assembly.id}/heartbeat"
    first = client.post(url, headers={watch.HEADER: token})  # joins online under the pass
    assert first.status_code == 200 and beat(first) == {"channel": "ONLINE", "beat_seconds": 45}
    assert watch.HEADER not in first.headers  # the pass is fresh: no full check, no new one
    engine = app.extensions["governance.engine"]
    with new_session(engine) as s:
        past = utcnow() - timedelta(seconds=60)
        s.execute(update(Attendance).values(last_seen_at=past))
        s.commit()
    _deactivate(app, user)  # proves the cheap path: the full check would refuse now
    again = client.post(url, headers={watch.HEADER: token})
    assert again.status_code == 200 and beat(again) == {"channel": "ONLINE", "beat_seconds": 45}
    assert watch.HEADER not in again.headers
    with new_session(engine) as s:
        seen = s.scalar(select(Attendance.last_seen_at).where(Attendance.member_id == member.id))
        joined = s.scalars(
            select(AuditEvent.event_type).where(AuditEvent.event_type == "attendance.online_joined")
        ).all()
    assert utcnow() - seen < timedelta(seconds=30)
    assert len(joined) == 1  # the refresh records no second joining


def test_heartbeat_pass_does_not_outlive_the_session(
    app, login, make_user, make_member, make_assembly
):
    client, _user, _m, assembly, token = _watcher(login, make_user, make_member, make_assembly)
    url = f"/assemblies/{assembly.id}/heartbeat"
    assert client.post(url, headers={watch.HEADER: token}).status_code == 200
    client.post("/logout")
    assert client.post(url, headers={watch.HEADER: token}).status_code in (302, 401)


def test_heartbeat_pass_stops_when_the_assembly_closes(
    app, login, make_user, make_member, make_assembly
):
    client, _user, _m, assembly, token = _watcher(login, make_user, make_member, make_assembly)
    url = f"/assemblies/{assembly.id}/heartbeat"
    assert beat(client.post(url, headers={watch.HEADER: token})) == {
        "channel": "ONLINE",
        "beat_seconds": 45,
    }
    with new_session(app.extensions["governance.engine"]) as s:
        s.execute(
            update(Assembly).where(Assembly.id == assembly.id).values(state=AssemblyState.CLOSED)
        )
        s.commit()
    assert beat(client.post(url, headers={watch.HEADER: token})) == {
        "channel": None,
        "beat_seconds": 45,
    }


def test_room_assemblies_give_no_heartbeat_pass(login, make_user, make_member, make_assembly):
    client, _user, _m, assembly, token = _watcher(
        login, make_user, make_member, make_assembly, form=AssemblyForm.IN_PERSON
    )
    granted = watch.check(
        client.application.config["SECRET_KEY"],
        token,
        assembly_id=assembly.id,
        login=f"{_user.id}:{_user.security_stamp}",
        now=time.time(),
    )
    assert granted is not None and granted.member_id is None


def test_the_live_page_asks_less_often_for_a_large_audience():
    assert poll_interval(0) == POLL_SECONDS
    assert poll_interval(1000, 250) == POLL_SECONDS
    assert poll_interval(5000, 250) == 20  # 5,000 pages, one request each per 20 s: 250/s
    assert poll_interval(100_000, 250) == MAX_POLL_SECONDS
    # A busy server (a poll open): 2× or 4× longer, up to a minute.
    assert poll_interval(1000, 250, busy_factor=4) == 20
    assert poll_interval(5000, 250, busy_factor=2) == 40
    assert poll_interval(5000, 250, busy_factor=4) == MAX_SHED_POLL_SECONDS == 60
    assert poll_interval(100_000, 250, busy_factor=1) == MAX_POLL_SECONDS


def test_while_a_poll_is_open_the_live_state_keeps_half_its_budget_for_the_votes():
    """The casts come on top of the live state while a poll is open: the pages are told the
    interval for half the budget, from the answer that shows them the poll (issue #19)."""
    assert poll_interval(1000, 250, voting=True) == 8  # 125/s: 1,000 pages every 8 s
    assert poll_interval(600, 250, voting=True) == POLL_SECONDS  # a small audience: unchanged
    assert poll_interval(2500, 250, voting=True) == 20  # against 10 s with no poll open
    assert poll_interval(5000, 250, voting=True) == MAX_POLL_SECONDS  # 40 s, at most 30
    assert poll_interval(5000, 250, busy_factor=2, voting=True) == MAX_SHED_POLL_SECONDS
    assert poll_interval(3, 1, voting=True) == POLL_SECONDS  # a budget of 1/s: 0.5, read as 1


def test_live_json_says_when_to_ask_next(app, login, make_user, make_member, make_assembly):
    members = [make_member() for _ in range(30)]
    user = make_user(member_id=members[0].id)
    assembly = make_assembly(
        state=AssemblyState.IN_SESSION, form=AssemblyForm.VIRTUAL, members=members
    )
    with new_session(app.extensions["governance.engine"]) as s:
        live = s.get(Assembly, assembly.id)
        for m in members:
            attendance.heartbeat(s, assembly=live, member_id=m.id, now=utcnow())
        s.commit()
    client = login(user)
    url = f"/assemblies/{assembly.id}/live.json"
    assert client.get(url).json["poll_seconds"] == 5  # 30 pages at the default 250/s
    app.config["LIVE_REQUESTS_PER_SECOND"] = 3
    app.extensions.pop("assemblies.live_cache", None)
    assert client.get(url).json["poll_seconds"] == 10  # 30 pages, 3 requests/s
    page = client.get(f"/assemblies/{assembly.id}/live").get_data(as_text=True)
    assert 'data-poll-seconds="10"' in page


def test_live_json_tells_a_longer_interval_once_a_poll_is_open(app, vote_world, make_poll, login):
    """Half the live budget while the members vote: told in the answer that shows the poll."""
    world = vote_world(members=30, form=AssemblyForm.VIRTUAL)
    with new_session(app.extensions["governance.engine"]) as s:
        live = s.get(Assembly, world.assembly_id)
        for member_id in world.member_ids:
            attendance.heartbeat(s, assembly=live, member_id=member_id, now=utcnow())
        s.commit()
    app.config["LIVE_REQUESTS_PER_SECOND"] = 3
    app.extensions.pop("assemblies.live_cache", None)
    client = login(world.users[0])
    url = f"/assemblies/{world.assembly_id}/live.json"
    waiting = client.get(url).json
    assert waiting["poll"] is None and waiting["poll_seconds"] == 10  # 30 pages, 3 requests/s
    poll = make_poll(world)
    app.extensions.pop("assemblies.live_cache", None)
    voting = client.get(url, headers={"If-None-Match": "x"}).json
    assert voting["poll"]["id"] == poll.id and voting["poll_seconds"] == 20  # 1.5/s for 30


def test_a_beat_carries_the_live_state_unless_the_page_holds_it(app, vote_world, make_poll, login):
    """The page beats in place of a live-state request (live.js): the beat's answer is the
    state live.json gives, with its ETag, and leaves it out when the page sent that ETag."""
    world = vote_world(members=2, form=AssemblyForm.VIRTUAL, present=False)
    client = login(world.users[0])
    page = client.get(f"/assemblies/{world.assembly_id}/live").get_data(as_text=True)
    token = re.search(r'data-watch-pass="([^"]+)"', page).group(1)
    url = f"/assemblies/{world.assembly_id}/heartbeat"
    state = client.get(f"/assemblies/{world.assembly_id}/live.json", headers={watch.HEADER: token})
    for headers in ({watch.HEADER: token}, {}):  # under the pass, and through the full check
        first = client.post(url, headers=headers)
        assert first.json["live"] == state.json and first.json["etag"] == state.headers["ETag"]
        held = client.post(url, headers=headers | {"X-Live-ETag": state.headers["ETag"]})
        assert held.status_code == 200 and "live" not in held.json and "etag" not in held.json
        assert held.json["channel"] == "ONLINE"
    # A poll opens: a page holding the old state is sent the new one with the beat.
    poll = make_poll(world)
    app.extensions.pop("assemblies.live_cache", None)
    news = client.post(url, headers={watch.HEADER: token, "X-Live-ETag": state.headers["ETag"]})
    assert news.json["live"]["poll"]["id"] == poll.id
    assert news.json["etag"] != state.headers["ETag"]


def test_a_beat_refused_for_lack_of_access_carries_no_state(
    login, make_user, make_member, make_assembly
):
    _client, _user, _m, assembly, token = _watcher(login, make_user, make_member, make_assembly)
    outsider = login(roles=[Role.MEMBER])  # not on the roll; someone else's pass is no help
    url = f"/assemblies/{assembly.id}/heartbeat"
    refused = outsider.post(url, headers={watch.HEADER: token})
    assert refused.status_code == 403 and b"live" not in refused.data


def test_joining_under_a_pass_skips_the_page_check_but_not_the_attendance_rules(
    app, login, make_user, make_member, make_assembly
):

    client, user, member, assembly, token = _watcher(login, make_user, make_member, make_assembly)
    url = f"/assemblies/{assembly.id}/heartbeat"
    engine = app.extensions["governance.engine"]
    with new_session(engine) as s:  # §68(2): expelled since today
        s.execute(
            update(Member)
            .where(Member.id == member.id)
            .values(expulsion_letter_date=utcnow().date())
        )
        s.commit()
    refused = client.post(url, headers={watch.HEADER: token})
    assert refused.status_code == 200 and refused.json["channel"] is None
    with new_session(engine) as s:
        assert s.scalars(select(Attendance).where(Attendance.member_id == member.id)).all() == []
        s.execute(update(Member).where(Member.id == member.id).values(expulsion_letter_date=None))
        s.commit()
    _deactivate(app, user)  # proves the pass's path: the page's full check would refuse now
    joined = client.post(url, headers={watch.HEADER: token})
    assert beat(joined) == {"channel": "ONLINE", "beat_seconds": 45}
    with new_session(engine) as s:
        events = s.scalars(
            select(AuditEvent.event_type).where(AuditEvent.event_type == "attendance.online_joined")
        ).all()
    assert events == ["attendance.online_joined"]


def test_the_live_page_reads_the_member_s_roll_entry_once(
    app, engine, login, make_user, make_member, make_assembly
):
    """The access check and the page's ballot share one read of the roll entry, which also
    tells whether the member holds a proxy (issue #19: the live page is the largest cost while
    the members arrive)."""
    member = make_member()
    user = make_user(member_id=member.id)
    assembly = make_assembly(
        state=AssemblyState.IN_SESSION, form=AssemblyForm.VIRTUAL, members=[member]
    )
    client = login(user)
    client.get(f"/assemblies/{assembly.id}/live")  # the live state computed and kept
    reads: list[str] = []

    def note(_conn, _cursor, statement, _params, _context, _many):
        if "FROM roll_entry" in statement and "roll_entry.member_id =" in statement:
            reads.append(statement)  # the member's own entry (not the roll's size)
        elif "FROM mandate" in statement:
            reads.append(statement)  # a read of the member's proxies of its own

    event.listen(engine, "before_cursor_execute", note)
    try:
        page = client.get(f"/assemblies/{assembly.id}/live")
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert page.status_code == 200 and 'data-heartbeat-url="' in page.get_data(as_text=True)
    assert len(reads) == 1 and "FROM mandate" in reads[0], reads
