"""The bodies' rooms through the web: who sees which room and paper, uploads, versions,
downloads in the audit log, and what a former seat still reads."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from governance.accounts.models import Role
from governance.auditlog import AuditEvent
from governance.bodies.models import Body, BodyKind
from governance.bodies.models_rooms import RoomFile, RoomFileVersion, RoomFolder
from governance.db import new_session
from tests.access import ANON, LOGIN, Route, assert_covers
from tests.bodies.rooms_factories import *  # noqa: F403  (the rooms' fixtures)
from tests.bodies.rooms_factories import PDF, PDF2


def _rows(app: Flask, model: Any) -> list[Any]:
    with new_session(app.extensions["governance.engine"]) as s:
        return list(s.execute(select(model)).scalars())


def _pdf(data: bytes = PDF, name: str = "bericht.pdf") -> tuple[io.BytesIO, str]:
    return (io.BytesIO(data), name)


@pytest.fixture
def world(
    app: Flask,
    make_body: Callable[..., Body],
    make_paper: Callable[..., RoomFile],
    seated: Callable[..., Any],
    login: Callable[..., Any],
) -> dict[str, Any]:
    """The board and the supervisory board, each with a seat, a folder and a paper."""
    board = make_body(BodyKind.BOARD, "Vorstand")
    sb = make_body(BodyKind.SUPERVISORY_BOARD, "Aufsichtsrat")
    out: dict[str, Any] = {"board": board, "sb": sb}
    for key, body in (("board", board), ("sb", sb)):
        with new_session(app.extensions["governance.engine"]) as s:
            folder = RoomFolder(body_id=body.id, name="Berichte")
            s.add(folder)
            s.commit()
            s.refresh(folder)
        paper = make_paper(body, folder_id=folder.id)
        version = _rows(app, RoomFileVersion)[-1]
        out[key + "_urls"] = _urls(body.id, folder.id, paper.id, version.id)
        out[key + "_client"] = login(seated(body))
    out["member"] = login(roles=[Role.MEMBER])
    out["admin"] = login(roles=[Role.ADMIN])
    out["anon"] = app.test_client()
    return out


def _urls(body: int, folder: int, file: int, version: int) -> list[tuple[str, str]]:
    b = f"/bodies/{body}/room"
    return [
        ("GET", b),
        ("GET", f"{b}/folders/{folder}"),
        ("GET", f"{b}/files/{file}"),
        ("GET", f"{b}/versions/{version}"),
        ("POST", f"{b}/folders/{folder}/new"),
        ("POST", f"{b}/folders/0/upload"),
        ("POST", f"{b}/files/{file}/versions"),
    ]


def _status(response: Any) -> int | str:
    if response.status_code == 302 and "/login" in response.headers.get("Location", ""):
        return LOGIN
    return int(response.status_code)


def test_only_a_bodys_current_seats_open_its_room(app: Flask, world: dict[str, Any]) -> None:
    """A board member cannot open the supervisory board's room, folder, paper or download,
    and the other way round (each holds the role of their body by the seat); nor can a plain
    member, an administrator or anyone not logged in."""
    problems = []
    for room in ("board", "sb"):
        other = "sb" if room == "board" else "board"
        expected = {
            room: 200,
            other: 403,
            "member": 403,
            "admin": 403,
            "anon": LOGIN,
        }
        for who, want in expected.items():
            client = world[who + "_client"] if who in ("board", "sb") else world[who]
            for method, url in world[room + "_urls"]:
                # An empty POST from a seat re-shows the form with its errors (200).
                got = _status(client.open(url, method=method, data={}))
                if got != want:
                    problems.append(f"{method} {url} as {who} ({room} room): {got} != {want}")
    assert not problems, "\n".join(problems)
    routes = [Route(m, u, {}) for m, u in world["sb_urls"]]
    rooms = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("bodies.room")}
    others = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("bodies.")}
    assert_covers(app, "bodies", routes, ignore=others - rooms)
    assert ANON  # the matrix's anonymous column is `anon` here


def test_a_seat_uploads_a_paper_and_a_new_version_that_overwrites_nothing(
    app: Flask, world: dict[str, Any]
) -> None:
    client, sb = world["sb_client"], world["sb"]
    r = client.post(
        f"/bodies/{sb.id}/room/folders/0/new",
        data={"folder-name": "Prüfberichte", "folder-description": "Berichte des Verbands"},
    )
    assert r.status_code == 302
    folder = next(f for f in _rows(app, RoomFolder) if f.name == "Prüfberichte")
    r = client.post(
        f"/bodies/{sb.id}/room/folders/{folder.id}/upload",
        data={"paper-file": _pdf(), "paper-title": "Prüfbericht 2025", "paper-description": "d"},
        content_type="multipart/form-data",
    )
    assert r.status_code == 302, r.get_data(as_text=True)
    file = next(f for f in _rows(app, RoomFile) if f.title == "Prüfbericht 2025")
    assert file.folder_id == folder.id
    r = client.post(
        f"/bodies/{sb.id}/room/files/{file.id}/versions",
        data={"file": _pdf(PDF2, "bericht-v2.pdf"), "note": "Anlage ergänzt"},
        content_type="multipart/form-data",
    )
    assert r.status_code == 302
    versions = sorted(
        (v for v in _rows(app, RoomFileVersion) if v.file_id == file.id), key=lambda v: v.number
    )
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].stored_name != versions[1].stored_name
    page = client.get(f"/bodies/{sb.id}/room/files/{file.id}").get_data(as_text=True)
    assert "bericht.pdf" in page and "bericht-v2.pdf" in page and "Anlage ergänzt" in page
    first = client.get(f"/bodies/{sb.id}/room/versions/{versions[0].id}")
    assert first.data == PDF  # the first version is unchanged
    assert first.headers["Content-Disposition"].startswith("attachment")
    assert client.get(f"/bodies/{sb.id}/room/versions/{versions[1].id}").data == PDF2
    listing = client.get(f"/bodies/{sb.id}/room/folders/{folder.id}").get_data(as_text=True)
    assert "Prüfbericht 2025" in listing


@pytest.mark.parametrize(
    ("name", "data", "error"),
    [
        ("tool.exe", b"MZ\x90\x00", "Allowed file types"),
        ("fake.pdf", b"<html>not a pdf</html>", "does not match its type"),
        ("big.pdf", PDF + b"x" * 2048, "larger than"),
    ],
)
def test_bad_uploads_are_refused_with_a_form_error(
    app: Flask, world: dict[str, Any], name: str, data: bytes, error: str
) -> None:
    app.config["ATTACHMENT_MAX_BYTES"] = 1024
    client, sb = world["sb_client"], world["sb"]
    before = len(_rows(app, RoomFileVersion))
    r = client.post(
        f"/bodies/{sb.id}/room/folders/0/upload",
        data={"paper-file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )
    assert r.status_code == 200
    assert error in r.get_data(as_text=True)
    assert len(_rows(app, RoomFileVersion)) == before
    file = _rows(app, RoomFile)[-1]
    r = client.post(
        f"/bodies/{file.body_id}/room/files/{file.id}/versions",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )
    assert error in r.get_data(as_text=True)
    assert len(_rows(app, RoomFileVersion)) == before


def test_every_download_is_in_the_audit_log(app: Flask, world: dict[str, Any]) -> None:
    client = world["sb_client"]
    _method, url = world["sb_urls"][3]
    for _ in range(2):
        assert client.get(url).status_code == 200
    events = [e for e in _rows(app, AuditEvent) if e.event_type == "room.file_downloaded"]
    assert len(events) == 2
    assert {e.actor_user_id for e in events} == {client.user.id}
    assert events[0].object_id == url.rsplit("/", 1)[-1]
    assert '"number":1' in events[0].payload.replace(" ", "")
    world["board_client"].get(url)  # refused: not recorded
    assert len([e for e in _rows(app, AuditEvent) if e.event_type == "room.file_downloaded"]) == 2


def test_a_former_seat_reads_only_the_papers_of_their_own_term(
    app: Flask,
    make_body: Callable[..., Body],
    make_paper: Callable[..., RoomFile],
    seated: Callable[..., Any],
    login: Callable[..., Any],
) -> None:
    """A version is theirs when the day of its upload lies in their term (both ends
    included); they read those versions and nothing else, and upload nothing."""
    sb = make_body(BodyKind.SUPERVISORY_BOARD, "Aufsichtsrat")
    today = date.today()
    start, end = today - timedelta(days=100), today - timedelta(days=1)
    former = login(seated(sb, starts_on=start, ends_on=end))

    def at(day: date) -> datetime:
        return datetime(day.year, day.month, day.day, 11, 0, tzinfo=UTC)

    mixed = make_paper(sb, versions=[(PDF, at(end)), (PDF2, at(today))])
    later = make_paper(sb, versions=[(PDF, at(today))])
    earlier = make_paper(sb, versions=[(PDF, at(start - timedelta(days=1)))])
    first_day = make_paper(sb, versions=[(PDF, at(start))])
    versions = {v.file_id: v for v in _rows(app, RoomFileVersion) if v.number == 1}
    newest = next(v for v in _rows(app, RoomFileVersion) if v.file_id == mixed.id and v.number == 2)

    page = former.get(f"/bodies/{sb.id}/room").get_data(as_text=True)
    assert mixed.title in page and first_day.title in page
    assert later.title not in page and earlier.title not in page
    base = f"/bodies/{sb.id}/room"
    assert former.get(f"{base}/versions/{versions[mixed.id].id}").status_code == 200
    assert former.get(f"{base}/versions/{versions[first_day.id].id}").status_code == 200
    for refused in (newest.id, versions[later.id].id, versions[earlier.id].id):
        assert former.get(f"{base}/versions/{refused}").status_code == 403
    assert former.get(f"{base}/files/{later.id}").status_code == 403
    detail = former.get(f"{base}/files/{mixed.id}").get_data(as_text=True)
    assert "paper-1.pdf" in detail and "paper-2.pdf" not in detail
    r = former.post(
        f"{base}/folders/0/upload",
        data={"paper-file": _pdf()},
        content_type="multipart/form-data",
    )
    assert r.status_code == 403
    assert former.post(f"{base}/files/{mixed.id}/versions", data={}).status_code == 403
    assert former.post(f"{base}/folders/0/new", data={"folder-name": "x"}).status_code == 403
    # A seat whose term ended yesterday no longer writes; a current seat reads all of it.
    current = login(seated(sb))
    assert current.get(f"{base}/versions/{newest.id}").status_code == 200


def test_the_demo_puts_papers_into_the_boards_rooms(app: Flask) -> None:
    from governance.demo import DEMO_PASSWORD, DEMO_USERS, seed

    with new_session(app.extensions["governance.engine"]) as s:
        seed(s, only_if_empty=False, config=app.config)
        s.commit()
    folders = _rows(app, RoomFolder)
    assert [f.name for f in folders] == ["Prüfberichte"]
    versions = _rows(app, RoomFileVersion)
    report = next(f for f in _rows(app, RoomFile) if f.folder_id == folders[0].id)
    assert sorted(v.number for v in versions if v.file_id == report.id) == [1, 2]
    # the board and the supervisory board's audit committee have a paper too
    assert len({f.body_id for f in _rows(app, RoomFile)}) == 3
    client = app.test_client()
    sb_email = next(e for r, e, _n in DEMO_USERS if r == Role.SUPERVISORY_BOARD)
    client.post("/login", data={"email": sb_email, "password": DEMO_PASSWORD})
    newest = max((v for v in versions if v.file_id == report.id), key=lambda v: v.number)
    r = client.get(f"/bodies/{report.body_id}/room/versions/{newest.id}")
    assert r.status_code == 200 and r.data.startswith(b"%PDF-")
    page = client.get(f"/bodies/{report.body_id}/room")
    assert "Prüfberichte" in page.get_data(as_text=True)


def test_the_body_pages_room_box_shows_the_newest_papers_to_seats_only(
    app: Flask, world: dict[str, Any]
) -> None:
    from flask import g, render_template
    from flask_login import login_user

    def box(user: Any) -> str:
        with app.test_request_context():
            login_user(user)
            try:
                return render_template("bodies/_body_room.html", body=world["sb"], seat=None)
            finally:
                g.pop("db_session").close()

    html = box(world["sb_client"].user)
    assert 'id="body-room"' in html and f"/bodies/{world['sb'].id}/room" in html
    assert "Paper " in html  # the paper's title
    assert box(world["board_client"].user).strip() == ""
