"""Attendance: room check-in and check-out, online presence by heartbeat, presence by proxy."""

from __future__ import annotations

from datetime import timedelta

import pytest

from governance.assemblies import attendance
from governance.assemblies.models import Assembly, AssemblyForm, AssemblyState, Channel
from governance.db import utcnow
from governance.errors import DomainError
from governance.register.models import Member
from tests.assemblies.conftest import message


def _get(session, assembly, *members):
    return session.get(Assembly, assembly.id), [session.get(Member, m.id) for m in members]


def test_room_check_in_and_out(session, make_member, make_assembly):
    a, outsider = make_member(last_name="Adler"), make_member(last_name="Zander")
    assembly, (m, out) = _get(
        session, make_assembly(state=AssemblyState.IN_SESSION, members=[a]), a, outsider
    )
    now = utcnow()
    attendance.check_in(session, assembly=assembly, member=m, actor=None, now=now)
    assert (
        attendance.present_channel(session, assembly_id=assembly.id, member_id=a.id, now=now)
        == Channel.ROOM
    )
    with pytest.raises(DomainError) as err:
        attendance.check_in(session, assembly=assembly, member=m, actor=None, now=now)
    assert "already" in message(err)
    with pytest.raises(DomainError) as err:
        attendance.check_in(session, assembly=assembly, member=out, actor=None, now=now)
    assert "not on the voter roll" in message(err)
    attendance.check_out(session, assembly=assembly, member=m, actor=None, now=now)
    assert (
        attendance.present_channel(session, assembly_id=assembly.id, member_id=a.id, now=now)
        is None
    )
    with pytest.raises(DomainError):
        attendance.check_out(session, assembly=assembly, member=m, actor=None, now=now)
    attendance.check_in(session, assembly=assembly, member=m, actor=None, now=now)
    assert attendance.present_counts(session, assembly_id=assembly.id, now=now)["ROOM"] == 1


def test_online_presence_lasts_120_seconds(session, make_member, make_assembly):
    """The page beats every 45 s: one lost or late beat does not make the member absent."""
    a = make_member()
    assembly, _ = _get(
        session,
        make_assembly(state=AssemblyState.IN_SESSION, form=AssemblyForm.VIRTUAL, members=[a]),
    )
    now = utcnow()
    assert (
        attendance.heartbeat(session, assembly=assembly, member_id=a.id, now=now) == Channel.ONLINE
    )

    def channel(at):
        return attendance.present_channel(session, assembly_id=assembly.id, member_id=a.id, now=at)

    assert channel(now + timedelta(seconds=120)) == Channel.ONLINE
    assert channel(now + timedelta(seconds=121)) is None
    later = now + timedelta(minutes=5)
    attendance.heartbeat(session, assembly=assembly, member_id=a.id, now=later)
    assert channel(later) == Channel.ONLINE
    assert attendance.present_counts(session, assembly_id=assembly.id, now=later) == {
        "ROOM": 0,
        "ONLINE": 1,
        "PROXY": 0,
    }


def _beat_by_assembly(session, assembly, member_id, now):
    return attendance.heartbeat(session, assembly=assembly, member_id=member_id, now=now)


def _beat_by_pass(session, assembly, member_id, now):
    """A watch pass's beat: the assembly's checks in the member's query."""
    return attendance.heartbeat_in_session(
        session, assembly_id=assembly.id, member_id=member_id, now=now
    )


@pytest.mark.parametrize("beat", [_beat_by_assembly, _beat_by_pass])
def test_heartbeat_counts_only_for_remote_forms_in_session(
    session, make_member, make_assembly, beat
):
    a, b = make_member(), make_member()
    made = [
        make_assembly(state=AssemblyState.IN_SESSION, members=[a]),
        make_assembly(state=AssemblyState.CONVENED, form=AssemblyForm.HYBRID, members=[a]),
        make_assembly(state=AssemblyState.IN_SESSION, form=AssemblyForm.HYBRID, members=[a]),
        make_assembly(state=AssemblyState.IN_SESSION, form=AssemblyForm.VIRTUAL, members=[a]),
    ]
    in_person, convened, hybrid, virtual = (session.get(Assembly, x.id) for x in made)
    now = utcnow()
    assert beat(session, virtual, a.id, now) == Channel.ONLINE
    assert beat(session, in_person, a.id, now) is None
    assert beat(session, convened, a.id, now) is None
    assert beat(session, hybrid, b.id, now) is None  # not on the roll
    # In the room with the live page open: stays in the room.
    attendance.check_in(
        session, assembly=hybrid, member=session.get(Member, a.id), actor=None, now=now
    )
    assert beat(session, hybrid, a.id, now) == Channel.ROOM


def test_presence_lists_proxies(session, make_member, make_assembly, make_mandate):
    proxy, principal, absent = make_member(), make_member(), make_member()
    made = make_assembly(state=AssemblyState.IN_SESSION, members=[proxy, principal, absent])
    make_mandate(made, principal, proxy)
    assembly = session.get(Assembly, made.id)
    now = utcnow()
    rows = {p.member.id: p for p in attendance.presence(session, assembly_id=assembly.id, now=now)}
    assert all(p.channel is None for p in rows.values())
    attendance.check_in(
        session, assembly=assembly, member=session.get(Member, proxy.id), actor=None, now=now
    )
    rows = {p.member.id: p for p in attendance.presence(session, assembly_id=assembly.id, now=now)}
    assert rows[proxy.id].channel == Channel.ROOM
    assert rows[principal.id].channel == Channel.PROXY and rows[principal.id].via.id == proxy.id
    assert rows[absent.id].channel is None
    assert attendance.present_counts(session, assembly_id=assembly.id, now=now) == {
        "ROOM": 1,
        "ONLINE": 0,
        "PROXY": 1,
    }


def test_search_roll_by_name_or_number(session, make_member, make_assembly):
    a, b = make_member(last_name="Müller", first_names="Anna"), make_member(last_name="Schmidt")
    assembly = make_assembly(state=AssemblyState.CONVENED, members=[a, b])
    found = attendance.search_roll(session, assembly_id=assembly.id, query="müll")
    assert [m.id for _e, m in found] == [a.id]
    found = attendance.search_roll(session, assembly_id=assembly.id, query=b.number.lower())
    assert [m.id for _e, m in found] == [b.id]
    assert attendance.search_roll(session, assembly_id=assembly.id, query="%") == []


def test_refresh_presence_keeps_a_present_member_present(session, make_member, make_assembly):
    a, b = make_member(), make_member()
    assembly, _ = _get(
        session,
        make_assembly(state=AssemblyState.IN_SESSION, form=AssemblyForm.VIRTUAL, members=[a, b]),
    )
    now = utcnow()
    attendance.heartbeat(session, assembly=assembly, member_id=a.id, now=now)
    later = now + timedelta(seconds=100)
    refreshed = attendance.refresh_presence(
        session, assembly_id=assembly.id, member_id=a.id, now=later
    )
    assert refreshed == Channel.ONLINE
    assert (
        attendance.present_channel(
            session, assembly_id=assembly.id, member_id=a.id, now=later + timedelta(seconds=120)
        )
        == Channel.ONLINE
    )
    # Not present (never joined, or lapsed): nothing to refresh; `heartbeat` decides.
    assert (
        attendance.refresh_presence(session, assembly_id=assembly.id, member_id=b.id, now=later)
        is None
    )
    lapsed = later + timedelta(minutes=5)
    assert (
        attendance.refresh_presence(session, assembly_id=assembly.id, member_id=a.id, now=lapsed)
        is None
    )


def test_refresh_presence_needs_the_assembly_in_session(session, make_member, make_assembly):
    a = make_member()
    assembly, _ = _get(
        session,
        make_assembly(state=AssemblyState.IN_SESSION, form=AssemblyForm.VIRTUAL, members=[a]),
    )
    now = utcnow()
    attendance.heartbeat(session, assembly=assembly, member_id=a.id, now=now)
    assembly.state = AssemblyState.CLOSED
    session.add(assembly)
    session.flush()
    assert (
        attendance.refresh_presence(
            session, assembly_id=assembly.id, member_id=a.id, now=now + timedelta(seconds=10)
        )
        is None
    )
