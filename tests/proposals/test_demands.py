"""§45 minority demands: online support counted against the quorum of members."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from governance.auditlog import AuditEvent
from governance.db import utcnow
from governance.errors import DomainError
from governance.proposals import demands
from governance.proposals.models import DemandKind, DemandState
from governance.register.models import Member, MemberStatus
from tests.proposals.conftest import message


def test_quorum_is_a_fraction_of_the_members_rounded_up():
    assert demands.quorum(members=300, fraction=Decimal("0.1")) == 30
    assert demands.quorum(members=301, fraction=Decimal("0.1")) == 31
    assert demands.quorum(members=3, fraction=Decimal("0.1")) == 1
    assert demands.quorum(members=0, fraction=Decimal("0.1")) == 1


def test_support_reaches_the_quorum(session, make_member):
    made = [make_member() for _ in range(4)]
    gone = make_member(status=MemberStatus.EXPELLED)
    a, b, c, d = (session.get(Member, m.id) for m in made)
    assert demands.member_count(session, today=utcnow().date(), min_shares=1) == 4
    needed = demands.quorum(members=6, fraction=Decimal("0.5"))  # 3
    now = utcnow()
    demand = demands.create_demand(
        session,
        kind=DemandKind.ASSEMBLY,
        title="Versammlung",
        purpose="Gründe",
        member=a,
        actor=None,
        now=now,
        needed=needed,
    )
    assert demands.support_count(session, demand_id=demand.id) == 1
    with pytest.raises(DomainError) as err:
        demands.add_support(session, demand=demand, member=a, actor=None, now=now, needed=needed)
    assert "already" in message(err)
    with pytest.raises(DomainError):
        demands.add_support(
            session,
            demand=demand,
            member=session.get(Member, gone.id),
            actor=None,
            now=now,
            needed=needed,
        )
    demands.add_support(session, demand=demand, member=c, actor=None, now=now, needed=needed)
    assert demands.withdraw_support(session, demand=demand, member=c, actor=None) == 1
    assert (
        demands.add_support(session, demand=demand, member=b, actor=None, now=now, needed=needed)
        == 2
    )
    assert demand.state == DemandState.OPEN
    demands.add_support(session, demand=demand, member=c, actor=None, now=now, needed=needed)
    assert demand.state == DemandState.REACHED
    with pytest.raises(DomainError):
        demands.add_support(session, demand=demand, member=d, actor=None, now=now, needed=needed)
    events = session.execute(
        select(AuditEvent.event_type).where(AuditEvent.object_type == "minority_demand")
    ).scalars()
    assert "demand.quorum_reached" in list(events)
    demands.handle_demand(session, demand=demand, note="Einberufen", actor=None, now=now)
    assert demand.state == DemandState.HANDLED


def test_agenda_demands_need_an_open_assembly(session, make_member):
    member = session.get(Member, make_member().id)
    with pytest.raises(DomainError) as err:
        demands.create_demand(
            session,
            kind=DemandKind.AGENDA_ITEMS,
            title="TOP",
            purpose="Gründe",
            member=member,
            actor=None,
            now=utcnow(),
            needed=3,
        )
    assert "agenda items" in message(err)
