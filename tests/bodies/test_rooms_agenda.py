"""An agenda item's paper links to the room instead of being copied: linked by a seat,
served to whoever may see the meeting's documents, each download in the audit log."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from governance.accounts.models import Role
from governance.assemblies.models import AssemblyState
from governance.assemblies.models_papers import AgendaPaper
from governance.auditlog import AuditEvent
from governance.bodies.models import Body, BodyKind
from governance.bodies.models_rooms import RoomFile, RoomFileVersion
from governance.db import new_session, utcnow
from tests.bodies.rooms_factories import *  # noqa: F403  (the rooms' fixtures)
from tests.bodies.rooms_factories import PDF, PDF2


def _rows(app: Flask, model: Any) -> list[Any]:
    with new_session(app.extensions["governance.engine"]) as s:
        return list(s.execute(select(model)).scalars())


def test_a_board_seat_links_a_room_paper_that_the_roll_downloads(
    app: Flask,
    make_body: Callable[..., Body],
    make_paper: Callable[..., RoomFile],
    make_member: Callable[..., Any],
    make_user: Callable[..., Any],
    make_seat: Callable[..., Any],
    make_assembly: Callable[..., Any],
    login: Callable[..., Any],
) -> None:
    board = make_body(BodyKind.BOARD, "Vorstand")
    sb = make_body(BodyKind.SUPERVISORY_BOARD, "Aufsichtsrat")
    chair = make_member()
    make_seat(board, member=chair)
    board_client = login(make_user(roles=[Role.BOARD, Role.MEMBER], member_id=chair.id))
    voter = make_member()
    voter_client = login(make_user(member_id=voter.id))
    outsider_client = login(make_user(member_id=make_member().id))
    plan = make_paper(board, versions=[(PDF, utcnow()), (PDF2, utcnow())])
    secret = make_paper(sb)
    assembly = make_assembly(state=AssemblyState.CONVENED, members=[voter, chair])
    item = assembly.items[0]
    a = f"/assemblies/{assembly.id}"

    form = board_client.get(f"{a}/agenda/{item.id}/edit").get_data(as_text=True)
    assert f'value="{plan.id}:0"' in form and f'value="{secret.id}:0"' not in form
    r = board_client.post(f"{a}/agenda/{item.id}/papers", data={"paper": f"{secret.id}:0"})
    assert r.status_code == 302 and _rows(app, AgendaPaper) == []  # not a room of theirs
    r = board_client.post(f"{a}/agenda/{item.id}/papers", data={"paper": f"{plan.id}:0"})
    assert r.status_code == 302
    (link,) = _rows(app, AgendaPaper)
    assert link.version_id is None  # the current version, whatever is newest
    assert _rows(app, RoomFile) and len(_rows(app, RoomFileVersion)) == 3  # nothing copied

    page = voter_client.get(a).get_data(as_text=True)
    assert plan.title in page and f"{a}/papers/{link.id}" in page
    r = voter_client.get(f"{a}/papers/{link.id}")
    assert r.status_code == 200 and r.data == PDF2
    assert r.headers["Content-Disposition"].startswith("attachment")
    assert outsider_client.get(f"{a}/papers/{link.id}").status_code == 403  # not on the roll
    assert voter_client.get(f"/bodies/{board.id}/room").status_code == 403  # nor the room
    downloads = [e for e in _rows(app, AuditEvent) if e.event_type == "room.file_downloaded"]
    assert [e.actor_user_id for e in downloads] == [voter_client.user.id]
    assert '"via":"agenda"' in downloads[0].payload.replace(" ", "")


def test_a_linked_version_belongs_to_the_linked_paper(
    app: Flask,
    engine: Any,
    make_body: Callable[..., Body],
    make_paper: Callable[..., RoomFile],
    make_assembly: Callable[..., Any],
) -> None:
    board = make_body(BodyKind.BOARD, "Vorstand")
    one, other = make_paper(board), make_paper(board)
    foreign = next(v for v in _rows(app, RoomFileVersion) if v.file_id == other.id)
    item = make_assembly().items[0]
    sql = text(
        "INSERT INTO agenda_paper (agenda_item_id, room_file_id, version_id, linked_at) "
        "VALUES (:i, :f, :v, '2025-01-01 00:00:00+00:00')"
    )
    with (
        pytest.raises(DBAPIError, match="the version belongs to the linked paper"),
        engine.begin() as conn,
    ):
        conn.execute(sql, {"i": item.id, "f": one.id, "v": foreign.id})
