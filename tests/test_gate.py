"""The one gate (`Assembly.can_see`) over every body and state, on every route of an assembly.

One assembly per body (general assembly, and a meeting of the representative assembly, the
board, the supervisory board and a committee, whose seats the member does not hold) and state (draft, convened, in session, closed), each with a poll and an admitted
proposal where the state allows. Every route of the assemblies, proposals, ballots, minutes and
audit blueprints that names an assembly, a poll or a proposal is requested, GET and POST, by a
plain member who is on the roll of every one of them, by an administrator without another role
and by a visitor who is not logged in. Where the gate closes the assembly, every route must
refuse (403, 404 for what does not exist, or the login page); where it is open, the member's
own pages must answer 200.
"""

# ruff: noqa: F811  (fixtures imported from tests/bodies/conftest_meetings.py)
from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import select

from governance.accounts.models import Role
from governance.assemblies.models import Assembly, AssemblyState, Body
from governance.ballots.models import Poll
from governance.ballots.services import PollData, close_poll, create_poll, open_poll
from governance.bodies.models import BodyKind
from governance.db import new_session, utcnow
from governance.proposals.models import Proposal
from tests.access import ANON, LOGIN
from tests.bodies.conftest_meetings import make_body  # noqa: F401

BLUEPRINTS = ("assemblies", "proposals", "tellers", "ballots", "minutes", "audit")
STATES = (
    AssemblyState.DRAFT,
    AssemblyState.CONVENED,
    AssemblyState.IN_SESSION,
    AssemblyState.CLOSED,
)
# Only the general assembly is open to the members; a meeting of a body (the representative
# assembly's too) is open to its seats and guests alone (tests/bodies/test_meetings_access.py).
MEMBER_BODIES = (Body.GENERAL_ASSEMBLY,)
KINDS = {
    Body.REPRESENTATIVE_ASSEMBLY: BodyKind.REPRESENTATIVE_ASSEMBLY,
    Body.SUPERVISORY_BOARD: BodyKind.SUPERVISORY_BOARD,
    Body.BOARD: BodyKind.BOARD,
    Body.COMMITTEE: BodyKind.COMMITTEE,
}
REFUSED = {403, 404, LOGIN}
# A member's own pages of an assembly they may see (GET, with the objects they name).
MEMBER_PAGES = (
    "assemblies.detail",
    "assemblies.live",
    "ballots.assembly_polls",
    "ballots.poll",
    "proposals.detail",
)


def expected_visible(body: Body, state: AssemblyState, role: str) -> bool:
    """The rule the gate must implement, written out independently of the code."""
    return role == Role.MEMBER.value and body in MEMBER_BODIES and state != AssemblyState.DRAFT


@pytest.fixture
def gate_world(app, make_assembly, make_member, make_user, make_proposal, make_body):
    """Every body × state, each with the member on its roll, a poll and a proposal."""
    member = make_member()
    user = make_user(roles=[Role.MEMBER], member_id=member.id)
    chair = make_user(roles=[Role.BOARD])
    body_ids = {body: make_body(kind).id for body, kind in KINDS.items()}
    worlds = []
    for body in Body:
        for state in STATES:
            held = state == AssemblyState.CLOSED  # its poll is held in session, then closed
            assembly = make_assembly(
                state=AssemblyState.IN_SESSION if held else state,
                body=body,
                body_id=body_ids.get(body),
                members=[member],
                chair=chair,
                title=f"{body} {state}",
            )
            ids = {"assembly_id": assembly.id}
            with new_session(app.extensions["governance.engine"]) as s:
                row = s.get(Assembly, assembly.id)
                poll = create_poll(s, assembly=row, data=PollData(title="Frage"), actor=chair)
                if state in (AssemblyState.IN_SESSION, AssemblyState.CLOSED):
                    poll = open_poll(s, poll=poll, actor=chair, now=utcnow())
                if held:
                    close_poll(s, poll=poll, actor=chair, now=utcnow())
                    row.state, row.closed_at = AssemblyState.CLOSED, utcnow()
                s.commit()
                ids["poll_id"] = poll.id
            if state != AssemblyState.DRAFT:
                ids["proposal_id"] = make_proposal(assembly).id
            worlds.append((body, state, ids))
    return user, worlds


def routes_of(app, ids: dict[str, int]) -> list[tuple[str, str, str]]:
    """(endpoint, method, url) of every route whose arguments the assembly's objects fill."""
    found = []
    with app.test_request_context():
        from flask import url_for

        for rule in app.url_map.iter_rules():
            if rule.endpoint.split(".")[0] not in BLUEPRINTS or not rule.arguments:
                continue
            if not rule.arguments <= set(ids) | {"member_id", "item_id", "seq", "render_id"}:
                continue
            if not rule.arguments & set(ids):
                continue
            values = {a: ids.get(a, 1) for a in rule.arguments}
            url = url_for(rule.endpoint, **values)
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                found.append((rule.endpoint, method, url))
    return found


def _status(response: Any) -> int | str:
    if response.status_code in (301, 302, 303) and "/login" in response.headers.get("Location", ""):
        return LOGIN
    return int(response.status_code)


# The subject is the gate's rule over thousands of requests, not the database (the domains'
# own access matrices run on both backends): one backend only.
@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_every_route_of_an_assembly_asks_the_gate(app, login, make_user, gate_world):
    member_user, worlds = gate_world
    clients = {
        Role.MEMBER.value: login(member_user),
        Role.ADMIN.value: login(make_user(roles=[Role.ADMIN])),
        ANON: app.test_client(),
    }
    problems, checked = [], 0
    for body, state, ids in worlds:
        routes = routes_of(app, ids)
        assert any(e.startswith("ballots.") for e, _m, _u in routes), "no poll route found"
        assert any(e.startswith("minutes.") for e, _m, _u in routes), "no minutes route found"
        for role, client in clients.items():
            visible = expected_visible(body, state, role)
            for endpoint, method, url in routes:
                if visible and (method != "GET" or endpoint not in MEMBER_PAGES):
                    continue  # the domains' own matrices check the roles behind the gate
                if endpoint == "proposals.detail" and "proposal_id" not in ids:
                    continue
                if visible and endpoint == "ballots.poll" and state == AssemblyState.CONVENED:
                    continue  # its poll is still a draft: invisible to members (404)
                got = _status(client.open(url, method=method, data={}))
                checked += 1
                if visible and got != 200:
                    problems.append(f"{body}/{state} {method} {url} as {role}: {got}, not 200")
                if not visible and got not in REFUSED:
                    problems.append(f"{body}/{state} {method} {url} as {role}: {got}, not refused")
    assert checked > 500
    assert not problems, f"{len(problems)} gate failures:\n" + "\n".join(problems[:60])


def test_lists_show_only_what_the_gate_opens(app, login, gate_world):
    """The polls list and the minutes list name no assembly the member may not see."""
    member_user, _worlds = gate_world
    client = login(member_user)
    polls_page = client.get("/polls/").get_data(as_text=True)
    with new_session(app.extensions["governance.engine"]) as s:
        hidden = s.scalars(select(Assembly).where(Assembly.body.not_in(MEMBER_BODIES))).all()
        assert hidden
        for assembly in hidden:
            assert f"/assemblies/{assembly.id}" not in polls_page, assembly.title
        polls = s.scalars(select(Poll).where(Poll.assembly_id.in_([a.id for a in hidden]))).all()
        for poll in polls:
            assert f'/polls/{poll.id}"' not in polls_page
        assert s.scalars(select(Proposal)).first() is not None
