"""Proxies (§43(5) GenG): at most two principals per proxy, enforced by the database too."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from governance.assemblies import mandates, services
from governance.assemblies.models import Assembly, AssemblyState
from governance.db import utcnow
from governance.errors import DomainError
from governance.register.models import Member
from tests.assemblies.conftest import message


@pytest.fixture
def four(make_member, make_assembly):
    members = [make_member() for _ in range(4)]
    return make_assembly(state=AssemblyState.CONVENED, members=members), members


def test_a_third_proxy_is_refused_with_a_clear_message(session, four, make_mandate):
    assembly, (proxy, p1, p2, p3) = four
    make_mandate(assembly, p1, proxy)
    make_mandate(assembly, p2, proxy)
    with pytest.raises(DomainError) as err:
        make_mandate(assembly, p3, proxy)
    text_ = message(err)
    assert "already represents two members" in text_ and "§43(5)" in text_
    represented = services.represented_members(
        session, assembly_id=assembly.id, proxy_member_id=proxy.id
    )
    assert [m.id for m in represented] == [p1.id, p2.id]


def test_the_database_refuses_a_third_proxy_raw_sql(session, four, make_mandate):
    assembly, (proxy, p1, p2, p3) = four
    make_mandate(assembly, p1, proxy)
    make_mandate(assembly, p2, proxy)
    insert = text(
        "INSERT INTO mandate (assembly_id, principal_id, proxy_id, slot, evidence, registered_at)"
        " VALUES (:a, :p, :q, :slot, 'raw', CURRENT_TIMESTAMP)"
    )
    for slot in (1, 2, 3):
        with pytest.raises(IntegrityError), session.begin_nested():
            session.execute(insert, {"a": assembly.id, "p": p3.id, "q": proxy.id, "slot": slot})
    # A principal gives one proxy only; nobody is their own proxy.
    for principal, holder in ((p1, p3), (p3, p3)):
        with pytest.raises(IntegrityError), session.begin_nested():
            session.execute(
                insert, {"a": assembly.id, "p": principal.id, "q": holder.id, "slot": 1}
            )


def test_a_lost_race_for_the_slot_gives_the_same_message(session, four, make_mandate, monkeypatch):
    assembly, (proxy, p1, p2, p3) = four
    make_mandate(assembly, p1, proxy)
    make_mandate(assembly, p2, proxy)
    # As if the check had run before a concurrent registration took the last slot:
    monkeypatch.setattr(mandates, "free_slot", lambda *_a: 2)
    with pytest.raises(DomainError) as err:
        mandates.register_mandate(
            session,
            assembly=session.get(Assembly, assembly.id),
            principal=session.get(Member, p3.id),
            proxy=session.get(Member, proxy.id),
            evidence="Vollmacht",
            actor=None,
        )
    assert "already represents two members" in message(err)


def test_mandate_rules(session, four, make_mandate, make_member):
    assembly, (proxy, p1, p2, _p3) = four
    outsider = make_member()
    make_mandate(assembly, p1, proxy)
    cases = [
        (p1, p2, "has given a proxy"),
        (p2, p2, "own proxy"),
        (outsider, proxy, "not on the voter roll"),
    ]
    for principal, holder, expected in cases:
        with pytest.raises(DomainError) as err:
            make_mandate(assembly, principal, holder)
        assert expected in message(err)
    with pytest.raises(DomainError) as err:
        make_mandate(assembly, p2, proxy, evidence=" ")
    assert "evidence" in message(err)


def test_revocation_until_a_poll_opens(session, four, make_mandate):
    assembly, (proxy, p1, _p2, _p3) = four
    mandate = make_mandate(assembly, p1, proxy)
    fresh = session.get(Assembly, assembly.id)
    assert not services.mandates_locked(session, assembly_id=assembly.id)
    mandates.revoke_mandate(
        session,
        assembly=fresh,
        mandate=session.get(type(mandate), mandate.id),
        reason="widerrufen",
        actor=None,
    )
    session.commit()
    again = make_mandate(assembly, p1, proxy)
    from governance.ballots.models import Poll, PollState

    session.add(
        Poll(assembly_id=assembly.id, title="Abstimmung", state=PollState.OPEN, opened_at=utcnow())
    )
    session.flush()
    assert services.mandates_locked(session, assembly_id=assembly.id)
    with pytest.raises(DomainError) as err:
        mandates.revoke_mandate(
            session,
            assembly=fresh,
            mandate=session.get(type(again), again.id),
            reason="zu spät",
            actor=None,
        )
    assert "can no longer be revoked" in message(err)
