"""Proxies to relatives who are not members (§43(5) GenG, statute setting PROXY_RELATIVES):
off, the form offers members only and the server refuses; on, the member names a relative the
statute allows, who gets a login link by mail, accepts on their own page and is shown to the
secretary as not a member, who may reject it with a reason. The database keeps the holder a
non-member, the limit of two and the member's proxy single."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from governance.accounts.models import Role, User
from governance.assemblies import relatives
from governance.assemblies.grants import GrantState, ProxyGrant, Relationship
from governance.assemblies.models import Assembly, AssemblyState
from governance.assemblies.models_mandates import Mandate
from governance.auditlog import AuditEvent
from governance.errors import DomainError
from governance.mail import OutboxMessage
from governance.register.models import Member
from tests.assemblies.conftest import message

RELATIVE = {
    "name": "Rita Neu",
    "email": "Rita.Neu@example.org",
    "relationship": "SPOUSE",
    "confirm": "y",
}


def _give(client, assembly_id, **changes):
    return client.post(f"/assemblies/{assembly_id}/me/proxy/relative", data=RELATIVE | changes)


def _grants(world) -> list[ProxyGrant]:
    with world.session() as s:
        return list(s.scalars(select(ProxyGrant).order_by(ProxyGrant.id)))


def test_off_the_form_offers_members_only_and_the_server_refuses(vote_world, login):
    world = vote_world(members=2)
    principal = login(world.users[0])
    page = principal.get(f"/assemblies/{world.assembly_id}/me").text
    assert 'id="give-proxy"' in page and "give-proxy-relative" not in page
    assert _give(principal, world.assembly_id).status_code == 403
    assert _grants(world) == []


def test_a_relative_is_named_mailed_accepts_and_the_secretary_rejects(
    app, vote_world, login, make_user
):
    app.config["PROXY_RELATIVES"] = ("spouse", "child")
    world = vote_world(members=2)
    a = world.assembly_id
    principal = login(world.users[0])
    page = principal.get(f"/assemblies/{a}/me").text
    form = page[page.index('id="give-proxy-relative"') :]
    assert 'value="SPOUSE"' in form and 'value="CHILD"' in form and "SIBLING" not in form
    assert _give(principal, a, relationship="SIBLING").status_code == 302  # not offered
    assert _grants(world) == []
    r = _give(principal, a)
    assert "gets a login link by mail" in principal.get(r.headers["Location"]).text
    [grant] = _grants(world)
    assert grant.holder_id is None and grant.relationship == Relationship.SPOUSE
    assert "who is not a member" in grant.declaration and grant.state == GrantState.GRANTED
    with world.session() as s:
        holder = s.get(User, grant.holder_user_id)
        assert holder.email == "rita.neu@example.org" and holder.member_id is None
        assert holder.roles == set()  # no vote of their own, no member's pages
        mail = s.scalars(select(OutboxMessage).where(OutboxMessage.category == "proxy")).one()
    assert mail.to_addr == "rita.neu@example.org"
    link = re.search(r"http://\S+/login/invitation/\S+", mail.body_text).group(0)
    assert f"/assemblies/{a}/proxy/{grant.id}" in mail.body_text

    relative = app.test_client()  # follows the login link of the mail
    token_path = link.split("://", 1)[1].split("/", 1)[1]
    assert relative.post(f"/{token_path}").status_code == 302
    own = relative.get(f"/assemblies/{a}/proxy/{grant.id}").text
    assert "although you are not a member" in own and "Accept the proxy of" in own
    assert relative.get(f"/assemblies/{a}").status_code == 403  # the assembly is not theirs
    assert login(world.users[1]).get(f"/assemblies/{a}/proxy/{grant.id}").status_code == 403
    assert relative.post(f"/assemblies/{a}/proxy/{grant.id}/accept").status_code == 302
    [grant] = _grants(world)
    assert grant.state == GrantState.ACCEPTED and grant.slot == 1
    assert "You are represented by Rita Neu" in principal.get(f"/assemblies/{a}/me").text

    secretary = login(make_user(roles=[Role.SECRETARY]))
    mandates_page = secretary.get(f"/assemblies/{a}/mandates").text
    assert f'id="relative-{grant.id}"' in mandates_page and "not a member: spouse" in mandates_page
    r = secretary.post(
        f"/assemblies/{a}/mandates/grants/{grant.id}/reject", data={"reason": "Nicht verheiratet"}
    )
    assert "The proxy has been rejected" in secretary.get(r.headers["Location"]).text
    [grant] = _grants(world)
    assert (grant.state, grant.slot, grant.reason) == (
        GrantState.REJECTED,
        None,
        "Nicht verheiratet",
    )
    assert "Nicht verheiratet" in relative.get(f"/assemblies/{a}/proxy/{grant.id}").text
    with world.session() as s:
        events = s.scalars(
            select(AuditEvent.event_type).where(AuditEvent.object_type == "proxy_grant")
        ).all()
    assert events == ["proxy.granted_to_relative", "proxy.accepted", "proxy.rejected"]


def _grant(session, assembly, member, *, email="rita@example.org", allowed=(Relationship.SPOUSE,)):
    return relatives.grant_to_relative(
        session, assembly=assembly, principal=member, name="Rita", email=email,
        relationship=Relationship.SPOUSE, allowed=list(allowed), declaration="Vollmacht",
        actor=None, notify=lambda *_a: ("Vollmacht", "Link"),
    )  # fmt: skip


def _world(session, make_member, make_assembly, n):
    members = [make_member() for _ in range(n)]
    assembly = make_assembly(state=AssemblyState.CONVENED, members=members)
    return session.get(Assembly, assembly.id), [session.get(Member, m.id) for m in members]


def test_the_statute_decides_and_a_members_address_is_refused(
    session, make_member, make_assembly, make_user
):
    assembly, (p, other) = _world(session, make_member, make_assembly, 2)
    with pytest.raises(DomainError) as err:
        _grant(session, assembly, p, allowed=())
    assert "members only" in message(err)
    session.commit()  # the login below is made in its own transaction
    make_user(email="member@example.org", member_id=other.id)
    with pytest.raises(DomainError) as err:
        _grant(session, assembly, p, email="member@example.org")
    assert "belongs to a member" in message(err)
    assert session.scalar(select(func.count()).select_from(ProxyGrant)) == 0


def test_a_relative_represents_at_most_two_members(session, make_member, make_assembly):
    from governance.db import utcnow

    assembly, members = _world(session, make_member, make_assembly, 3)
    grants = [_grant(session, assembly, m) for m in members]  # one login for the three
    holder = session.get(User, grants[0].holder_user_id)
    assert {g.holder_user_id for g in grants} == {holder.id}
    for g in grants[:2]:
        relatives.accept_relative(session, assembly=assembly, grant=g, actor=holder, now=utcnow())
    with pytest.raises(DomainError) as err:
        relatives.accept_relative(
            session, assembly=assembly, grant=grants[2], actor=holder, now=utcnow()
        )
    assert "two members already" in message(err)
    assert [g.slot for g in grants] == [1, 2, None]


def _insert(session, **values):
    row = {
        "holder_id": None, "holder_user_id": None, "holder_name": "Rita",
        "holder_email": "rita@example.org", "relationship": "SPOUSE", "slot": None,
        "state": "GRANTED", "closed_at": None,
    } | values  # fmt: skip
    session.execute(
        text(
            "INSERT INTO proxy_grant (assembly_id, principal_id, holder_id, holder_user_id,"
            " holder_name, holder_email, relationship, slot, declaration, this_assembly_only,"
            " state, granted_at, closed_at, reason) VALUES (:a, :p, :holder_id, :holder_user_id,"
            " :holder_name, :holder_email, :relationship, :slot, 'raw', TRUE, :state,"
            " CURRENT_TIMESTAMP, :closed_at, '')"
        ),
        row,
    )


def test_the_database_keeps_the_relative_a_non_member_and_the_proxy_single(
    session, make_member, make_assembly, make_user
):
    assembly, (p, q, r, member) = _world(session, make_member, make_assembly, 4)
    session.commit()  # the logins below are made in their own transactions
    relative = make_user(email="rita@example.org", roles=[])
    linked = make_user(email="member@example.org", member_id=member.id)
    base = {"a": assembly.id, "holder_user_id": relative.id}
    checks = [
        ({"p": p.id, "holder_id": q.id}, IntegrityError, "ck_grant_holder"),  # two holders
        ({"p": p.id, "relationship": None}, IntegrityError, "ck_grant_holder"),
        ({"p": p.id, "holder_email": ""}, IntegrityError, "ck_grant_holder"),
        ({"p": p.id, "state": "ACCEPTED"}, IntegrityError, "ck_grant_relative_slot"),  # no slot
        ({"p": p.id, "state": "ACCEPTED", "slot": 3}, IntegrityError, "ck_grant_relative_slot"),
        ({"p": p.id, "holder_user_id": linked.id}, DBAPIError, "relative holding a proxy is not"),
    ]
    for values, error, words in checks:
        with pytest.raises(error, match=words), session.begin_nested():
            _insert(session, **base | values)
    _insert(session, **base, p=p.id, state="ACCEPTED", slot=1)
    with (
        pytest.raises(IntegrityError, match=r"proxy_grant\.holder_user_id|uq_grant_relative_slot"),
        session.begin_nested(),
    ):
        _insert(session, **base, p=q.id, state="ACCEPTED", slot=1)  # the same slot twice
    with pytest.raises(DBAPIError, match="has given a proxy"), session.begin_nested():
        session.add(Mandate(assembly_id=assembly.id, principal_id=p.id, proxy_id=q.id, slot=1))
        session.flush()
    session.add(Mandate(assembly_id=assembly.id, principal_id=r.id, proxy_id=q.id, slot=1))
    session.flush()
    with pytest.raises(DBAPIError, match="has given a proxy"), session.begin_nested():
        _insert(session, **base, p=r.id, state="ACCEPTED", slot=2)
    with pytest.raises(DBAPIError, match="relative holding a proxy is not"), session.begin_nested():
        session.execute(
            text('UPDATE "user" SET member_id = :m WHERE id = :u'), {"m": q.id, "u": relative.id}
        )


def test_a_relatives_proxy_holds_for_one_assembly_and_is_not_carried(
    session, make_member, make_assembly
):
    from datetime import timedelta

    from governance.assemblies import convening, proxies
    from governance.db import utcnow

    first, (p,) = _world(session, make_member, make_assembly, 1)
    grant = _grant(session, first, p)
    holder = session.get(User, grant.holder_user_id)
    relatives.accept_relative(session, assembly=first, grant=grant, actor=holder, now=utcnow())
    assert grant.this_assembly_only and grant.state == GrantState.ACCEPTED
    session.commit()
    draft = session.get(Assembly, make_assembly(starts_at=utcnow() + timedelta(days=30)).id)
    convening.convene(
        session, assembly=draft, actor=None, now=utcnow(), today=utcnow().date(),
        settings=convening.ConveningSettings(), render=lambda *_a: convening.Notice("s", "t"),
        make_link=lambda _u: "",
    )  # fmt: skip
    assert proxies.live_grant(session, assembly_id=draft.id, principal_id=p.id) is None
