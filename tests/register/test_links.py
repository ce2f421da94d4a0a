"""Only its holder links an existing account to a member (issue #14).

The board could otherwise hand any account — the administrator's — a member's vote by setting
the member's address to the account's and inviting: the invitation now mails the account a
request its holder confirms while logged in, an administrator's account is never linked (also
a trigger), and a changed address is announced to the previous one.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from governance.accounts import services as accounts
from governance.accounts.models import Role, User
from governance.assemblies.convening import member_user
from governance.ballots.models import Participation
from governance.db import new_session
from governance.errors import DomainError
from governance.register import links
from governance.register.models import Member

ADMIN_REFUSED = "account cannot be linked to a member: the member needs an account of their own"


def _engine(app: Any) -> Any:
    return app.extensions["governance.engine"]


def _user(app: Any, user_id: int) -> User:
    with new_session(_engine(app)) as s:
        user = s.get(User, user_id)
        _ = user and user.roles  # the seat roles are asked while the session is open
        return user


def _set_email(board: Any, member: Member, email: str) -> Any:
    """The board's member form, with only the address changed."""
    return board.post(
        f"/register/members/{member.id}/edit",
        data={
            "kind": "NATURAL",
            "last_name": member.last_name,
            "first_names": member.first_names,
            "country": "DE",
            "entry_date": member.entry_date.isoformat(),
            "email": email,
        },
    )


def _set_locale(app: Any, user: User, locale: str) -> None:
    with new_session(_engine(app)) as s:
        s.get(User, user.id).locale = locale
        s.commit()


def _body(message: Any) -> str:
    return str(message.get_body(("plain",)).get_content())


def test_board_cannot_give_the_administrators_account_a_members_vote(
    app, login, make_user, vote_world, make_poll, deliver_mail, smtp
):
    world = vote_world(members=1, with_users=False)
    admin = make_user(roles=[Role.ADMIN], email="admin@example.org")
    board = login(world.chair)  # BOARD
    with new_session(_engine(app)) as s:
        member = s.get(Member, world.member_ids[0])
        member.email = "eva@example.org"
        s.commit()
        s.refresh(member)
    assert _set_email(board, member, "admin@example.org").status_code == 302
    r = board.post(f"/register/members/{member.id}/invite", follow_redirects=True)
    assert ADMIN_REFUSED in r.text
    assert _user(app, admin.id).member_id is None
    with new_session(_engine(app)) as s:  # convening does not link it either
        assert member_user(s, member=s.get(Member, member.id), actor=None) is None
        assert s.get(User, admin.id).member_id is None
    # A request to link it, however obtained, is refused too.
    token = links.link_token(app.secret_key, member=_member(app, member.id), user=admin)
    client = login(admin)
    refused = client.post(f"/register/link/{token}")
    assert refused.status_code == 400 and ADMIN_REFUSED in refused.text
    # The administrator cannot vote in the member's name.
    poll = make_poll(world)
    assert client.get(f"/polls/{poll.id}/vote").status_code == 403
    cast = client.post(f"/polls/{poll.id}/cast", data={"voter": member.id, "choice": "YES"})
    assert cast.status_code == 403
    with new_session(_engine(app)) as s:
        assert s.scalar(select(func.count()).select_from(Participation)) == 0
    deliver_mail()  # and the member's previous address was told of the change
    [notice] = smtp.to("eva@example.org")
    assert member.number in _body(notice) and "admin@example.org" not in _body(notice)


def _member(app: Any, member_id: int) -> Member:
    with new_session(_engine(app)) as s:
        return s.get(Member, member_id)


def test_an_existing_account_is_linked_only_once_its_holder_confirms(
    app, client, login, login_as, make_user, make_member, deliver_mail, smtp
):
    holder = make_user(roles=[Role.SECRETARY], email="schreiber@example.org")
    _set_locale(app, holder, "de")
    member = make_member(email="schreiber@example.org", last_name="Schreiber")
    board = login_as("BOARD")
    r = board.post(f"/register/members/{member.id}/invite", follow_redirects=True)
    assert "asked by email to confirm" in r.text
    assert _user(app, holder.id).member_id is None  # not before the holder confirms
    deliver_mail()
    [request] = smtp.to("schreiber@example.org")
    assert "Bitte bestätigen" in request["Subject"]  # in the holder's language
    path = urlsplit(re.search(r"https?://\S+/register/link/\S+", _body(request)).group(0)).path

    assert "/login" in client.get(path).headers["Location"]  # only logged in
    stranger = login(make_user(email="fremd@example.org"))
    wrong = stranger.post(path)
    assert wrong.status_code == 400 and "for another account" in wrong.text
    mine = login(holder)
    page = mine.get(path)
    assert page.status_code == 200 and member.number in page.text
    assert _user(app, holder.id).member_id is None  # opening the link is not confirming
    assert mine.post(path).status_code == 302
    linked = _user(app, holder.id)
    assert linked.member_id == member.id and linked.roles == {Role.SECRETARY, Role.MEMBER}
    assert member.number in mine.get("/my-membership").text


def test_a_request_dies_with_a_changed_address(app, login, login_as, make_user, make_member):
    holder = make_user(email="alt@example.org")
    member = make_member(email="alt@example.org")
    token = links.link_token(app.secret_key, member=member, user=holder)
    assert _set_email(login_as("BOARD"), member, "neu@example.org").status_code == 302
    r = login(holder).post(f"/register/link/{token}")
    assert r.status_code == 400 and "no longer valid" in r.text
    assert _user(app, holder.id).member_id is None


def test_a_changed_address_is_announced_to_the_previous_one(
    app, login_as, make_user, make_member, deliver_mail, smtp
):
    member = make_member(email="erste@example.org", last_name="Wechsler")
    board = login_as("BOARD")
    assert _set_email(board, member, "zweite@example.org").status_code == 302
    deliver_mail()
    [notice] = smtp.to("erste@example.org")  # no account: the cooperative's language (en here)
    assert "was changed" in notice["Subject"] and member.number in _body(notice)
    assert "contact the board" in _body(notice)
    assert "zweite@example.org" not in _body(notice)  # the new address is not told
    holder = make_user(email="zweite@example.org", member_id=member.id)
    _set_locale(app, holder, "de")  # the member's account holder reads German
    assert _set_email(board, _member(app, member.id), "dritte@example.org").status_code == 302
    deliver_mail()
    [notice] = smtp.to("zweite@example.org")
    assert "geändert" in notice["Subject"] and "Vorstand" in _body(notice)
    assert not smtp.to("dritte@example.org")


def test_an_administrators_account_is_never_a_members(app, session, make_user, make_member):
    admin = make_user(roles=[Role.ADMIN])
    member, other = make_member(), make_member()
    linked = make_user(member_id=other.id)
    with pytest.raises(DomainError, match="administrator"):
        accounts.set_roles(
            session, user=session.get(User, linked.id), roles={Role.ADMIN}, actor=None
        )
    session.rollback()
    engine = _engine(app)
    for sql, params in (
        ('UPDATE "user" SET member_id = :m WHERE id = :u', {"m": member.id, "u": admin.id}),
        ("INSERT INTO user_role (user_id, role) VALUES (:u, 'ADMIN')", {"u": linked.id}),
        ("UPDATE user_role SET role = 'ADMIN' WHERE user_id = :u", {"u": linked.id}),
    ):
        with pytest.raises(DBAPIError, match="administrator"), engine.begin() as conn:
            conn.execute(text(sql), params)
    assert _user(app, admin.id).member_id is None
    assert _user(app, linked.id).roles == {Role.MEMBER}
