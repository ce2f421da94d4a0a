"""Deleting a draft assembly: only before it is convened, audit-logged, files removed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from governance.accounts.models import Role
from governance.assemblies import services
from governance.assemblies.attachments import add_attachment, storage_path
from governance.assemblies.models import Assembly, AssemblyState
from governance.assemblies.models_agenda import AgendaItem
from governance.auditlog import AuditEvent
from governance.db import new_session
from governance.errors import DomainError
from governance.proposals.models import DemandKind, MinorityDemand
from tests.assemblies.conftest import message


def attach(app, item_id: int) -> Path:
    """A stored attachment of the item; returns the file's path."""
    with new_session(app.extensions["governance.engine"]) as s:
        att = add_attachment(
            s,
            item=s.get(AgendaItem, item_id),
            filename="Jahresabschluss.pdf",
            data=b"%PDF-1.4 test",
            upload_dir=app.config["UPLOAD_DIR"],
            max_bytes=10_000,
            actor=None,
        )
        s.commit()
        return storage_path(app.config["UPLOAD_DIR"], att.stored_name)


def count(session, model, **where) -> int:
    stmt = select(func.count()).select_from(model)
    for name, value in where.items():
        stmt = stmt.where(getattr(model, name) == value)
    return int(session.scalar(stmt) or 0)


def test_a_draft_is_deleted_with_its_agenda_and_audited(app, session, make_assembly, make_proposal):
    draft = make_assembly()
    make_proposal(draft, item=draft.items[1])
    path = attach(app, draft.items[0].id)
    assembly = session.get(Assembly, draft.id)
    stored = services.delete_assembly(session, assembly=assembly, actor=None)
    session.commit()
    assert stored == [path.name]
    assert session.get(Assembly, draft.id) is None
    assert count(session, AgendaItem, assembly_id=draft.id) == 0
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.event_type == "assembly.deleted")
    ).one()
    assert (event.object_type, event.object_id) == ("assembly", str(draft.id))
    payload = json.loads(event.payload)
    assert payload["title"] == "Generalversammlung"
    assert (payload["items"], payload["proposals"]) == (2, 1)


def test_a_convened_assembly_is_refused(session, make_member, make_assembly):
    convened = make_assembly(state=AssemblyState.CONVENED, members=[make_member()])
    with pytest.raises(DomainError) as info:
        services.delete_assembly(session, assembly=session.get(Assembly, convened.id), actor=None)
    assert "only a draft assembly can be deleted" in message(info)


def test_a_draft_with_a_minority_demand_is_refused(session, make_member, make_assembly):
    draft = make_assembly()
    demand = MinorityDemand(
        kind=DemandKind.AGENDA_ITEMS,
        assembly_id=draft.id,
        title="Punkt zur Tagesordnung",
        purpose="Zweck und Gründe",
        initiator_member_id=make_member().id,
    )
    session.add(demand)
    session.flush()
    with pytest.raises(DomainError) as info:
        services.delete_assembly(session, assembly=session.get(Assembly, draft.id), actor=None)
    assert "minority demand" in message(info)


def test_the_database_refuses_to_delete_a_convened_assembly(engine, make_member, make_assembly):
    convened = make_assembly(state=AssemblyState.CONVENED, members=[make_member()])
    draft = make_assembly()
    with engine.connect() as conn, pytest.raises(DBAPIError, match="only draft assemblies"):
        conn.execute(text("DELETE FROM assembly WHERE id = :i"), {"i": convened.id})
        conn.commit()
    with engine.connect() as conn:
        conn.execute(text("DELETE FROM assembly WHERE id = :i"), {"i": draft.id})
        conn.commit()
    with new_session(engine) as s:
        assert s.get(Assembly, convened.id) is not None and s.get(Assembly, draft.id) is None


def test_board_deletes_a_draft_from_its_page(app, login, make_member, make_assembly):
    draft = make_assembly()
    path = attach(app, draft.items[0].id)
    convened = make_assembly(state=AssemblyState.CONVENED, members=[make_member()])
    board = login(roles=[Role.BOARD])
    page = board.get(f"/assemblies/{draft.id}").get_data(as_text=True)
    assert f'action="/assemblies/{draft.id}/delete"' in page and "data-confirm=" in page
    other = board.get(f"/assemblies/{convened.id}").get_data(as_text=True)
    assert f"/assemblies/{convened.id}/delete" not in other
    r = board.post(f"/assemblies/{draft.id}/delete")
    assert r.status_code == 302 and r.headers["Location"].endswith("/assemblies/")
    assert "has been deleted" in board.get(r.headers["Location"]).get_data(as_text=True)
    assert board.get(f"/assemblies/{draft.id}").status_code == 404
    assert not path.exists()


def test_deleting_a_convened_assembly_shows_why(login, make_member, make_assembly):
    convened = make_assembly(state=AssemblyState.CONVENED, members=[make_member()])
    board = login(roles=[Role.BOARD])
    r = board.post(f"/assemblies/{convened.id}/delete")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/assemblies/{convened.id}")
    page = board.get(r.headers["Location"]).get_data(as_text=True)
    assert "only a draft assembly can be deleted" in page
    assert board.get(f"/assemblies/{convened.id}").status_code == 200
