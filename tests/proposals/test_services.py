"""Proposals: submission and the members' deadline, majorities, admission, the workflow."""

from __future__ import annotations

from datetime import timedelta

import pytest

from governance.assemblies.models import Assembly, AssemblyState
from governance.assemblies.models_agenda import AgendaItem, ItemKind
from governance.db import utcnow
from governance.errors import DomainError, IllegalTransition
from governance.proposals import services
from governance.proposals.models import Majority, Proposal, ProposalState, SubmitterKind
from governance.register.models import Member
from tests.proposals.conftest import message

DATA = services.ProposalData(title="Satzungsänderung", text="§ 1 wird geändert.")


def _submit(session, assembly, member=None, *, data=DATA, deadline=None, kind=None):
    now = utcnow()
    return services.submit_proposal(
        session,
        assembly=assembly,
        kind=kind or (SubmitterKind.MEMBER if member else SubmitterKind.BOARD),
        data=data,
        actor=None,
        now=now,
        deadline=deadline or now + timedelta(days=1),
        member=member,
    )


def test_statute_changes_default_to_three_quarters(session, make_assembly):
    assembly = session.get(Assembly, make_assembly().id)
    statute = services.ProposalData(title="S", text="T", statute_change=True)
    assert _submit(session, assembly, data=statute).majority == Majority.THREE_QUARTERS
    assert _submit(session, assembly).majority == Majority.SIMPLE
    nine = services.ProposalData(
        title="S", text="T", statute_change=True, majority=Majority.NINE_TENTHS
    )
    assert _submit(session, assembly, data=nine).majority == Majority.NINE_TENTHS
    with pytest.raises(DomainError) as err:
        _submit(
            session,
            assembly,
            data=services.ProposalData(
                title="S", text="T", statute_change=True, majority=Majority.SIMPLE
            ),
        )
    assert "three-quarters" in message(err)


def test_members_proposals_respect_the_deadline_and_the_roll(session, make_member, make_assembly):
    on, off = make_member(), make_member()
    assembly = session.get(Assembly, make_assembly(state=AssemblyState.CONVENED, members=[on]).id)
    member, outsider = session.get(Member, on.id), session.get(Member, off.id)
    proposal = _submit(session, assembly, member)
    assert proposal.member_id == on.id and proposal.state == ProposalState.SUBMITTED
    with pytest.raises(DomainError) as err:
        _submit(session, assembly, member, deadline=utcnow() - timedelta(minutes=1))
    assert "deadline" in message(err)
    with pytest.raises(DomainError) as err:
        _submit(session, assembly, outsider)
    assert "voter roll" in message(err)
    with pytest.raises(DomainError):
        _submit(session, assembly, None, kind=SubmitterKind.MEMBER)
    # The board is not bound to the members' deadline.
    _submit(session, assembly, deadline=utcnow() - timedelta(days=1))


def test_admission_puts_the_proposal_on_the_agenda(session, make_assembly):
    made = make_assembly()
    assembly = session.get(Assembly, made.id)
    first, second = _submit(session, assembly), _submit(session, assembly)
    services.admit_proposal(
        session, proposal=first, assembly=assembly, agenda_item_id=None, actor=None
    )
    item = session.get(AgendaItem, first.agenda_item_id)
    assert item.kind == ItemKind.RESOLUTION and item.title == DATA.title
    services.admit_proposal(
        session, proposal=second, assembly=assembly, agenda_item_id=made.items[1].id, actor=None
    )
    assert second.state == ProposalState.ADMITTED
    found = services.proposals_for_item(session, item_id=made.items[1].id)
    assert [p.id for p in found] == [second.id]


def test_workflow_and_illegal_transitions(session, make_member, make_assembly):
    member = make_member()
    made = make_assembly(state=AssemblyState.IN_SESSION, members=[member])
    session_assembly = session.get(Assembly, made.id)
    proposal = session.get(Proposal, _proposal(session, made).id)
    now = utcnow()
    services.decide(session, proposal=proposal, target=ProposalState.IN_VOTE, actor=None, now=now)
    services.record_result(session, proposal_id=proposal.id, adopted=True, actor=None, now=now)
    assert proposal.state == ProposalState.ADOPTED and proposal.decided_at == now
    for target in ProposalState:
        with pytest.raises(IllegalTransition):
            proposal.transition(target)
    assert session_assembly.state == AssemblyState.IN_SESSION

    fresh = Proposal(assembly_id=made.id, submitter_kind=SubmitterKind.BOARD, title="t", text="x")
    with pytest.raises(IllegalTransition):
        fresh.transition(ProposalState.IN_VOTE)
    with pytest.raises(IllegalTransition):
        fresh.transition(ProposalState.ADOPTED)
    fresh.transition(ProposalState.WITHDRAWN)
    with pytest.raises(IllegalTransition):
        fresh.transition(ProposalState.ADMITTED)


def _proposal(session, made):
    proposal = Proposal(
        assembly_id=made.id,
        agenda_item_id=made.items[1].id,
        submitter_kind=SubmitterKind.BOARD,
        title="Jahresabschluss",
        text="Feststellen",
        state=ProposalState.ADMITTED,
    )
    session.add(proposal)
    session.flush()
    return proposal


def test_a_vote_needs_the_assembly_in_session(session, make_assembly):
    made = make_assembly(state=AssemblyState.CONVENED, members=[])
    proposal = _proposal(session, made)
    with pytest.raises(DomainError) as err:
        services.decide(
            session, proposal=proposal, target=ProposalState.IN_VOTE, actor=None, now=utcnow()
        )
    assert "in session" in message(err)
