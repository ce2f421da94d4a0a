"""Access matrix of every route of the assemblies and proposals blueprints: route × role."""

# ruff: noqa: F811  (fixtures imported from tests/bodies/conftest_meetings.py)
from __future__ import annotations

from dataclasses import dataclass

import pytest

from governance.accounts.models import Role, User
from governance.assemblies import body_meetings
from governance.assemblies.attachments import add_attachment
from governance.assemblies.grants import ProxyGrant
from governance.assemblies.models import Assembly, AssemblyState
from governance.assemblies.models_agenda import AgendaItem
from governance.bodies.models import BodyKind
from governance.db import new_session, utcnow
from governance.proposals.models import DemandKind, DemandState, MinorityDemand, ProposalState
from tests.access import (
    ALL_ROLES,
    LOGGED_IN,
    RELATIVE,
    Route,
    allow,
    assert_access,
    assert_covers,
)
from tests.bodies.conftest_meetings import make_body, make_meeting  # noqa: F401

BOARD, SB, SEC, MEMBER = Role.BOARD, Role.SUPERVISORY_BOARD, Role.SECRETARY, Role.MEMBER
STAFF = (BOARD, SB, SEC)
VIEWERS = (*STAFF, MEMBER)  # ADMIN alone is no member: it sees no assembly


@dataclass
class World:
    draft: int
    convened: int
    session: int
    closing: int
    item: int
    attachment: int
    doomed_attachment: int
    member: int
    mandate: int
    proposal: int
    withdrawable: int
    demand: int
    grant: int
    body: int  # the board as a body, whose seats nobody of the matrix holds
    meeting: int  # its meeting (convened), with a guest
    guest: int


def _attachment(app, item_id: int, name: str) -> int:
    with new_session(app.extensions["governance.engine"]) as s:
        att = add_attachment(
            s,
            item=s.get(AgendaItem, item_id),
            filename=name,
            data=b"%PDF-1.4 test",
            upload_dir=app.config["UPLOAD_DIR"],
            max_bytes=10_000,
            actor=None,
        )
        s.commit()
        return att.id


def _grant(app, assembly_id: int, principal_id: int, holder_id: int) -> int:
    with new_session(app.extensions["governance.engine"]) as s:
        grant = ProxyGrant(
            assembly_id=assembly_id,
            principal_id=principal_id,
            holder_id=holder_id,
            declaration="Vollmacht in Textform",
        )
        s.add(grant)
        s.commit()
        return grant.id


def _demand(app, member_id: int) -> int:
    with new_session(app.extensions["governance.engine"]) as s:
        demand = MinorityDemand(
            kind=DemandKind.ASSEMBLY,
            title="Außerordentliche Versammlung",
            purpose="Zweck und Gründe",
            initiator_member_id=member_id,
            state=DemandState.REACHED,
        )
        s.add(demand)
        s.commit()
        return demand.id


@pytest.fixture
def world(
    app,
    make_member,
    make_assembly,
    make_mandate,
    make_proposal,
    relative_grants,
    make_body,
    make_meeting,
    make_user,
) -> World:
    members = [make_member() for _ in range(3)]
    board = make_body(BodyKind.BOARD)
    meeting = make_meeting(board, state=AssemblyState.CONVENED, members=[])
    convened = make_assembly(state=AssemblyState.CONVENED, members=members)
    in_session = make_assembly(state=AssemblyState.IN_SESSION, members=members)
    relative_grants.append((in_session.id, members[2].id))  # RELATIVE votes for member 2 there
    item = convened.items[0].id
    return World(
        draft=make_assembly().id,
        convened=convened.id,
        session=in_session.id,
        closing=make_assembly(state=AssemblyState.IN_SESSION, members=members).id,
        item=item,
        attachment=_attachment(app, item, "a.pdf"),
        doomed_attachment=_attachment(app, item, "b.pdf"),
        member=members[0].id,
        mandate=make_mandate(in_session, members[1], members[2]).id,
        proposal=make_proposal(convened, item=convened.items[1]).id,
        withdrawable=make_proposal(convened, state=ProposalState.SUBMITTED).id,
        demand=_demand(app, members[0].id),
        grant=_grant(app, in_session.id, members[0].id, members[1].id),
        body=board.id,
        meeting=meeting.id,
        guest=_guest(app, meeting.id, make_user(roles=[]).id),
    )


def _guest(app, assembly_id: int, user_id: int) -> int:
    with new_session(app.extensions["governance.engine"]) as s:
        guest = body_meetings.invite_guest(
            s,
            assembly=s.get(Assembly, assembly_id),
            user=s.get(User, user_id),
            actor=None,
            now=utcnow(),
        )
        s.commit()
        return guest.id


def _assembly_routes(w: World) -> list[Route]:
    a, s, d, m = (
        f"/assemblies/{w.convened}",
        f"/assemblies/{w.session}",
        f"/assemblies/{w.draft}",
        w.member,
    )
    staff, viewers = allow(*STAFF), allow(*VIEWERS)
    board, records = allow(BOARD), allow(SEC)
    return [
        Route("GET", "/assemblies/", allow(*LOGGED_IN)),
        Route("GET", "/assemblies/new", board),
        Route("POST", "/assemblies/new", board),  # empty form: shown again
        Route("GET", d, staff),
        Route("GET", a, viewers),
        Route("GET", f"{a}/edit", board),
        Route("POST", f"{a}/edit", board),
        Route("POST", f"{a}/delete", allow(BOARD, ok=302)),  # convened: refused
        Route("GET", f"{d}/convene", allow(BOARD, SB)),
        Route("POST", f"{a}/convene", allow(BOARD, SB)),  # convened already: message
        Route("POST", f"{a}/supplement", allow(BOARD, SB, ok=302)),
        Route("GET", f"{a}/evidence", staff),
        Route("POST", f"{s}/open", allow(BOARD, ok=302)),  # no chair appointed: the board
        Route("POST", f"{s}/all-present", allow(BOARD, ok=302)),
        Route("POST", f"{s}/current-item", allow(BOARD, ok=302), data={"item_id": 0}),
        Route("POST", f"/assemblies/{w.closing}/close", allow(BOARD, ok=302)),
        Route("GET", f"{a}/agenda/new", board),
        Route("POST", f"{a}/agenda/new", board),
        Route("GET", f"{a}/agenda/{w.item}/edit", board),
        Route("POST", f"{a}/agenda/{w.item}/edit", board),
        Route("POST", f"{a}/agenda/{w.item}/move/down", allow(BOARD, ok=302)),
        Route("POST", f"{a}/agenda/{w.item}/delete", allow(BOARD, ok=302)),  # announced: refused
        Route("POST", f"{a}/agenda/{w.item}/attachments", allow(BOARD, ok=302)),
        Route("GET", f"{a}/attachments/{w.attachment}", staff),  # and members on the roll
        Route("POST", f"{a}/attachments/{w.doomed_attachment}/delete", allow(BOARD, ok=302)),
        # Papers linked from a body's room: the agenda's editors link, the documents' gate reads.
        Route("POST", f"{a}/agenda/{w.item}/papers", allow(BOARD, ok=302)),
        Route("GET", f"{a}/papers/999999", allow(*STAFF, ok=404)),  # and members on the roll
        Route("GET", f"{a}/roll", staff),
        Route("POST", f"{a}/roll/add", allow(SEC, ok=302)),
        Route("POST", f"{a}/roll/{m}/remove", allow(SEC, ok=302)),
        Route("POST", f"{a}/roll/{m}/weight", allow(SEC, ok=302)),
        Route("GET", f"{s}/attendance", staff),
        Route("GET", f"{s}/attendance.csv", staff),
        Route("GET", f"{s}/check-in?q=M-", records),
        Route("POST", f"{s}/check-in/{m}", allow(SEC, ok=302)),
        Route("POST", f"{s}/check-out/{m}", allow(SEC, ok=302)),
        Route("GET", f"{s}/mandates", records),
        Route("POST", f"{s}/mandates", records),
        Route("POST", f"{s}/mandates/{w.mandate}/revoke", allow(SEC, ok=302)),
        # And members on the roll; a relative holding a member's proxy follows it to vote.
        Route("GET", f"{s}/live", allow(*STAFF, RELATIVE)),
        Route("GET", f"{s}/live.json", allow(*STAFF, RELATIVE)),
        Route("POST", f"{s}/heartbeat", allow(*STAFF, RELATIVE)),
        Route("GET", f"{s}/me", viewers),
        # A member's own proxy: only for an account linked to a member. The board's and the
        # supervisory board's logins are (their roles follow their members' seats, issue #15).
        Route("POST", f"{s}/me/proxy", allow(BOARD, SB, ok=302)),
        Route("POST", f"{s}/me/proxy/{w.grant}/accept", allow()),  # only the holder
        Route("POST", f"{s}/me/proxy/{w.grant}/revoke", allow()),  # only the principal
        Route("POST", f"{s}/me/proxy/relative", allow()),  # and the statute must allow it
        # The page of a relative who holds a member's proxy: only theirs (this one a member's).
        Route("GET", f"{s}/proxy/{w.grant}", allow()),
        Route("POST", f"{s}/proxy/{w.grant}/accept", allow()),
        Route("POST", f"{s}/mandates/grants/{w.grant}/reject", allow(SEC, ok=302)),
        Route("GET", f"{a}/calendar.ics", viewers),
        Route("GET", f"{d}/calendar.ics", staff),
        # The chair's cockpit (no chair appointed: the board), the list of speakers, the screen.
        Route("GET", f"{s}/cockpit", board),
        Route("GET", f"{s}/cockpit.json", board),
        Route("GET", f"{s}/speakers", allow(BOARD, SEC)),
        Route("POST", f"{s}/speakers/add", allow(BOARD, SEC, ok=302)),
        Route("POST", f"{s}/speakers/999999/remove", allow(BOARD, SEC, ok=302)),
        Route("POST", f"{s}/speakers/next", allow(BOARD, ok=302)),
        Route("POST", f"{s}/speakers/end", allow(BOARD, ok=302)),
        Route("POST", f"{s}/speakers/request", allow()),  # members on the roll only
        # members with a member record (the board's logins have one: their seats need it)
        Route("POST", f"{s}/speakers/withdraw", allow(BOARD, SB, ok=302)),
        Route("POST", f"{s}/screen-token", board),
        Route("GET", f"{s}/screen/not-the-token", dict.fromkeys(ALL_ROLES, 404)),
        Route("GET", f"{s}/screen/not-the-token/screen.json", dict.fromkeys(ALL_ROLES, 404)),
        Route("GET", "/assemblies/999999", allow(*LOGGED_IN, ok=404)),
        # A meeting of a body: no role opens it, only a seat (tests/bodies/test_meetings_access.py);
        # the BOARD login holds its role by a seat on this board, so it opens the board's.
        Route("GET", f"/assemblies/bodies/{w.body}/new", allow(BOARD)),
        Route("POST", f"/assemblies/bodies/{w.body}/new", allow(BOARD)),
        Route("GET", f"/assemblies/{w.meeting}", allow(BOARD)),
        Route("GET", f"/assemblies/{w.meeting}/guests", allow(BOARD)),
        Route("POST", f"/assemblies/{w.meeting}/guests", allow(BOARD)),
        Route("POST", f"/assemblies/{w.meeting}/guests/{w.guest}/remove", allow(BOARD, ok=302)),
    ]


def _proposal_routes(w: World) -> list[Route]:
    p, demand = f"/proposals/{w.proposal}", f"/proposals/demands/{w.demand}"
    everyone = allow(*LOGGED_IN)
    # Members' own acts: the BOARD and SUPERVISORY_BOARD logins have a member (their roles
    # follow its seats); no other user here has one.
    members_only = allow(BOARD, SB)
    supporters = allow(BOARD, SB, ok=302)
    return [
        Route("GET", "/proposals/", everyone),
        Route("GET", f"/proposals/assembly/{w.convened}/new", allow(BOARD, SB)),
        Route("POST", f"/proposals/assembly/{w.convened}/new", allow(BOARD, SB)),
        Route("GET", p, allow(*VIEWERS)),
        Route("GET", f"{p}/edit", allow(BOARD)),
        Route("POST", f"{p}/edit", allow(BOARD)),
        Route("POST", f"{p}/admit", allow(BOARD, ok=302)),
        Route("POST", f"{p}/decide", allow(BOARD, ok=302)),
        Route("POST", f"/proposals/{w.withdrawable}/withdraw", allow(BOARD, ok=302)),
        Route("GET", "/proposals/demands", everyone),
        Route("GET", "/proposals/demands/new", members_only),
        Route("POST", "/proposals/demands/new", members_only),
        Route("GET", demand, everyone),
        Route("POST", f"{demand}/support", supporters),
        Route("POST", f"{demand}/unsupport", supporters),
        Route("POST", f"{demand}/withdraw", allow()),  # only the demand's own submitter
        Route("POST", f"{demand}/handle", allow(BOARD, ok=302)),
    ]


def test_assemblies_access_matrix(app, login_as, world):
    routes = _assembly_routes(world)
    assert_covers(app, "assemblies", routes)
    assert_access(app, login_as, routes)


def test_proposals_access_matrix(app, login_as, world):
    routes = _proposal_routes(world)
    assert_covers(app, "proposals", routes)
    assert_access(app, login_as, routes)


def test_members_on_the_roll_see_documents_and_the_live_page(app, login, make_user, world):
    on_roll = login(make_user(member_id=world.member))
    a, s = f"/assemblies/{world.convened}", f"/assemblies/{world.session}"
    urls = (f"{a}/attachments/{world.attachment}", f"{s}/live", f"{s}/live.json", f"{s}/me")
    for url in (*urls, f"{a}/calendar.ics"):
        assert on_roll.get(url).status_code == 200, url
    assert on_roll.post(f"{s}/heartbeat").status_code == 200
    for url in (f"{a}/roll", f"{s}/attendance", f"{s}/check-in", f"{s}/mandates", f"{a}/evidence"):
        assert on_roll.get(url).status_code == 403, url
    assert on_roll.get("/proposals/demands/new").status_code == 200
