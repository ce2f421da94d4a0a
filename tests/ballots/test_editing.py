"""Editing a draft poll: through the UI, its audit event, only while a draft — in the service,
in the view and in the database (raw SQL past Python)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from governance.accounts.models import Role
from governance.assemblies.models import Assembly, AssemblyForm, AssemblyState
from governance.assemblies.services import delete_assembly
from governance.auditlog import AuditEvent
from governance.ballots.editing import update_poll
from governance.ballots.models import (
    ElectionMode,
    Majority,
    Poll,
    PollKind,
    PollOption,
    PollState,
)
from governance.ballots.services import PollData, create_poll, options_of
from governance.db import utcnow
from governance.errors import DomainError
from tests.ballots.conftest import message
from tests.factories_ballots import open_existing

FORM = {
    "title": "Wahl des Aufsichtsrats",
    "description": "Zwei Sitze sind frei.",
    "kind": "ELECTION",
    "majority": "SIMPLE",
    "election_mode": "CHOOSE_UP_TO_N",
    "seats": 2,
    "candidates": "Ben\r\nCem\r\nDora",
    "agenda_item_id": 0,
    "proposal_id": 0,
    "secret": "y",
}


def _labels(world, poll_id):
    with world.session() as s:
        return [(o.position, o.label) for o in options_of(s, poll_id=poll_id)]


def _updates(world, poll_id):
    with world.session() as s:
        rows = s.scalars(
            select(AuditEvent.payload).where(
                AuditEvent.event_type == "poll.updated", AuditEvent.object_id == str(poll_id)
            )
        ).all()
    return [json.loads(p) for p in rows]


def test_draft_poll_is_edited_through_the_ui(vote_world, make_poll, login):
    world = vote_world(members=2)
    poll = make_poll(world, open=False, title="Wahl", kind=PollKind.ELECTION, candidates=["Anna"])
    secretary = login(roles=[Role.SECRETARY])
    page = secretary.get(f"/polls/{poll.id}").text
    assert f'href="/polls/{poll.id}/edit"' in page
    form = secretary.get(f"/polls/{poll.id}/edit").text
    assert 'value="Wahl"' in form and "Anna</textarea>" in form and "Save the draft" in form
    r = secretary.post(f"/polls/{poll.id}/edit", data=FORM)
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/polls/{poll.id}")
    assert "The draft poll has been saved." in secretary.get(r.headers["Location"]).text
    with world.session() as s:
        saved = s.get(Poll, poll.id)
        assert (saved.title, saved.description, saved.seats) == (
            FORM["title"],
            FORM["description"],
            2,
        )
        assert (saved.election_mode, saved.majority) == (
            ElectionMode.CHOOSE_UP_TO_N,
            Majority.RELATIVE,
        )
        assert saved.state == PollState.DRAFT and saved.publish_choices is False
    assert _labels(world, poll.id) == [(1, "Ben"), (2, "Cem"), (3, "Dora")]
    (event,) = _updates(world, poll.id)
    assert event["changes"]["title"] == ["Wahl", FORM["title"]]
    assert event["changes"]["candidates"] == [["Anna"], ["Ben", "Cem", "Dora"]]
    assert event["changes"]["majority"] == ["SIMPLE", "RELATIVE"]
    assert "kind" not in event["changes"] and "secret" not in event["changes"]
    # An election becomes a motion: the candidates go, the majority stays as chosen.
    motion = {**FORM, "kind": "MOTION", "majority": "THREE_QUARTERS", "publish_choices": "y"}
    assert secretary.post(f"/polls/{poll.id}/edit", data=motion).status_code == 302
    with world.session() as s:
        saved = s.get(Poll, poll.id)
        assert (saved.kind, saved.election_mode, saved.seats) == (PollKind.MOTION, None, 1)
        assert saved.majority == Majority.THREE_QUARTERS and saved.publish_choices is True
    assert _labels(world, poll.id) == []
    open_existing(world, poll.id)  # the edited poll opens as any other


def test_invalid_edits_change_nothing(vote_world, make_poll, login):
    world = vote_world(members=2)
    poll = make_poll(world, open=False, title="Wahl", kind=PollKind.ELECTION, candidates=["Anna"])
    chair = login(world.chair)
    r = chair.post(f"/polls/{poll.id}/edit", data={**FORM, "candidates": "Ben\nBen"})
    assert r.status_code == 200 and "A candidate is listed twice." in r.text
    r = chair.post(f"/polls/{poll.id}/edit", data={**FORM, "title": ""})
    assert r.status_code == 200
    with world.session() as s:
        assert s.get(Poll, poll.id).title == "Wahl"
    assert _labels(world, poll.id) == [(1, "Anna")]
    unchanged = {
        **FORM,
        "title": "Wahl",
        "description": "",
        "kind": "ELECTION",
        "election_mode": "YES_NO_ABSTAIN_PER_CANDIDATE",
        "seats": 1,
        "candidates": "Anna",
        "publish_choices": "y",
    }
    r = chair.post(f"/polls/{poll.id}/edit", data=unchanged)
    assert r.status_code == 302 and "Nothing changed." in chair.get(f"/polls/{poll.id}").text
    assert _updates(world, poll.id) == []


def test_an_open_poll_is_not_edited(vote_world, make_poll, login):
    world = vote_world(members=2)
    poll = make_poll(world, title="Offen")
    chair = login(world.chair)
    assert f"/polls/{poll.id}/edit" not in chair.get(f"/polls/{poll.id}").text
    for r in (
        chair.get(f"/polls/{poll.id}/edit"),
        chair.post(f"/polls/{poll.id}/edit", data={**FORM, "kind": "MOTION"}),
    ):
        assert r.status_code == 302 and r.headers["Location"].endswith(f"/polls/{poll.id}")
    page = chair.get(f"/polls/{poll.id}").text
    assert "Only a draft poll can be edited; this one is open or over." in page
    with world.session() as s:
        assert s.get(Poll, poll.id).title == "Offen"
    assert _updates(world, poll.id) == []


def test_an_edit_after_a_concurrent_opening_is_refused(vote_world, make_poll):
    """The edit re-reads the poll under a lock: a poll opened meanwhile is not changed."""
    world = vote_world(members=2)
    draft = make_poll(world, open=False, title="Entwurf")
    with world.session() as s:
        stale = s.get(Poll, draft.id)
        assert stale.state == PollState.DRAFT
        s.commit()  # the editor read the draft; the chair opens it now
        open_existing(world, draft.id)
        with pytest.raises(DomainError) as exc:
            update_poll(s, poll=stale, data=PollData(title="Geändert"), actor=world.chair)
        assert "Only a draft poll can be edited" in message(exc)
        s.rollback()
    with world.session() as s:
        assert s.get(Poll, draft.id).title == "Entwurf"


def test_a_draft_poll_of_a_closed_assembly_is_not_edited(vote_world, make_poll):
    """Like creating one: once the assembly is over, its polls stay as they are."""
    world = vote_world(members=2)
    draft = make_poll(world, open=False, title="Entwurf")
    with world.session() as s:
        assembly = s.get(Assembly, world.assembly_id)
        assembly.state = AssemblyState.CLOSED
        s.add(assembly)
        s.commit()
        with pytest.raises(DomainError) as exc:
            update_poll(
                s, poll=s.get(Poll, draft.id), data=PollData(title="Neu"), actor=world.chair
            )
        assert "The assembly is over" in message(exc)
        s.rollback()
    with world.session() as s:
        assert s.get(Poll, draft.id).title == "Entwurf"


def _refused(engine, sql, **params):
    with pytest.raises(DatabaseError), engine.begin() as conn:
        conn.execute(text(sql), params)


def test_database_fixes_question_and_candidates_once_open(engine, vote_world, make_poll):
    world = vote_world(members=2)
    election = {"kind": PollKind.ELECTION, "candidates": ["Anna", "Ben"]}
    draft = make_poll(world, open=False, **election)
    poll = make_poll(world, **election)
    for column, value in (
        ("title", "Anders"),
        ("description", "Anders"),
        ("kind", "MOTION"),
        ("election_mode", "CHOOSE_UP_TO_N"),
        ("seats", 2),
        ("majority", "THREE_QUARTERS"),
        ("secret", False),
        ("publish_choices", False),
    ):
        _refused(engine, f"UPDATE poll SET {column} = :v WHERE id = :p", v=value, p=poll.id)
    option = "INSERT INTO poll_option (poll_id, position, label) VALUES (:p, 3, 'Cem')"
    _refused(engine, option, p=poll.id)
    _refused(engine, "UPDATE poll_option SET label = 'Cem' WHERE poll_id = :p", p=poll.id)
    _refused(engine, "DELETE FROM poll_option WHERE poll_id = :p", p=poll.id)
    _refused(
        engine, "UPDATE poll_option SET poll_id = :p WHERE poll_id = :d", p=poll.id, d=draft.id
    )
    with engine.begin() as conn:  # a draft changes freely
        conn.execute(
            text("UPDATE poll SET title = 'Neu', seats = 2 WHERE id = :p"), {"p": draft.id}
        )
        conn.execute(text(option), {"p": draft.id})
        conn.execute(text("DELETE FROM poll_option WHERE poll_id = :p"), {"p": draft.id})
        conn.execute(text("UPDATE poll SET auto_close_at = NULL WHERE id = :p"), {"p": poll.id})
    assert _labels(world, poll.id) == [(1, "Anna"), (2, "Ben")]


def test_a_draft_assembly_is_deleted_with_its_draft_election(app, session):
    """The candidates' trigger lets the cascade from a deleted draft assembly through."""
    assembly = Assembly(
        title="Entwurf",
        form=AssemblyForm.IN_PERSON,
        starts_at=utcnow() + timedelta(days=30),
        record_date=date.today(),
    )
    session.add(assembly)
    session.flush()
    data = PollData(title="Wahl", kind=PollKind.ELECTION, candidates=["Anna", "Ben"])
    create_poll(session, assembly=assembly, data=data, actor=None)
    session.commit()
    assert session.scalar(select(func.count()).select_from(PollOption)) == 2
    delete_assembly(session, assembly=assembly, actor=None)
    session.commit()
    assert session.scalar(select(func.count()).select_from(Poll)) == 0
    assert session.scalar(select(func.count()).select_from(PollOption)) == 0
