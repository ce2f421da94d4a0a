"""Access matrix: every route of the ballots blueprint, every role."""

from __future__ import annotations

from governance.accounts.models import Role
from governance.ballots.models import Poll
from governance.ballots.publishing import publish_poll
from governance.ballots.services import close_poll
from governance.db import utcnow
from tests.access import LOGGED_IN, LOGIN, RELATIVE, Route, allow, assert_access, assert_covers
from tests.factories_ballots import cast

STAFF = (Role.BOARD, Role.SUPERVISORY_BOARD, Role.SECRETARY)
PREPARE = (Role.BOARD, Role.SECRETARY)


def _polls(world, make_poll):
    draft = make_poll(world, open=False, title="Entwurf")
    open_ = make_poll(world, title="Offen")
    sealed = make_poll(world, title="Versiegelt")
    published = make_poll(world, title="Veröffentlicht")
    for poll in (sealed, published):
        cast(world, poll.id, 0, "YES")
    with world.session() as s:
        for poll in (sealed, published):
            close_poll(s, poll=s.get(Poll, poll.id), actor=None, now=utcnow())
        publish_poll(s, poll=s.get(Poll, published.id), actor=None, declaration="Ja.", now=utcnow())
        s.commit()
    return draft.id, open_.id, sealed.id, published.id


def _draft_only(*roles, ok=200):
    """Draft polls are invisible (404) to those who neither prepare nor belong to staff."""
    expected = allow(*roles, ok=ok)
    for role in ("MEMBER", "ADMIN", RELATIVE):
        expected[role] = 404
    return expected


def test_access_matrix(app, login_as, vote_world, make_poll, relative_grants):
    world = vote_world(members=3)
    draft, open_, sealed, published = _polls(world, make_poll)
    a, m = world.assembly_id, world.member_ids[1]
    relative_grants.append((a, world.member_ids[2]))  # RELATIVE holds member 2's proxy
    everyone = allow(*LOGGED_IN)
    # The gate: an administrator without another role sees no assembly, so none of its polls;
    # a relative holding a member's proxy sees the assembly they vote in.
    members = allow(Role.MEMBER, *STAFF, RELATIVE)
    routes = [
        Route("GET", "/polls/", everyone),
        Route("GET", f"/polls/assembly/{a}", members),
        Route("GET", f"/polls/assembly/{a}/new", allow(*PREPARE)),
        Route("POST", f"/polls/assembly/{a}/new", allow(*PREPARE)),
        Route("GET", f"/polls/{draft}", _draft_only(*STAFF)),
        Route("GET", f"/polls/{open_}", members),
        Route("GET", f"/polls/{draft}/edit", _draft_only(*PREPARE)),
        Route("POST", f"/polls/{draft}/edit", _draft_only(*PREPARE)),  # no data: the form again
        Route("POST", f"/polls/{open_}/edit", allow(*PREPARE, ok=302)),  # refused: not a draft
        Route("GET", f"/polls/{draft}/exclusions", _draft_only(*PREPARE)),
        Route("POST", f"/polls/{draft}/exclusions", _draft_only(*PREPARE)),
        Route("POST", f"/polls/{draft}/exclusions/{m}/delete", _draft_only(*PREPARE, ok=302)),
        Route("POST", f"/polls/{open_}/open", allow(Role.BOARD, ok=302)),
        Route("POST", f"/polls/{published}/close", allow(Role.BOARD, ok=302)),
        Route("POST", f"/polls/{open_}/delete", allow(*PREPARE, ok=302)),
        # Nobody of these test users is on the roll or holds a mandate; the relative holds a
        # member's proxy (a cast without data is a bad request).
        Route("GET", f"/polls/{open_}/vote", allow(RELATIVE)),
        Route("POST", f"/polls/{open_}/vote", allow(RELATIVE)),
        Route("POST", f"/polls/{open_}/cast", allow() | {RELATIVE: 400}),
        Route("GET", f"/polls/{sealed}/box", allow(*STAFF, RELATIVE)),
        Route("POST", f"/polls/{sealed}/box", allow(*STAFF, RELATIVE)),
        Route("GET", f"/polls/{published}/results", members),
        Route("GET", f"/polls/{open_}/room", allow(*PREPARE)),
        Route("POST", f"/polls/{open_}/room", allow(*PREPARE)),
        Route("POST", f"/polls/{open_}/room/{m}/undo", allow(*PREPARE, ok=302)),
        Route("GET", f"/polls/{sealed}/paper", allow(*PREPARE)),
        Route("POST", f"/polls/{sealed}/paper", allow(*PREPARE)),
        Route("GET", f"/polls/{sealed}/declare", allow(Role.BOARD)),
        Route("POST", f"/polls/{sealed}/declare", allow(Role.BOARD)),
        Route("POST", f"/polls/{sealed}/runoff", allow(Role.BOARD, ok=302)),
        Route("GET", f"/polls/{sealed}/audit", allow(*STAFF)),
        # Only the tellers of the poll's key ceremony (none here; tests/ballots/
        # test_encrypted_count_views.py checks the tellers).
        Route("GET", f"/polls/{sealed}/decrypt", allow()),
        Route("GET", f"/polls/{sealed}/decrypt/box.json", allow()),
        Route("POST", f"/polls/{sealed}/decrypt", allow()),
    ]
    assert_covers(app, "ballots", routes)
    assert_access(app, login_as, routes)
    assert all(r.expected["ANON"] == LOGIN for r in routes)


def test_member_on_roll_sees_box_and_votes(login, vote_world, make_poll):
    world = vote_world(members=2)
    poll = make_poll(world)
    member = login(world.users[0])
    assert member.get(f"/polls/{poll.id}/vote").status_code == 200
    outsider = login(roles=[Role.MEMBER])
    assert outsider.get(f"/polls/{poll.id}/vote").status_code == 403


def test_a_draft_ballot_page_is_not_found_for_members_on_the_roll_or_not(
    login, vote_world, make_poll
):
    """Nothing tells a member that a draft poll exists, whether they could vote in it later or
    not: the same 404 as for a poll that does not exist."""
    world = vote_world(members=2)
    draft = make_poll(world, open=False, title="Entwurf")
    member = login(world.users[0])
    outsider = login(roles=[Role.MEMBER])
    for client in (member, outsider):
        assert client.get(f"/polls/{draft.id}/vote").status_code == 404
        assert client.get(f"/polls/{draft.id + 1000}/vote").status_code == 404
