from __future__ import annotations

import pytest
from sqlalchemy import select

from governance.assemblies.models import Assembly, AssemblyForm, AssemblyState
from governance.assemblies.models_agenda import AgendaItem, ItemKind
from governance.auditlog import AuditEvent
from governance.errors import DomainError
from governance.minutes import rendering, services, signing
from governance.minutes.completeness import check
from governance.minutes.models import Capacity, RenderStatus
from tests.minutes.conftest import COOP, render, sign, start


def _codes(session, minutes, coop=COOP):
    return sorted({m.code for m in check(rendering.document(session, minutes=minutes, coop=coop))})


def test_complete_assembly_has_nothing_missing(session, make_held_assembly):
    held = make_held_assembly()
    minutes = start(session, held)
    assert _codes(session, minutes) == []


def test_missing_elements_are_listed(session, make_held_assembly):
    held = make_held_assembly(form=AssemblyForm.VIRTUAL, declared=False, evidence=False)
    minutes = start(session, held)
    assembly = session.get(Assembly, held.assembly_id)
    assembly.chair_user_id = None
    session.flush()
    no_seat = rendering.CoopSettings(name="Beispiel eG", seat="")
    assert _codes(session, minutes, no_seat) == ["chair", "convening", "declaration", "place"]


def test_unsealed_poll_and_resolution_without_vote_block(session, make_held_assembly):
    held = make_held_assembly(polls=0)
    minutes = start(session, held)

    session.add(
        AgendaItem(assembly_id=held.assembly_id, position=9, title="X", kind=ItemKind.RESOLUTION)
    )
    session.flush()
    assert _codes(session, minutes) == ["vote"]


def test_virtual_assembly_states_the_registered_seat(session, make_held_assembly):
    held = make_held_assembly(form=AssemblyForm.STRETCHED)
    doc = rendering.document(session, minutes=start(session, held), coop=COOP)
    assert (doc.place, doc.place_is_seat) == ("Berlin", True)


def test_each_edit_raises_the_revision(session, make_held_assembly):
    held = make_held_assembly()
    minutes = start(session, held)
    services.update_item(
        session,
        minutes=minutes,
        item_id=held.item_ids[1],
        discussion="Aussprache",
        motions="",
        actor=held.secretary,
    )
    services.update_item(
        session,
        minutes=minutes,
        item_id=held.item_ids[1],
        discussion="Aussprache",
        motions="",
        actor=held.secretary,
    )
    assert minutes.revision == 2  # the unchanged second save is no change


def test_render_is_deterministic(session, make_held_assembly):
    minutes = start(session, make_held_assembly())
    first, second = render(session, minutes), render(session, minutes)
    assert first.status == second.status == RenderStatus.DONE
    assert first.id != second.id
    assert first.pdf == second.pdf and first.pdf_sha256 == second.pdf_sha256


def test_objection_needs_a_member_who_took_part(session, make_held_assembly, make_member):
    held = make_held_assembly()
    outsider = make_member()
    minutes = start(session, held)
    with pytest.raises(DomainError) as err:
        services.add_objection(
            session, minutes=minutes, item_id=held.item_ids[1],
            data=services.ObjectionData(outsider.number), actor=held.secretary,
        )  # fmt: skip
    assert err.value.field == "member_number"
    from governance.register.models import Member

    number = session.get(Member, held.member_ids[2]).number
    data = services.ObjectionData(number, "Ich widerspreche.", held.poll_ids[0])
    services.add_objection(
        session, minutes=minutes, item_id=held.item_ids[1], data=data, actor=held.secretary
    )
    with pytest.raises(DomainError):
        services.add_objection(
            session, minutes=minutes, item_id=held.item_ids[1], data=data, actor=held.secretary
        )
    doc = rendering.document(session, minutes=minutes, coop=COOP)
    assert doc.items[1].objections[0].statement == "Ich widerspreche."


def test_approvals_become_invalid_after_a_change(session, make_held_assembly):
    held = make_held_assembly()
    minutes = start(session, held)
    job = render(session, minutes)
    sign(session, minutes, held, job)
    approvals = signing.approvals_of(session, minutes=minutes, render=job)
    assert {a.capacity for a, _u in approvals} == {Capacity.CHAIR, Capacity.BOARD}
    assert signing.signatures_complete(approvals)

    services.update_general(
        session, minutes=minutes, preamble="Eröffnung", closing="", actor=held.secretary
    )
    doc = rendering.document(session, minutes=minutes, coop=COOP)
    assert rendering.current_render(session, minutes=minutes, doc=doc) is None
    with pytest.raises(DomainError):
        signing.approve(
            session, minutes=minutes, user=held.chair, expected_sha256=job.pdf_sha256, coop=COOP
        )
    new = render(session, minutes)
    assert new.pdf_sha256 != job.pdf_sha256
    assert signing.approvals_of(session, minutes=minutes, render=new) == []
    with pytest.raises(DomainError):
        signing.publish(session, minutes=minutes, user=held.supervisor, reason="", coop=COOP)
    events = session.scalars(select(AuditEvent.event_type)).all()
    assert "minutes.approvals_invalidated" in events


def test_only_chair_and_board_members_present_sign(session, make_held_assembly, make_user):
    held = make_held_assembly()
    absent_board = make_user(roles=["BOARD"])
    minutes = start(session, held)
    job = render(session, minutes)
    for user in (absent_board, held.secretary, held.supervisor):
        with pytest.raises(DomainError):
            signing.approve(
                session, minutes=minutes, user=user, expected_sha256=job.pdf_sha256, coop=COOP
            )
    with pytest.raises(DomainError):
        signing.approve(
            session, minutes=minutes, user=held.chair, expected_sha256="0" * 64, coop=COOP
        )


def test_incomplete_minutes_cannot_be_approved(session, make_held_assembly):
    held = make_held_assembly(declared=False)
    minutes = start(session, held)
    job = render(session, minutes)
    with pytest.raises(DomainError) as err:
        signing.approve(
            session, minutes=minutes, user=held.chair, expected_sha256=job.pdf_sha256, coop=COOP
        )
    assert "declared" in str(err.value)


def test_publish_and_correct(session, make_held_assembly):
    held = make_held_assembly()
    minutes = start(session, held)
    job = render(session, minutes)
    sign(session, minutes, held, job)
    with pytest.raises(DomainError):
        signing.publish(session, minutes=minutes, user=held.board, reason="", coop=COOP)
    first = signing.publish(session, minutes=minutes, user=held.supervisor, reason="", coop=COOP)
    assert (first.number, first.previous_id, first.pdf) == (1, None, job.pdf)
    assert session.get(Assembly, held.assembly_id).state == AssemblyState.MINUTES_PUBLISHED

    services.update_general(
        session, minutes=minutes, preamble="Berichtigt", closing="", actor=held.secretary
    )
    job2 = render(session, minutes)
    sign(session, minutes, held, job2)
    with pytest.raises(DomainError) as err:
        signing.publish(session, minutes=minutes, user=held.supervisor, reason="", coop=COOP)
    assert err.value.field == "reason"
    second = signing.publish(
        session, minutes=minutes, user=held.supervisor, reason="Tippfehler", coop=COOP
    )
    assert (second.number, second.previous_id, second.reason) == (2, first.id, "Tippfehler")
    assert [v.number for v in signing.versions_of(session, assembly_id=held.assembly_id)] == [2, 1]


def test_worker_claims_a_job_once(session, make_held_assembly):
    minutes = start(session, make_held_assembly())
    job = rendering.request_render(session, minutes=minutes, actor=None)
    assert rendering.request_render(session, minutes=minutes, actor=None).id == job.id
    assert rendering.claim(session, job_id=job.id)
    assert not rendering.claim(session, job_id=job.id)


def test_failed_render_is_recorded(session, make_held_assembly):
    minutes = start(session, make_held_assembly())
    job = rendering.request_render(session, minutes=minutes, actor=None)
    rendering.claim(session, job_id=job.id)

    def broken(_doc):
        raise RuntimeError("no fonts")

    job = rendering.execute(session, job=job, coop=COOP, render=broken)
    assert job.status == RenderStatus.FAILED and "no fonts" in job.error
