"""Proposals and minority demands through the UI."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from governance.accounts.models import Role
from governance.assemblies.models import AssemblyState
from governance.db import utcnow


@pytest.fixture
def app_config():
    return {"MINORITY_QUORUM": "0.5"}


def _follow(client, url, **kwargs):
    r = client.post(url, **kwargs)
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    return client.get(r.headers["Location"])


def test_a_member_submits_and_the_board_admits(login, make_user, make_member, make_assembly):
    member = make_member()
    assembly = make_assembly(state=AssemblyState.CONVENED, members=[member])
    author = login(make_user(member_id=member.id))
    page = _follow(
        author,
        f"/proposals/assembly/{assembly.id}/new",
        data={
            "submitter": "MEMBER",
            "title": "Satzung: Online-Versammlung",
            "text": "§ 10 *neu*",
            "statute_change": "y",
        },
    )
    text = page.get_data(as_text=True)
    assert "Three-quarters majority" in text and "<em>neu</em>" in text
    proposal_id = int(re.search(r"/proposals/(\d+)/edit", text).group(1))
    assert "Satzung: Online-Versammlung" in author.get("/proposals/").get_data(as_text=True)

    other = login(make_user(member_id=make_member().id))
    assert other.get(f"/proposals/{proposal_id}").status_code == 403  # not yet admitted

    board = login(roles=[Role.BOARD])
    text = _follow(board, f"/proposals/{proposal_id}/admit", data={"agenda_item_id": 0}).get_data(
        as_text=True
    )
    assert "The proposal is on the agenda." in text
    assert other.get(f"/proposals/{proposal_id}").status_code == 200
    agenda = board.get(f"/assemblies/{assembly.id}").get_data(as_text=True)
    assert "TOP 3 · Satzung: Online-Versammlung" in agenda and "not yet announced" in agenda


def test_a_members_proposal_after_the_deadline_is_refused(
    login, make_user, make_member, make_assembly
):
    member = make_member()
    assembly = make_assembly(
        state=AssemblyState.CONVENED,
        members=[member],
        proposal_deadline=utcnow() - timedelta(hours=1),
    )
    author = login(make_user(member_id=member.id))
    r = author.post(
        f"/proposals/assembly/{assembly.id}/new",
        data={"submitter": "MEMBER", "title": "Zu spät", "text": "Text"},
    )
    assert r.status_code == 200
    assert "The deadline for members&#39; proposals" in r.get_data(as_text=True)


def test_a_demand_collects_support_until_the_quorum(login, make_user, make_member):
    a, b = make_member(), make_member()
    make_member()
    make_member()
    first = login(make_user(member_id=a.id))
    page = _follow(
        first,
        "/proposals/demands/new",
        data={
            "kind": "ASSEMBLY",
            "assembly_id": 0,
            "title": "Sonderversammlung",
            "purpose": "Weil",
        },
    ).get_data(as_text=True)
    assert "1</strong> of 2 needed (4 members)" in page
    demand_id = int(re.search(r"/proposals/demands/(\d+)/withdraw", page).group(1))
    second = login(make_user(member_id=b.id))
    page = _follow(second, f"/proposals/demands/{demand_id}/support").get_data(as_text=True)
    assert "2</strong> of 2 needed" in page and "quorum reached" in page
    board = login(roles=[Role.BOARD])
    page = _follow(
        board, f"/proposals/demands/{demand_id}/handle", data={"note": "Einberufen zum 1. Mai"}
    ).get_data(as_text=True)
    assert "Einberufen zum 1. Mai" in page
