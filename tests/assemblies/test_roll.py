"""The frozen voter roll: eligibility at the record date, the canonical hash, corrections."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from governance.assemblies import roll
from governance.assemblies.documents import RollCorrection
from governance.assemblies.models import Assembly, AssemblyState
from governance.auditlog import AuditEvent
from governance.errors import DomainError
from governance.register.models import Member, MemberStatus
from governance.register.services import book_subscription
from tests.assemblies.conftest import message


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_canonical_hash_is_sorted_number_weight_lines():
    rows = [("M-1000002", 1), ("M-1000001", 3)]
    assert roll.canonical_roll(rows) == "M-1000001:3\nM-1000002:1"
    assert roll.hash_roll(rows) == _sha("M-1000001:3\nM-1000002:1")
    assert roll.hash_roll([]) == _sha("")


def test_freeze_takes_members_eligible_at_the_record_date(session, make_member, make_assembly):
    record = date.today()
    ok = make_member(shares=1)
    late = make_member(entry_date=record + timedelta(days=1))
    expelled = make_member(status=MemberStatus.EXPELLED)
    under_notice = make_member(status=MemberStatus.CANCELLED)
    draft = make_assembly(items=())
    assembly = session.get(Assembly, draft.id)

    digest = roll.freeze_roll(session, assembly=assembly, record_date=record, min_shares=1)

    numbers = [m.number for _e, m in roll.roll_members(session, assembly_id=assembly.id)]
    assert numbers == sorted([ok.number, under_notice.number])
    assert late.number not in numbers and expelled.number not in numbers
    assert digest == assembly.roll_hash == _sha(f"{ok.number}:1\n{under_notice.number}:1")
    event = session.execute(
        select(AuditEvent).where(AuditEvent.event_type == "assembly.roll_frozen")
    ).scalar_one()
    assert digest in event.payload
    with pytest.raises(DomainError):
        roll.freeze_roll(session, assembly=assembly, record_date=record, min_shares=1)


def test_later_register_changes_do_not_alter_the_roll(session, make_member, make_assembly):
    member = make_member(shares=1)
    frozen = make_assembly(state=AssemblyState.CONVENED, members=[member])
    before = roll.roll_hash(session, assembly_id=frozen.id)
    book_subscription(
        session,
        member=session.get(Member, member.id),
        share_count=5,
        value_date=date.today(),
        reference="Aufstockung Test",
        actor=None,
    )
    session.commit()
    make_member()  # a new member joins
    assert roll.roll_hash(session, assembly_id=frozen.id) == before == frozen.roll_hash
    assert roll.roll_size(session, assembly_id=frozen.id) == 1


def test_corrections_are_audited_and_rehash(session, make_member, make_assembly):
    on, missing = make_member(), make_member()
    frozen = make_assembly(state=AssemblyState.CONVENED, members=[on])
    assembly = session.get(Assembly, frozen.id)
    added = session.get(Member, missing.id)

    roll.add_to_roll(
        session, assembly=assembly, member=added, shares=2, reason="Beitritt übersehen", actor=None
    )
    assert assembly.roll_hash == roll.roll_hash(session, assembly_id=assembly.id)
    assert assembly.roll_hash == roll.hash_roll([(on.number, 1), (missing.number, 1)])
    roll.remove_from_roll(
        session,
        assembly=assembly,
        member=session.get(Member, on.id),
        reason="Ausschluss vor dem Stichtag",
        actor=None,
    )
    assert assembly.roll_hash == roll.hash_roll([(missing.number, 1)])
    rows = session.execute(select(RollCorrection).order_by(RollCorrection.id)).scalars().all()
    assert [(r.action.value, r.hash_after) for r in rows][-1] == ("REMOVE", assembly.roll_hash)
    events = session.execute(
        select(AuditEvent).where(AuditEvent.event_type == "assembly.roll_corrected")
    ).scalars()
    assert len(list(events)) == 2


def test_correction_rules(session, make_member, make_assembly):
    member = make_member()
    assembly = session.get(
        Assembly, make_assembly(state=AssemblyState.CONVENED, members=[member]).id
    )
    m = session.get(Member, member.id)
    with pytest.raises(DomainError) as err:
        roll.remove_from_roll(session, assembly=assembly, member=m, reason="x", actor=None)
    assert "reason" in message(err)
    with pytest.raises(DomainError) as err:
        roll.add_to_roll(
            session, assembly=assembly, member=m, shares=1, reason="doppelt", actor=None
        )
    assert "already" in message(err)
    with pytest.raises(DomainError) as err:
        roll.set_roll_weight(
            session,
            assembly=assembly,
            member=m,
            weight=2,
            reason="Mehrstimmrecht",
            actor=None,
            multiple_votes=False,
        )
    assert "one vote" in message(err)
    entry = roll.set_roll_weight(
        session,
        assembly=assembly,
        member=m,
        weight=3,
        reason="Mehrstimmrecht",
        actor=None,
        multiple_votes=True,
    )
    assert entry.weight == 3
    assert assembly.roll_hash == roll.hash_roll([(member.number, 3)])
