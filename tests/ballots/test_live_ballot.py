"""The ballot on the live page: live.json describes the open poll's ballot, the page carries
the member's own voter data, and the cast answers JSON (one request, tracker once)."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import event, func, inspect, select

from governance.assemblies.models import Assembly
from governance.ballots.models import Ballot, ElectionMode, Participation, Poll, PollKind
from governance.ballots.publishing import publish_poll
from governance.ballots.services import close_poll, open_poll
from governance.ballots.voters import GATE_COLUMNS, entitlement
from governance.db import utcnow
from tests.factories_ballots import add_mandate, cast

JSON = {"Accept": "application/json"}


def _ballot_section(page: str) -> str | None:
    found = re.search(r'<section id="live-ballot".*?</section>', page, re.S)
    return found.group(0) if found else None


def test_live_json_describes_the_ballot(vote_world, make_poll, login):
    world = vote_world(members=2)
    poll = make_poll(
        world,
        title="Wahl in den Aufsichtsrat",
        kind=PollKind.ELECTION,
        election_mode=ElectionMode.CHOOSE_UP_TO_N,
        seats=2,
        candidates=["Anna", "Ben", "Cem"],
    )
    data = login(world.users[0]).get(f"/assemblies/{world.assembly_id}/live.json").json
    assert data["poll"]["id"] == poll.id
    assert data["poll"]["cast_url"] == f"/polls/{poll.id}/cast"
    ballot = data["poll"]["ballot"]
    assert ballot["kind"] == "ELECTION" and ballot["mode"] == "CHOOSE_UP_TO_N"
    assert ballot["seats"] == 2 and ballot["secret"] is True
    assert [o["label"] for o in ballot["options"]] == ["Anna", "Ben", "Cem"]


def test_cast_from_the_live_page_answers_json_once(vote_world, make_poll, login):
    world = vote_world(members=3)
    poll = make_poll(world)
    member = login(world.users[0])
    page = member.get(f"/assemblies/{world.assembly_id}/live").get_data(as_text=True)
    section = _ballot_section(page)
    assert section is not None
    assert f'data-voter="{world.member_ids[0]}"' in section and 'data-voted-poll=""' in section
    assert re.search(r'id="live-vote"[^>]*>Open the ballot page</a>', page)  # beside the ballot
    initial = json.loads(re.search(r"data-poll='([^']*)'", section).group(1))
    assert initial["id"] == poll.id and initial["ballot"]["kind"] == "MOTION"

    form = {"voter": world.member_ids[0], "choice": "NO"}
    r = member.post(f"/polls/{poll.id}/cast", data=form, headers=JSON)
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    [tracker] = r.json["trackers"]
    assert re.fullmatch(r"[0-9A-Z-]{26,}", tracker)

    again = member.post(f"/polls/{poll.id}/cast", data={**form, "choice": "YES"}, headers=JSON)
    assert again.status_code == 409 and "already" in again.json["error"]
    assert again.json["voted"] is True  # the page shows "you have voted", not the ballot
    with world.session() as s:
        assert s.scalar(select(func.count()).select_from(Participation)) == 1
        assert s.scalar(select(func.count()).select_from(Ballot)) == 1
        assert s.scalar(select(Ballot.choice)) == "NO"
    # Back on the live page, the ballot knows the vote is cast.
    page = member.get(f"/assemblies/{world.assembly_id}/live").get_data(as_text=True)
    assert f'data-voted-poll="{poll.id}"' in _ballot_section(page)


def test_bad_casts_from_the_live_page_get_a_message_and_store_nothing(vote_world, make_poll, login):
    world = vote_world(members=2)
    poll = make_poll(world)
    member = login(world.users[0])
    url = f"/polls/{poll.id}/cast"
    invalid = member.post(url, data={"voter": world.member_ids[0], "choice": "MAYBE"}, headers=JSON)
    assert invalid.status_code == 409 and "not a valid choice" in invalid.json["error"]
    assert invalid.json["voted"] is False
    missing = member.post(url, data={"voter": world.member_ids[0]}, headers=JSON)
    assert missing.status_code == 400 and missing.json["error"]
    other = member.post(url, data={"voter": world.member_ids[1], "choice": "YES"}, headers=JSON)
    assert other.status_code == 403  # no mandate for member 1
    with world.session() as s:
        assert s.scalar(select(func.count()).select_from(Participation)) == 0
        assert s.scalar(select(func.count()).select_from(Ballot)) == 0


def test_a_cast_for_someone_else_tells_nothing_about_them(
    vote_world, make_poll, login, make_member
):
    """Turnout and the roll stay private: a cast for a member the user does not represent gets
    one answer, whether that member voted, did not vote, is not on the roll or does not exist."""
    world = vote_world(members=4)
    add_mandate(world, principal=3, proxy=0)
    poll = make_poll(world)
    cast(world, poll.id, 1, "YES")  # member 1 has voted, member 2 has not
    off_roll = make_member().id
    member = login(world.users[0])
    url = f"/polls/{poll.id}/cast"
    answers = set()
    for voter in (world.member_ids[1], world.member_ids[2], off_roll, 987654):
        for headers in (JSON, {}):
            r = member.post(url, data={"voter": voter, "choice": "NO"}, headers=headers)
            # The page's signed CSRF tokens carry a timestamp: the rest must be the same.
            body = re.sub(rb'name="csrf_token" value="[^"]*"', b"", r.get_data())
            answers.add((bool(headers), r.status_code, body))
    assert {(j, status) for j, status, _body in answers} == {(True, 403), (False, 403)}
    assert len(answers) == 2, answers  # one body for JSON, one for the form post
    assert b"voted" not in b"".join(body for _j, _s, body in answers)
    # The user's own vote and the principal's are still cast and answered as before.
    mine = member.post(url, data={"voter": world.member_ids[3], "choice": "NO"}, headers=JSON)
    assert mine.status_code == 200 and mine.json["trackers"]
    again = member.post(url, data={"voter": world.member_ids[3], "choice": "NO"}, headers=JSON)
    assert again.status_code == 409 and again.json["voted"] is True
    with world.session() as s:
        assert s.scalar(select(func.count()).select_from(Participation)) == 2


def test_german_message_from_the_live_page(vote_world, make_poll, login):
    world = vote_world(members=1)
    poll = make_poll(world)
    member = login(world.users[0])
    member.post("/lang/de", data={"next": "/"})
    cast(world, poll.id, 0, "YES")
    r = member.post(
        f"/polls/{poll.id}/cast",
        data={"voter": world.member_ids[0], "choice": "NO"},
        headers=JSON,
    )
    assert r.status_code == 409 and "bereits" in r.json["error"]


def test_who_gets_the_ballot_on_the_live_page(vote_world, make_poll, login):
    world = vote_world(members=3)
    add_mandate(world, principal=2, proxy=1)
    poll = make_poll(world)
    cast(world, poll.id, 0, "YES")
    live = f"/assemblies/{world.assembly_id}/live"
    voted = _ballot_section(login(world.users[0]).get(live).get_data(as_text=True))
    assert f'data-voted-poll="{poll.id}"' in voted and 'id="live-ballot-proxy"' not in voted
    proxy = _ballot_section(login(world.users[1]).get(live).get_data(as_text=True))
    assert 'id="live-ballot-proxy"' in proxy  # votes for the principal on the ballot page
    chair = login(world.chair).get(live).get_data(as_text=True)
    assert _ballot_section(chair) is None  # staff, not on the roll


def test_the_live_page_shows_the_result_published_last(vote_world, make_poll, login):
    world = vote_world(members=3)
    poll = make_poll(world, title="Entlastung des Vorstands")
    for i in range(3):
        cast(world, poll.id, i, "YES" if i else "NO")
    with world.session() as s:
        closed = close_poll(s, poll=s.get(Poll, poll.id), actor=world.chair, now=utcnow())
        publish_poll(s, poll=closed, actor=world.chair, declaration="Angenommen.", now=utcnow())
        s.commit()
    member = login(world.users[0])
    result = member.get(f"/assemblies/{world.assembly_id}/live.json").json["result"]
    assert result == {
        "id": poll.id,
        "title": "Entlastung des Vorstands",
        "kind": "MOTION",
        "outcome": "ADOPTED",
        "elected": [],
        "url": f"/polls/{poll.id}/results",
    }
    page = member.get(f"/assemblies/{world.assembly_id}/live").get_data(as_text=True)
    shown = re.search(r'<dd id="live-result".*?</dd>', page, re.S).group(0)
    assert f'href="/polls/{poll.id}/results"' in shown and "<strong>Adopted</strong>" in shown


def test_live_json_says_when_the_poll_closes(vote_world, make_poll, login):
    world = vote_world(members=1)
    poll = make_poll(world, open=False)
    closes = (utcnow() + timedelta(hours=1)).replace(microsecond=0)
    with world.session() as s:
        open_poll(
            s, poll=s.get(Poll, poll.id), actor=world.chair, now=utcnow(), auto_close_at=closes
        )
        s.commit()
    data = login(world.users[0]).get(f"/assemblies/{world.assembly_id}/live.json").json
    assert data["poll"]["closes_at"] == closes.isoformat()


# --- the closing time in the cooperative's time zone (GOVERNANCE_TIMEZONE; the script's side:
# tests/test_settings.py) -----------------------------------------------------------------


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)  # the page, not the database
@pytest.mark.parametrize("app_config", [{"BABEL_DEFAULT_TIMEZONE": "Europe/Vienna"}])
def test_the_live_ballot_gets_the_configured_time_zone(vote_world, make_poll, login):
    world = vote_world(members=1)
    make_poll(world)
    page = login(world.users[0]).get(f"/assemblies/{world.assembly_id}/live")
    section = _ballot_section(page.get_data(as_text=True))
    assert section is not None and 'data-time-zone="Europe/Vienna"' in section


def test_the_live_cast_writes_in_as_few_statements_as_the_database_allows(
    vote_world, make_poll, login, engine, backend
):
    """The hot path (issue #19): on PostgreSQL the participation and the ballot go in with one
    statement; on SQLite in two, under the write lock taken for them alone. A second cast
    for the member is refused and stores nothing."""
    world = vote_world(members=2)
    poll = make_poll(world)
    member = login(world.users[0])
    member.get(f"/assemblies/{world.assembly_id}/live")
    seen: list[str] = []

    def note(_conn, _cursor, statement, *_args):
        seen.append(" ".join(statement.split()))

    begun: list[str] = []  # SQLite's BEGIN goes to the driver directly (governance/db.py)

    def trace(dbapi_connection, *_args):
        if backend == "sqlite":
            dbapi_connection.set_trace_callback(begun.append)

    def untrace(dbapi_connection, *_args):
        if backend == "sqlite":
            dbapi_connection.set_trace_callback(None)

    form = {"voter": world.member_ids[0], "choice": "YES"}
    event.listen(engine, "before_cursor_execute", note)
    event.listen(engine, "checkout", trace)
    event.listen(engine, "checkin", untrace)
    try:
        r = member.post(f"/polls/{poll.id}/cast", data=form, headers=JSON)
        assert r.status_code == 200, r.get_data(as_text=True)
        writes = [s for s in seen if s.startswith(("INSERT", "WITH"))]
        if backend == "postgresql":
            [vote] = writes
            assert vote.startswith("WITH took_part AS (INSERT INTO participation")
            assert "INSERT INTO ballot" in vote
            assert len(seen) == 4, seen  # the user, the entitlement, the lock, the vote
        else:
            assert [w.split("(")[0].strip() for w in writes] == [
                "INSERT INTO participation",
                "INSERT INTO ballot",
            ]
            assert begun.count("BEGIN IMMEDIATE") == 1, begun
            assert begun[0] == "BEGIN" and "BEGIN" not in seen  # the reads: no write lock
        seen.clear()
        again = member.post(f"/polls/{poll.id}/cast", data={**form, "choice": "NO"}, headers=JSON)
    finally:
        event.remove(engine, "before_cursor_execute", note)
        event.remove(engine, "checkout", trace)
        event.remove(engine, "checkin", untrace)
    assert again.status_code == 409 and again.json["voted"] is True
    with world.session() as s:
        assert s.scalar(select(func.count()).select_from(Participation)) == 1
        assert s.scalar(select(func.count()).select_from(Ballot)) == 1
        assert s.scalar(select(Ballot.choice)) == "YES"


def test_the_casts_read_loads_only_what_the_gate_reads_of_the_assembly(vote_world, make_poll):
    """The entitlement (the cast's read before the lock) loads the assembly's gate columns, not
    all of them (issue #19: every column costs on the hot path); another attribute read later
    still gives the stored value, loaded then."""
    world = vote_world(members=1)
    poll = make_poll(world)
    with world.session() as s:
        user = world.users[0]
        found = entitlement(
            s, poll_id=poll.id, member_id=user.member_id, user_id=user.id,
            voter=world.member_ids[0],
        )  # fmt: skip
        assert found is not None and found.anyone and found.voter
        unloaded = inspect(found.assembly).unloaded
        assert {column.key for column in GATE_COLUMNS}.isdisjoint(unloaded)
        assert {"title", "starts_at", "screen_token_hash"} <= unloaded
        stored = s.scalar(select(Assembly.title).where(Assembly.id == world.assembly_id))
        assert found.assembly.title == stored
