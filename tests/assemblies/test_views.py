"""Views: refusals shown with a clear message, the live JSON with ETag, the heartbeat's CSRF
header, documents for eligible members only, roll corrections and revocation."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import update

from governance.accounts.models import Role
from governance.assemblies.models import Assembly, AssemblyForm, AssemblyState
from governance.db import new_session, utcnow
from governance.proposals.models import ProposalState
from tests.assemblies import beat


def follow(client, url, **kwargs):
    """POST, then GET the redirect target in a new request (as a browser does)."""
    r = client.post(url, **kwargs)
    assert r.status_code == 302, r.status_code
    return client.get(r.headers["Location"])


def _set(app, assembly_id, **values):
    with new_session(app.extensions["governance.engine"]) as s:
        s.execute(update(Assembly).where(Assembly.id == assembly_id).values(**values))
        s.commit()


def test_too_short_notice_is_refused_in_the_ui(login, make_member, make_assembly):
    make_member(email="a@example.org")
    assembly = make_assembly(starts_at=utcnow() + timedelta(days=10))
    board = login(roles=[Role.BOARD])
    r = board.post(f"/assemblies/{assembly.id}/convene")
    assert r.status_code == 200
    text = r.get_data(as_text=True)
    assert "less than 14 days away" in text and "§46(1) GenG" in text
    assert "Convene now" in text  # still a draft


def test_late_agenda_item_is_refused_in_the_ui(
    app, login, make_user, make_member, make_assembly, make_proposal
):
    member = make_member(email="a@example.org")
    board_user = make_user(roles=[Role.BOARD])
    assembly = make_assembly(
        state=AssemblyState.CONVENED,
        starts_at=utcnow() + timedelta(days=5),
        members=[member],
        chair=board_user,  # an assembly in session has a chair
    )
    board = login(board_user)
    r = follow(
        board,
        f"/assemblies/{assembly.id}/agenda/new",
        data={"title": "Dringlicher Antrag", "kind": "RESOLUTION", "parent_id": 0},
    )
    assert "announce the new item with a supplement" in r.get_data(as_text=True)
    r = follow(board, f"/assemblies/{assembly.id}/supplement")
    text = r.get_data(as_text=True)
    assert "1 notice is queued" in text
    assert "announced late: no resolution possible" in text

    _set(app, assembly.id, state=AssemblyState.IN_SESSION, starts_at=utcnow())
    late_item = type(assembly.items[0])(id=3)  # the third item of the agenda
    proposal = make_proposal(assembly, item=late_item, state=ProposalState.ADMITTED)
    r = follow(board, f"/proposals/{proposal.id}/decide", data={"target": "IN_VOTE"})
    assert "TOP 3 was announced less than the required notice" in r.get_data(as_text=True)


def test_live_json_has_an_etag_and_answers_304(login, make_user, make_member, make_assembly):
    member = make_member()
    user = make_user(member_id=member.id)
    assembly = make_assembly(state=AssemblyState.IN_SESSION, members=[member])
    client = login(user)
    first = client.get(f"/assemblies/{assembly.id}/live.json")
    assert first.status_code == 200
    assert first.json["state"] == "IN_SESSION" and first.json["roll"] == 1
    assert first.headers["Cache-Control"] == "private, no-cache"
    etag = first.headers["ETag"]
    again = client.get(f"/assemblies/{assembly.id}/live.json", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    outsider = login(roles=[Role.MEMBER])
    assert outsider.get(f"/assemblies/{assembly.id}/live.json").status_code == 403


def test_live_state_shows_the_open_poll_and_turnout(
    app, login, make_user, make_member, make_assembly
):
    from governance.ballots.models import Poll, PollState

    member = make_member()
    user = make_user(member_id=member.id)
    assembly = make_assembly(state=AssemblyState.IN_SESSION, members=[member])
    with new_session(app.extensions["governance.engine"]) as s:
        poll = Poll(
            assembly_id=assembly.id,
            title="Jahresabschluss",
            state=PollState.OPEN,
            opened_at=utcnow(),
        )
        s.add(poll)
        s.commit()
    client = login(user)
    data = client.get(f"/assemblies/{assembly.id}/live.json").json
    assert data["poll"] == {
        "id": poll.id,
        "title": "Jahresabschluss",
        "turnout": 0,
        "closes_at": None,
        "vote_url": f"/polls/{poll.id}/vote",
        "cast_url": f"/polls/{poll.id}/cast",
        "ballot": {
            "kind": "MOTION",
            "mode": None,
            "seats": 1,
            "secret": True,
            "options": [],
            "pad_to": len("ABSTAIN"),  # the longest choice: every cast body padded to it
        },
    }
    page = client.get(f"/assemblies/{assembly.id}/live").get_data(as_text=True)
    assert f'href="/polls/{poll.id}/vote"' in page


def test_live_state_follows_the_chair(app, login, make_user, make_member, make_assembly):
    member = make_member()
    user = make_user(member_id=member.id)
    chair = make_user(roles=[Role.BOARD])
    assembly = make_assembly(state=AssemblyState.IN_SESSION, members=[member], chair=chair)
    item = assembly.items[1]
    login(chair).post(f"/assemblies/{assembly.id}/current-item", data={"item_id": item.id})
    data = login(user).get(f"/assemblies/{assembly.id}/live.json").json
    assert data["item"] == {"id": item.id, "number": "2", "title": item.title}


@pytest.fixture
def app_config(request):
    return {"WTF_CSRF_ENABLED": True} if "csrf" in request.node.name else {}


def test_heartbeat_needs_the_csrf_header(app, make_user, make_member, make_assembly):
    member = make_member()
    user = make_user(member_id=member.id)
    assembly = make_assembly(
        state=AssemblyState.IN_SESSION, form=AssemblyForm.VIRTUAL, members=[member]
    )
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    r = client.post(
        "/login", data={"email": user.email, "password": "test-password-123", "csrf_token": token}
    )
    assert r.status_code == 302
    live = client.get(f"/assemblies/{assembly.id}/live").get_data(as_text=True)
    header = re.search(r'data-csrf="([^"]+)"', live).group(1)
    url = f"/assemblies/{assembly.id}/heartbeat"
    assert client.post(url).status_code == 400
    r = client.post(url, headers={"X-CSRFToken": header})
    assert r.status_code == 200 and beat(r) == {"channel": "ONLINE", "beat_seconds": 45}
    assert 'src="/static/js/live.js"' in live and "<script>" not in live


def test_documents_for_eligible_members_and_staff_only(
    login, make_user, make_member, make_assembly
):
    on_roll, later = make_member(), make_member()
    assembly = make_assembly(state=AssemblyState.CONVENED, members=[on_roll])
    board = login(roles=[Role.BOARD])
    r = board.post(
        f"/assemblies/{assembly.id}/agenda/{assembly.items[0].id}/attachments",
        data={"file": (io.BytesIO(b"%PDF-1.4 x"), "a.pdf")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 302
    bad = follow(
        board,
        f"/assemblies/{assembly.id}/agenda/{assembly.items[0].id}/attachments",
        data={"file": (io.BytesIO(b"MZ..."), "virus.exe")},
        content_type="multipart/form-data",
    )
    assert "Allowed file types" in bad.get_data(as_text=True)
    url = f"/assemblies/{assembly.id}/attachments/1"
    assert login(make_user(member_id=on_roll.id)).get(url).status_code == 200
    assert login(make_user(member_id=later.id)).get(url).status_code == 403
    assert login(roles=[Role.SECRETARY]).get(url).status_code == 200


def test_roll_correction_and_revocation_in_the_ui(
    app, login, make_member, make_assembly, make_mandate
):
    a, b, c = make_member(), make_member(), make_member()
    assembly = make_assembly(state=AssemblyState.CONVENED, members=[a, b])
    mandate = make_mandate(assembly, b, a)
    secretary = login(roles=[Role.SECRETARY])
    r = follow(
        secretary,
        f"/assemblies/{assembly.id}/roll/add",
        data={"member_number": c.number, "weight": 1, "reason": "Beitritt übersehen"},
    )
    text = r.get_data(as_text=True)
    assert "new roll hash is recorded" in text and "Beitritt übersehen" in text
    assert "matches" in text
    r = follow(
        secretary,
        f"/assemblies/{assembly.id}/mandates/{mandate.id}/revoke",
        data={"reason": "Widerruf per E-Mail"},
    )
    assert "The proxy has been revoked." in r.get_data(as_text=True)


def test_editing_a_convened_assembly_keeps_the_announced_facts(app, login, make_assembly):
    from governance.assemblies.forms import to_local

    assembly = make_assembly(state=AssemblyState.CONVENED, members=[])
    board = login(roles=[Role.BOARD])
    form = board.get(f"/assemblies/{assembly.id}/edit").get_data(as_text=True)
    starts = re.search(
        r'name="starts_at" required type="datetime-local" value="([^"]+)"', form
    ).group(1)
    assert starts == to_local(assembly.starts_at).strftime("%Y-%m-%dT%H:%M")
    data = {
        "title": "Neuer Titel",
        "body": "GENERAL_ASSEMBLY",
        "kind": "ORDINARY",
        "form": "IN_PERSON",
        "starts_at": starts,
        "place": assembly.place,
        "record_date": assembly.record_date.isoformat(),
        "chair_user_id": 0,
        "secretary_user_id": 0,
    }
    assert board.post(f"/assemblies/{assembly.id}/edit", data=data).status_code == 302
    later = to_local(assembly.starts_at + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    r = board.post(f"/assemblies/{assembly.id}/edit", data={**data, "starts_at": later})
    assert r.status_code == 200
    assert "can no longer change (starts_at)" in r.get_data(as_text=True)


def test_the_roll_hash_is_collapsed_for_members_and_open_for_staff(
    login, make_user, make_member, make_assembly
):
    """Phone first: the hash, long and technical, waits in "Technical verification data"."""
    member = make_member()
    assembly = make_assembly(state=AssemblyState.CONVENED, members=[member])
    user = make_user(roles=[Role.MEMBER], member_id=member.id)
    page = login(user).get(f"/assemblies/{assembly.id}").text
    tech = re.search(r'<details class="tech">.*?</details>', page, re.S)
    assert tech and assembly.roll_hash in tech.group(0)
    assert page.count(assembly.roll_hash) == 1
    staff = login(roles=[Role.BOARD]).get(f"/assemblies/{assembly.id}").text
    tech = re.search(r'<details class="tech" open>.*?</details>', staff, re.S)
    assert tech and assembly.roll_hash in tech.group(0)
