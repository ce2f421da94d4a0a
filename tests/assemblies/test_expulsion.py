"""§68(2) GenG at the door: a member expelled after the roll was frozen may, from the day the
expulsion letter is sent, neither check in nor be present online nor vote — in person, as a
proxy or through one — and the secretary's audit finds a participation that slipped through.
The frozen roll and its hash stay as they were."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from governance.assemblies import attendance, mandates
from governance.assemblies.models import Assembly, AssemblyForm
from governance.ballots.models import Poll
from governance.ballots.verify import verify_poll
from governance.db import utcnow
from governance.errors import DomainError
from governance.register.models import Member
from governance.register.status import record_expulsion
from tests.factories_ballots import add_mandate, cast

JSON = {"Accept": "application/json"}


def expel(world, i: int, letter: date | None = None) -> None:
    """Record member i's expulsion with a letter sent on `letter` (default today)."""
    with world.session() as s:
        member = s.get(Member, world.member_ids[i])
        record_expulsion(s, member=member, letter_date=letter or date.today(), actor=None)
        s.commit()


def roll_hash(world) -> str:
    with world.session() as s:
        return s.get(Assembly, world.assembly_id).roll_hash


def test_an_expelled_member_cannot_check_in(vote_world):
    world = vote_world(members=2, present=False)
    expel(world, 0)
    with world.session() as s:
        member = s.get(Member, world.member_ids[0])
        with pytest.raises(DomainError, match=r"§68\(2\) GenG"):
            attendance.check_in(
                s, assembly=s.get(Assembly, world.assembly_id), member=member, actor=None,
                now=utcnow(),
            )  # fmt: skip


def test_an_expelled_member_is_not_present_online(vote_world):
    world = vote_world(members=2, present=False, form=AssemblyForm.HYBRID)
    with world.session() as s:
        assembly = s.get(Assembly, world.assembly_id)
        assert attendance.heartbeat(
            s, assembly=assembly, member_id=world.member_ids[0], now=utcnow()
        )
        s.commit()
    expel(world, 0)
    with world.session() as s:
        assembly = s.get(Assembly, world.assembly_id)
        now = utcnow()
        # Neither the one-statement refresh nor a new join keeps or makes them present.
        assert (
            attendance.refresh_presence(
                s, assembly_id=world.assembly_id, member_id=world.member_ids[0], now=now
            )
            is None
        )
        assert (
            attendance.heartbeat(s, assembly=assembly, member_id=world.member_ids[0], now=now)
            is None
        )
        assert attendance.heartbeat(s, assembly=assembly, member_id=world.member_ids[1], now=now)


def test_an_expelled_member_cannot_vote_on_either_path(vote_world, make_poll, login):
    world = vote_world(members=3)
    poll = make_poll(world)
    before = roll_hash(world)
    expel(world, 0)
    client = login(world.users[0])
    form = {"voter": world.member_ids[0], "choice": "YES"}
    answer = client.post(f"/polls/{poll.id}/cast", data=form, headers=JSON)
    assert answer.status_code == 409 and "68(2)" in answer.json["error"]
    page = client.post(f"/polls/{poll.id}/cast", data=form, follow_redirects=True)
    assert "68(2)" in page.get_data(as_text=True)
    with world.session() as s:
        assert s.execute(text("SELECT count(*) FROM participation")).scalar_one() == 0
    assert roll_hash(world) == before  # the flag is a separate fact, the roll stays frozen


def test_a_proxy_for_a_principal_expelled_after_check_in_is_refused(vote_world, make_poll):
    world = vote_world(members=3)
    add_mandate(world, principal=1, proxy=0)  # member 0 checked in, holds 1's proxy
    poll = make_poll(world)
    expel(world, 1)  # between the check-in and the vote
    with pytest.raises(DomainError, match=r"68\(2\)"):
        cast(world, poll.id, 1, "YES", proxy=0)
    cast(world, poll.id, 0, "YES")  # the holder's own vote stands


def test_an_expelled_holder_cannot_vote_for_the_principal(vote_world, make_poll):
    world = vote_world(members=3)
    add_mandate(world, principal=1, proxy=0)
    poll = make_poll(world)
    expel(world, 0)
    with pytest.raises(DomainError, match=r"68\(2\)"):
        cast(world, poll.id, 1, "NO", proxy=0)
    cast(world, poll.id, 1, "NO")  # the principal may still vote in person


def test_no_mandate_with_an_expelled_member(vote_world):
    world = vote_world(members=3)
    expel(world, 2)
    with world.session() as s:
        assembly = s.get(Assembly, world.assembly_id)
        principal, proxy = (s.get(Member, world.member_ids[i]) for i in (2, 0))
        with pytest.raises(DomainError, match=r"68\(2\)") as refused:
            mandates.register_mandate(
                s, assembly=assembly, principal=principal, proxy=proxy, evidence="Brief",
                actor=None,
            )  # fmt: skip
        assert refused.value.field == "principal"
        with pytest.raises(DomainError, match=r"68\(2\)") as refused:
            mandates.register_mandate(
                s, assembly=assembly, principal=proxy, proxy=principal, evidence="Brief",
                actor=None,
            )  # fmt: skip
        assert refused.value.field == "proxy"


def test_the_roll_attendance_and_evidence_pages_flag_the_member(vote_world, login_as):
    world = vote_world(members=2)
    expel(world, 1, date(2026, 3, 2))
    secretary = login_as("SECRETARY")
    flag = "expelled since"
    for page in ("roll", "attendance", "evidence"):
        body = secretary.get(f"/assemblies/{world.assembly_id}/{page}").get_data(as_text=True)
        assert flag in body, page
        assert body.count(flag) == 1 if page != "evidence" else body.count(flag) >= 1


def test_the_database_refuses_a_participation_of_an_expelled_member(vote_world, make_poll):
    world = vote_world(members=2)
    add_mandate(world, principal=1, proxy=0)  # the proxy is held: only the expulsion refuses
    poll = make_poll(world)
    expel(world, 0)
    insert = text(
        "INSERT INTO participation (poll_id, member_id, cast_by_member_id, channel) "
        "VALUES (:p, :m, :c, :channel)"
    )
    with world.session() as s, pytest.raises(DBAPIError, match="expelled member"):
        own = {
            "p": poll.id,
            "m": world.member_ids[0],
            "c": world.member_ids[0],
            "channel": "ONLINE",
        }
        s.execute(insert, own)
    with world.session() as s, pytest.raises(DBAPIError, match="expelled member"):
        proxied = {"p": poll.id, "m": world.member_ids[1], "c": world.member_ids[0]}
        s.execute(insert, {**proxied, "channel": "PROXY"})


def opened_days_ago(world, poll_id: int, days: int) -> None:
    with world.session() as s:
        s.execute(
            text("UPDATE poll SET opened_at = :t WHERE id = :p"),
            {"t": utcnow() - timedelta(days=days), "p": poll_id},
        )
        s.commit()


def test_the_audit_reports_a_participation_of_a_member_expelled_before_the_poll(
    vote_world, make_poll
):
    world = vote_world(members=3)
    poll = make_poll(world)
    opened_days_ago(world, poll.id, 2)
    cast(world, poll.id, 0, "YES")
    cast(world, poll.id, 1, "NO")
    # Recorded late, with a letter sent before the poll opened: the vote should not have been.
    expel(world, 0, date.today() - timedelta(days=3))
    # A letter sent after the poll opened leaves the vote cast before it valid.
    expel(world, 1, date.today() - timedelta(days=1))
    with world.session() as s:
        checks = {c.name: c for c in verify_poll(s, poll=s.get(Poll, poll.id))}
    assert not checks["expelled"].ok
    assert checks["expelled"].detail.endswith(f"members [{world.member_ids[0]}]")


def test_a_vote_cast_before_the_expulsion_stands(vote_world, make_poll):
    world = vote_world(members=2)
    poll = make_poll(world)
    opened_days_ago(world, poll.id, 1)
    cast(world, poll.id, 0, "YES")
    expel(world, 0)  # the letter goes out today, after the vote
    with world.session() as s:
        checks = {c.name: c for c in verify_poll(s, poll=s.get(Poll, poll.id))}
        assert checks["expelled"].ok
        assert s.execute(text("SELECT count(*) FROM participation")).scalar_one() == 1
