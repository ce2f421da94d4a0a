"""Login with email and password: success, failure without account enumeration, sessions."""

from __future__ import annotations

import re

from sqlmodel import select

from governance.accounts.models import Role, User
from governance.auditlog import AuditEvent
from tests.conftest import PASSWORD

WRONG = "Email or password is wrong."


def _neutral(page: bytes, email: str) -> bytes:
    page = re.sub(rb'name="csrf_token" value="[^"]*"', b"", page)
    return page.replace(email.encode(), b"EMAIL")


def test_login_success_shows_start_page_and_records_time(app, client, make_user, session):
    user = make_user(roles=[Role.MEMBER])
    r = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert r.status_code == 302
    assert r.headers["Location"] == "/"
    page = client.get("/")
    assert page.status_code == 200
    assert b"start-member" in page.data
    assert session.get(User, user.id).last_login_at is not None


def test_email_is_case_insensitive(client, make_user):
    make_user(email="mixed.case@example.org")
    r = client.post("/login", data={"email": "  MIXED.case@Example.ORG ", "password": PASSWORD})
    assert r.status_code == 302


def test_unknown_account_and_wrong_password_look_the_same(client, make_user):
    user = make_user()
    unknown = client.post("/login", data={"email": "nobody@example.org", "password": PASSWORD})
    wrong = client.post("/login", data={"email": user.email, "password": "wrong-password-1"})
    inactive = make_user(active=False)
    off = client.post("/login", data={"email": inactive.email, "password": PASSWORD})
    for r in (unknown, wrong, off):
        assert r.status_code == 200
        assert WRONG.encode() in r.data
    # Apart from the echoed address (and the signed CSRF token) the pages are identical.
    assert _neutral(unknown.data, "nobody@example.org") == _neutral(wrong.data, user.email)
    assert client.get("/").status_code == 302  # still anonymous


def test_login_follows_local_next_only(client, make_user):
    user = make_user(roles=[Role.ADMIN])
    data = {"email": user.email, "password": PASSWORD}
    r = client.post("/login?next=/admin/users", data=data)
    assert r.headers["Location"] == "/admin/users"
    for evil in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        r = client.post("/login", query_string={"next": evil}, data=data)
        assert r.headers["Location"] == "/", evil


def test_anonymous_is_sent_to_login_with_next(client):
    r = client.get("/account/password")
    assert r.status_code == 302
    assert r.headers["Location"].startswith("/login?next=")


def test_logged_in_user_visiting_login_goes_to_start(login):
    client = login()
    assert client.get("/login").headers["Location"] == "/"


def test_logout_ends_the_session(login):
    client = login()
    r = client.post("/logout")
    assert r.status_code == 302
    assert client.get("/").status_code == 302


def test_privileged_login_is_audited(login, make_user, session):
    board = make_user(roles=[Role.BOARD, Role.MEMBER])
    login(board)
    member = make_user(roles=[Role.MEMBER])
    login(member)
    events = session.exec(select(AuditEvent).where(AuditEvent.event_type == "user.login")).all()
    assert [e.actor_user_id for e in events] == [board.id]


def test_strong_session_protection_drops_a_copied_session(login):
    client = login()
    assert client.get("/").status_code == 200
    r = client.get("/", headers={"User-Agent": "another-browser/1.0"})
    assert r.status_code == 302
    assert "/login" in r.headers["Location"]


def test_deactivated_user_loses_the_session(app, login, session):
    client = login()
    user = session.get(User, client.user.id)
    user.active = False
    session.add(user)
    session.commit()
    assert client.get("/").status_code == 302
