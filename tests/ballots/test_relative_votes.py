"""A relative who is not a member votes for the members whose proxies they hold (issue #17,
§43(5) GenG, statute setting PROXY_RELATIVES): with their own login they see that one assembly,
its live page and ballot pages, and cast one ballot per represented member in secret, named
and encrypted polls, with no vote of their own. The tally counts them; the seal, the audit
and the standalone verifier pass. Revoked or rejected grants take the right away, a member
and their relative never both vote, and the database refuses a proxy cast without a grant."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from governance import coopvote as cv
from governance.accounts.models import Role, User
from governance.assemblies import proxies, relatives
from governance.assemblies.grants import ProxyGrant, Relationship
from governance.assemblies.models import Assembly, AssemblyForm
from governance.audit import verify_bundle as vb
from governance.audit.export import build_bundle
from governance.audit.verify import verify
from governance.auditlog import canonical
from governance.ballots import decrypt
from governance.ballots.casting import cast_vote
from governance.ballots.models import Participation, Poll
from governance.ballots.publishing import publish_poll
from governance.ballots.services import published_result
from governance.db import utcnow
from governance.errors import DomainError
from governance.minutes.polls import participants
from tests.audit.conftest import finish
from tests.factories_encrypted import decrypt_share, encrypted_poll, seal, teller

JSON = {"Accept": "application/json"}


def _relative(world, make_user, *principals: int, email: str = "rita@example.org") -> User:
    """A login without a member holding the accepted proxies of members `principals`."""
    holder = make_user(roles=[], email=email)
    with world.session() as s:
        assembly = s.get(Assembly, world.assembly_id)
        for i in principals:
            grant = relatives.grant_to_relative(
                s, assembly=assembly, principal=s.get(relatives.Member, world.member_ids[i]),
                name="Rita Neu", email=email, relationship=Relationship.SPOUSE,
                allowed=[Relationship.SPOUSE], declaration="Vollmacht in Textform", actor=None,
                notify=lambda *_a: ("Vollmacht", "Link"),
            )  # fmt: skip
            relatives.accept_relative(s, assembly=assembly, grant=grant, actor=holder, now=utcnow())
        s.commit()
    return holder


def _world(vote_world, members: int = 4):
    return vote_world(members=members, form=AssemblyForm.VIRTUAL, present=False)


def _cast(client, poll_id: int, voter: int, choice: str):
    return client.post(f"/polls/{poll_id}/cast", data={"voter": voter, "choice": choice})


def test_the_relative_sees_their_assembly_only_and_votes_for_each_principal(
    vote_world, make_poll, make_user, login
):
    world = _world(vote_world)
    other = _world(vote_world, members=1)
    rita = _relative(world, make_user, 0, 1)
    client = login(rita)
    a = world.assembly_id
    assert client.get(f"/assemblies/{a}").status_code == 200
    assert client.get(f"/assemblies/{a}/live").status_code == 200
    assert client.get(f"/assemblies/{a}/me").status_code == 403  # no member's page
    assert client.get(f"/assemblies/{other.assembly_id}").status_code == 403
    assert client.get(f"/assemblies/{other.assembly_id}/live").status_code == 403
    assert client.get("/register/members").status_code in (403, 404)
    listing = client.get("/assemblies/").text
    assert f"/assemblies/{a}" in listing and f"/assemblies/{other.assembly_id}" not in listing

    poll = make_poll(world)
    page = client.get(f"/polls/{poll.id}/vote").text
    assert "Myself" not in page and page.count("(proxy)") == 2
    r = client.post(f"/polls/{poll.id}/vote", data={"voter": world.member_ids[0], "choice": "YES"})
    assert r.status_code == 200 and 'name="choice"' in r.text  # the confirmation step
    for i, choice in ((0, "YES"), (1, "NO")):
        r = _cast(client, poll.id, world.member_ids[i], choice)
        assert r.status_code == 200, r.text
    # Neither again, nor for a member whose proxy they do not hold, nor for themselves.
    again = _cast(client, poll.id, world.member_ids[0], "NO")
    assert again.status_code == 302  # back to the ballot: "already voted"
    assert _cast(client, poll.id, world.member_ids[2], "NO").status_code == 403
    assert _cast(client, poll.id, rita.id, "NO").status_code == 403
    with world.session() as s:
        rows = s.execute(
            select(Participation.member_id, Participation.cast_by_member_id,
                   Participation.cast_by_user_id, Participation.channel)
            .where(Participation.poll_id == poll.id).order_by(Participation.member_id)
        ).all()  # fmt: skip
    assert [(m, b, u, c.value) for m, b, u, c in rows] == [
        (world.member_ids[0], None, rita.id, "PROXY"),
        (world.member_ids[1], None, rita.id, "PROXY"),
    ]
    finish(world, poll.id)
    with world.session() as s:
        result = published_result(s.get(Poll, poll.id))
        assert (result.counts["YES"], result.counts["NO"], result.participants_proxy) == (1, 1, 2)
        records = participants(s, assembly_id=a)
        assert [(r.channels, r.proxies) for r in records] == [
            (("PROXY",), ("Test User (relative, not a member)",))
        ] * 2
        report = verify(s, assembly_id=a)
        assert report.ok, [(c.code, c.differences) for _s, c in report.failures]
        bundle = json.loads(canonical(build_bundle(s, poll_id=poll.id)))
    assert {p["cast_by"] for p in bundle["participations"]} == {f"relative-{rita.id}"}
    assert not [x for x in vb.verify(bundle).lines if x.startswith("[FAIL]")]


def test_a_named_poll_records_the_relative_as_proxy_of_the_member(
    vote_world, make_poll, make_user, login
):
    world = _world(vote_world)
    rita = _relative(world, make_user, 2)
    client = login(rita)
    poll = make_poll(world, secret=False)
    assert _cast(client, poll.id, world.member_ids[2], "YES").status_code == 200
    assert _cast(login(world.users[0]), poll.id, world.member_ids[0], "NO").status_code == 200
    finish(world, poll.id)
    staff = login(world.chair)
    rows = staff.get(f"/polls/{poll.id}/results").text
    named = rows[rows.index('id="named"') :]
    assert "Test User (relative, not a member)" in named
    with world.session() as s:
        report = verify(s, assembly_id=world.assembly_id)
        assert report.ok, [(c.code, c.differences) for _s, c in report.failures]
        bundle = json.loads(canonical(build_bundle(s, poll_id=poll.id)))
    assert {"principal": _number(world, 2), "proxy": f"relative-{rita.id}", "slot": 1} in bundle[
        "mandates"
    ]
    assert not [x for x in vb.verify(bundle).lines if x.startswith("[FAIL]")]


def _number(world, i: int) -> str:
    with world.session() as s:
        return s.get(relatives.Member, world.member_ids[i]).number


def test_the_relative_casts_encrypted_ballots_and_the_count_verifies(vote_world, make_user, login):
    world = _world(vote_world)
    rita = _relative(world, make_user, 0, 1)
    ep = encrypted_poll(world)
    client = login(rita)
    page = client.get(f"/polls/{ep.poll_id}/vote").text
    assert "coopvote" in page or "encrypted" in page
    for i, choice in ((0, [[1, 0, 0]]), (1, [[1, 0, 0]])):
        enc = cv.encrypt(ep.key, choice)
        r = client.post(
            f"/polls/{ep.poll_id}/cast",
            data={"voter": world.member_ids[i], "ballot": [enc.wire]},
            headers=JSON,
        )
        assert r.status_code == 200, r.json
    enc = cv.encrypt(ep.key, [[0, 1, 0]])
    member = login(world.users[2])
    data = {"voter": world.member_ids[2], "ballot": [enc.wire]}
    assert member.post(f"/polls/{ep.poll_id}/cast", data=data, headers=JSON).status_code == 200
    seal(world, ep)
    with world.session() as s:
        for j in (1, 2):
            wire = decrypt_share(world, ep, j)
            poll = s.get(Poll, ep.poll_id)
            decrypt.post_share(s, poll=poll, teller=teller(world, ep, j), wire=wire, actor=None)
        publish_poll(s, poll=s.get(Poll, ep.poll_id), actor=None, declaration="Ja.", now=utcnow())
        s.commit()
        result = published_result(s.get(Poll, ep.poll_id))
        assert (result.counts["YES"], result.counts["NO"], result.participants_proxy) == (2, 1, 2)
        report = verify(s, assembly_id=world.assembly_id)
        assert report.ok, [(c.code, c.differences) for _s, c in report.failures]
        bundle = json.loads(canonical(build_bundle(s, poll_id=ep.poll_id)))
    assert not [x for x in vb.verify(bundle).lines if x.startswith("[FAIL]")]


def test_revocation_and_rejection_take_the_right_away(vote_world, make_poll, make_user, login):
    world = _world(vote_world)
    rita = _relative(world, make_user, 0, 1)
    secretary = make_user(roles=[Role.SECRETARY])
    with world.session() as s:
        assembly = s.get(Assembly, world.assembly_id)
        first, second = s.scalars(select(ProxyGrant).order_by(ProxyGrant.id)).all()
        member = s.get(User, world.users[0].id)
        proxies.revoke_grant(s, assembly=assembly, grant=first, actor=member, now=utcnow())
        proxies.reject_grant(
            s, assembly=assembly, grant=second, reason="Nicht verheiratet",
            actor=s.get(User, secretary.id), now=utcnow(),
        )  # fmt: skip
        s.commit()
    poll = make_poll(world)
    client = login(rita)
    assert client.get(f"/polls/{poll.id}/vote").status_code == 403
    assert _cast(client, poll.id, world.member_ids[0], "YES").status_code == 403
    assert client.get(f"/assemblies/{world.assembly_id}").status_code == 403
    with world.session() as s, pytest.raises(DomainError, match="no proxy for this member"):
        cast_vote(
            s, poll_id=poll.id, member_id=world.member_ids[1], actor=s.get(User, rita.id),
            choice="YES", now=datetime.now(UTC),
        )  # fmt: skip
    # The member votes themselves.
    assert _cast(login(world.users[0]), poll.id, world.member_ids[0], "YES").status_code == 200


def test_the_member_and_their_relative_never_both_vote(vote_world, make_poll, make_user, login):
    world = _world(vote_world)
    rita = _relative(world, make_user, 0)
    poll = make_poll(world)
    assert _cast(login(world.users[0]), poll.id, world.member_ids[0], "YES").status_code == 200
    client = login(rita)
    assert "(proxy)" not in client.get(f"/polls/{poll.id}/vote").text  # voted already
    r = client.post(
        f"/polls/{poll.id}/cast",
        data={"voter": world.member_ids[0], "choice": "NO"},
        headers=JSON,
    )
    assert (r.status_code, r.json["voted"]) == (409, True)
    with world.session() as s, pytest.raises(DomainError, match="already"):
        cast_vote(
            s, poll_id=poll.id, member_id=world.member_ids[0], actor=s.get(User, rita.id),
            choice="NO", now=datetime.now(UTC),
        )  # fmt: skip


def test_a_relative_votes_only_online_in_a_remote_assembly(vote_world, make_poll, make_user):
    world = vote_world(members=2, form=AssemblyForm.IN_PERSON, present=False)
    rita = _relative(world, make_user, 0)
    poll = make_poll(world)
    with world.session() as s, pytest.raises(DomainError, match="not present"):
        cast_vote(
            s, poll_id=poll.id, member_id=world.member_ids[0], actor=s.get(User, rita.id),
            choice="YES", now=datetime.now(UTC),
        )  # fmt: skip


# --- the database: a proxy cast needs a mandate or an accepted grant --------------------------

INSERT = text(
    "INSERT INTO participation (poll_id, member_id, cast_by_member_id, cast_by_user_id, channel) "
    "VALUES (:p, :m, :b, :u, :c)"
)
REFUSED = (IntegrityError, DBAPIError)


def _insert(world, **values) -> None:
    with world.session() as s:
        s.execute(INSERT, values)
        s.commit()


def test_the_database_refuses_a_proxy_cast_without_an_accepted_grant(
    vote_world, make_poll, make_user
):
    world = _world(vote_world)
    rita = _relative(world, make_user, 0)
    stranger = make_user(roles=[], email="fremd@example.org")
    poll = make_poll(world)
    m0, m1 = world.member_ids[0], world.member_ids[1]

    def proxy(m: int, b: int | None, u: int | None, c: str = "PROXY") -> None:
        _insert(world, p=poll.id, m=m, b=b, u=u, c=c)

    with pytest.raises(REFUSED, match="needs their proxy"):
        proxy(m1, None, rita.id)  # not her principal
    with pytest.raises(REFUSED, match="needs their proxy"):
        proxy(m0, None, stranger.id)  # holds no grant
    with pytest.raises(REFUSED, match="needs their proxy"):
        proxy(m1, m0, None)  # a member without a mandate
    with pytest.raises(REFUSED, match="ck_participation_caster"):
        proxy(m0, m1, rita.id)  # two casters
    with pytest.raises(REFUSED, match="ck_participation_caster"):
        proxy(m0, None, rita.id, "ONLINE")  # a relative never votes as themselves
    with pytest.raises(REFUSED, match="ck_participation_caster"):
        proxy(m0, None, None)  # nobody cast
    proxy(m0, None, rita.id)  # her principal: accepted
    with pytest.raises(REFUSED):
        _insert(world, p=poll.id, m=m0, b=m0, u=None, c="ONLINE")  # and never twice


def test_the_database_refuses_the_relative_once_the_grant_is_revoked(
    vote_world, make_poll, make_user
):
    world = _world(vote_world)
    rita = _relative(world, make_user, 0)
    with world.session() as s:
        grant = s.scalars(select(ProxyGrant)).one()
        proxies.revoke_grant(
            s, assembly=s.get(Assembly, world.assembly_id), grant=grant,
            actor=s.get(User, world.users[0].id), now=utcnow(),
        )  # fmt: skip
        s.commit()
    poll = make_poll(world)
    with pytest.raises(REFUSED, match="needs their proxy"):
        _insert(world, p=poll.id, m=world.member_ids[0], b=None, u=rita.id, c="PROXY")
