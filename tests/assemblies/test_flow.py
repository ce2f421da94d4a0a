"""Through the UI alone: create, agenda, convene (invitations arrive at aiosmtpd with working
login links), hold with check-in and two proxies (a third refused), close."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy import update

from governance.accounts.models import Role
from governance.assemblies.models import Assembly, AssemblyState
from governance.db import new_session, utcnow
from tests.assemblies import beat

LINK = re.compile(r"https?://\S+/login/invitation/\S+")


def _local(dt: datetime) -> str:
    return dt.astimezone(ZoneInfo("Europe/Berlin")).strftime("%Y-%m-%dT%H:%M")


def _id_from(response) -> int:
    return int(re.search(r"/assemblies/(\d+)", response.headers["Location"]).group(1))


def _login_by_mail(app, smtp, address):
    messages = smtp.to(address)
    assert messages, f"no invitation to {address}"
    body = messages[-1].get_body(preferencelist=("plain",)).get_content()
    path = urlsplit(LINK.search(body).group(0)).path
    client = app.test_client()
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 302
    return client, body


def _prepare(board, chair, secretary) -> int:
    r = board.post(
        "/assemblies/new",
        data={
            "title": "Ordentliche Generalversammlung",
            "body": "GENERAL_ASSEMBLY",
            "kind": "ORDINARY",
            "form": "HYBRID",
            "starts_at": _local(utcnow() + timedelta(days=20)),
            "place": "Gemeinschaftssaal",
            "remote_access": "Videokonferenz: https://meet.example.org/gv",
            "chair_user_id": chair.id,
            "secretary_user_id": secretary.id,
        },
    )
    assert r.status_code == 302, r.data
    assembly_id = _id_from(r)
    for title, kind in (
        ("Jahresabschluss", "RESOLUTION"),
        ("Entlastung des Vorstands", "RESOLUTION"),
    ):
        r = board.post(
            f"/assemblies/{assembly_id}/agenda/new",
            data={"title": title, "kind": kind, "parent_id": 0, "description": "**Bericht**"},
        )
        assert r.status_code == 302
    r = board.post(
        f"/assemblies/{assembly_id}/agenda/new",
        data={"title": "Bericht des Aufsichtsrats", "kind": "INFORMATION", "parent_id": 1},
    )
    assert r.status_code == 302
    return assembly_id


def test_an_assembly_through_the_ui(app, login, make_user, make_member, smtp, deliver_mail):
    board_user = make_user(roles=[Role.BOARD])
    chair_user = make_user(roles=[Role.SUPERVISORY_BOARD])
    secretary_user = make_user(roles=[Role.SECRETARY])
    members = [make_member(email=f"m{i}@example.org", last_name=f"Name{i}") for i in range(5)]
    by_post = make_member(email=None, last_name="Briefpost")
    board, chair, secretary = login(board_user), login(chair_user), login(secretary_user)

    assembly_id = _prepare(board, chair_user, secretary_user)
    page = board.get(f"/assemblies/{assembly_id}").get_data(as_text=True)
    assert "TOP 1.1" in page and "<strong>Bericht</strong>" in page
    r = board.post(
        f"/assemblies/{assembly_id}/agenda/1/attachments",
        data={"file": (__import__("io").BytesIO(b"%PDF-1.7 Bericht"), "bericht.pdf")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 302

    # Convene: 5 invitations by email, 1 member by letter post.
    assert "6" in board.get(f"/assemblies/{assembly_id}/convene").get_data(as_text=True)
    r = board.post(f"/assemblies/{assembly_id}/convene", follow_redirects=True)
    text = r.get_data(as_text=True)
    assert "5 invitations are queued" in text and by_post.number in text
    deliver_mail()
    m0, body = _login_by_mail(app, smtp, "m0@example.org")
    assert "TOP 1  Jahresabschluss" in body and "meet.example.org" in body
    assert "You are on the voter roll" in m0.get(f"/assemblies/{assembly_id}").get_data(
        as_text=True
    )
    download = m0.get(f"/assemblies/{assembly_id}/attachments/1")
    assert download.status_code == 200 and download.data == b"%PDF-1.7 Bericht"

    # Two weeks later: the chair opens the assembly.
    with new_session(app.extensions["governance.engine"]) as s:
        s.execute(update(Assembly).where(Assembly.id == assembly_id).values(starts_at=utcnow()))
        s.commit()
    assert chair.post(f"/assemblies/{assembly_id}/open").status_code == 302

    # The secretary checks in two members and registers two proxies for one of them.
    found = secretary.get(f"/assemblies/{assembly_id}/check-in?q=name1").get_data(as_text=True)
    assert members[1].number in found and members[2].number not in found
    for m in members[:2]:
        assert secretary.post(f"/assemblies/{assembly_id}/check-in/{m.id}").status_code == 302
    for principal in members[2:4]:
        r = secretary.post(
            f"/assemblies/{assembly_id}/mandates",
            data={"principal": principal.number, "proxy": members[0].number, "evidence": "E-Mail"},
        )
        assert r.status_code == 302
    r = secretary.post(
        f"/assemblies/{assembly_id}/mandates",
        data={"principal": members[4].number, "proxy": members[0].number, "evidence": "E-Mail"},
    )
    assert r.status_code == 200
    assert "already represents two members" in r.get_data(as_text=True)

    mine = m0.get(f"/assemblies/{assembly_id}/me").get_data(as_text=True)
    assert members[2].number in mine and members[3].number in mine
    listing = secretary.get(f"/assemblies/{assembly_id}/attendance").get_data(as_text=True)
    assert "Present: 4 of 6 (room 2, online 0, by proxy 2)" in listing
    csv_text = secretary.get(f"/assemblies/{assembly_id}/attendance.csv").get_data(as_text=True)
    assert f"{members[2].number};" in csv_text and ";PROXY;" in csv_text

    # Member 4 takes part online from the live page.
    m4, _ = _login_by_mail(app, smtp, "m4@example.org")
    assert m4.get(f"/assemblies/{assembly_id}/live").status_code == 200
    assert beat(m4.post(f"/assemblies/{assembly_id}/heartbeat")) == {
        "channel": "ONLINE",
        "beat_seconds": 45,
    }
    live = m4.get(f"/assemblies/{assembly_id}/live.json")
    assert live.status_code == 200 and live.headers["ETag"]

    assert chair.post(f"/assemblies/{assembly_id}/close").status_code == 302
    with new_session(app.extensions["governance.engine"]) as s:
        assert s.get(Assembly, assembly_id).state == AssemblyState.CLOSED
