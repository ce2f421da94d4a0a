"""Magic links and password reset links: valid, expired, reused, tampered — through the views,
with the link taken from the mail delivered to aiosmtpd."""

from __future__ import annotations

import time

import pytest
from itsdangerous import TimestampSigner
from sqlmodel import select

from governance.accounts.models import Role, User
from governance.auditlog import AuditEvent
from governance.mail import OutboxMessage
from tests.conftest import PASSWORD

NEW_PASSWORD = "a-brand-new-secret"


def _ask(client, path: str, email: str):
    r = client.post(path, data={"email": email})
    assert r.status_code == 302
    return client.get(r.headers["Location"])


def _expire(monkeypatch, seconds: int) -> None:
    """Let time pass for the token signatures only."""
    now = int(time.time()) + seconds
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: now)


# --- magic link ---------------------------------------------------------------------------


def test_magic_link_logs_in_after_confirmation(client, make_user, mailed_link, smtp):
    user = make_user(roles=[Role.BOARD, Role.MEMBER])
    page = _ask(client, "/login/link", user.email)
    assert b"If an account exists for this address" in page.data
    path = mailed_link(user.email)
    assert path.startswith("/login/link/")
    mail = smtp.to(user.email)[-1]
    assert "login link" in mail["Subject"]

    confirm = client.get(path)  # GET only shows the button: a mail scanner cannot use it up
    assert confirm.status_code == 200
    assert b"Log in now" in confirm.data
    assert client.get(path).status_code == 200
    assert client.get("/").status_code == 302  # not logged in yet

    r = client.post(path)
    assert r.status_code == 302 and r.headers["Location"] == "/"
    assert b"start-board" in client.get("/").data


def test_magic_link_is_single_use(app, client, make_user, mailed_link):
    user = make_user()
    _ask(client, "/login/link", user.email)
    path = mailed_link(user.email)
    assert client.post(path).status_code == 302
    other = app.test_client()
    for method in (other.get, other.post):
        r = method(path)
        assert r.status_code == 400
        assert b"This link has been used already." in r.data
    assert other.get("/").status_code == 302


def test_expired_magic_link_is_refused(client, make_user, mailed_link, monkeypatch, app):
    user = make_user()
    _ask(client, "/login/link", user.email)
    path = mailed_link(user.email)
    _expire(monkeypatch, app.config["MAGIC_LINK_MAX_AGE"] + 5)
    for method in (client.get, client.post):
        r = method(path)
        assert r.status_code == 400
        assert b"This link has expired" in r.data
    assert client.get("/").status_code == 302


def test_magic_link_just_before_expiry_still_works(
    client, make_user, mailed_link, monkeypatch, app
):
    user = make_user()
    _ask(client, "/login/link", user.email)
    path = mailed_link(user.email)
    _expire(monkeypatch, app.config["MAGIC_LINK_MAX_AGE"] - 5)
    assert client.post(path).status_code == 302


@pytest.mark.parametrize("spot", ["payload", "signature", "truncated"])
def test_tampered_magic_link_is_refused(client, make_user, mailed_link, spot):
    user = make_user()
    _ask(client, "/login/link", user.email)
    path = mailed_link(user.email)
    token = path.rsplit("/", 1)[1]
    if spot == "payload":
        token = ("A" if token[0] != "A" else "B") + token[1:]
    elif spot == "signature":  # not the last character: some of its bits are padding
        token = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    else:
        token = token[: len(token) // 2]
    for method in (client.get, client.post):
        r = method(f"/login/link/{token}")
        assert r.status_code == 400
        assert b"This link is invalid." in r.data
    assert client.get("/").status_code == 302


def test_reset_link_does_not_work_as_login_link(client, make_user, mailed_link):
    user = make_user()
    _ask(client, "/password/reset", user.email)
    token = mailed_link(user.email).rsplit("/", 1)[1]
    r = client.post(f"/login/link/{token}")
    assert r.status_code == 400
    assert b"This link is invalid." in r.data


def test_link_request_for_unknown_or_inactive_address_sends_nothing(
    client, make_user, smtp, deliver_mail
):
    inactive = make_user(active=False)
    for email in ("nobody@example.org", inactive.email):
        page = _ask(client, "/login/link", email)
        assert b"If an account exists for this address" in page.data
    assert deliver_mail() == (0, 0)
    assert smtp.messages == []


def test_link_survives_mail_scanners_but_not_a_password_change(login, mailed_link, client):
    member = login()
    _ask(client, "/login/link", member.user.email)
    path = mailed_link(member.user.email)
    r = member.post(
        "/account/password",
        data={"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert r.status_code == 302
    r = client.post(path)
    assert r.status_code == 400
    assert b"This link is no longer valid." in r.data


def test_login_link_body_is_wiped_after_delivery(client, make_user, mailed_link, session):
    user = make_user()
    _ask(client, "/login/link", user.email)
    path = mailed_link(user.email)
    msg = session.exec(select(OutboxMessage).where(OutboxMessage.to_addr == user.email)).one()
    assert path not in msg.body_text
    assert msg.sensitive and msg.sent_at is not None


def test_links_use_base_url_not_the_request_host(app, client, make_user, smtp, deliver_mail):
    """A forged Host header must not put another domain into the mailed link."""
    user = make_user()
    r = client.post("/login/link", data={"email": user.email}, headers={"Host": "evil.example"})
    assert r.status_code == 302
    deliver_mail()
    body = smtp.to(user.email)[-1].get_content()
    assert "evil.example" not in body
    assert app.config["BASE_URL"] + "/login/link/" in body


# --- password reset -----------------------------------------------------------------------


def test_password_reset_flow(app, client, make_user, mailed_link, login, session):
    user = make_user(roles=[Role.MEMBER])
    old_session = login(user)
    page = _ask(client, "/password/reset", user.email)
    assert b"If an account exists for this address" in page.data
    path = mailed_link(user.email)
    assert path.startswith("/password/reset/")

    form = client.get(path)
    assert form.status_code == 200 and b"New password" in form.data
    short = client.post(path, data={"password": "short", "confirm": "short"})
    assert short.status_code == 200  # the form says why; the link is still usable
    r = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert r.status_code == 302 and r.headers["Location"] == "/login"

    assert old_session.get("/").status_code == 302  # sessions before the reset are over
    fresh = app.test_client()
    assert fresh.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 200
    assert (
        fresh.post("/login", data={"email": user.email, "password": NEW_PASSWORD}).status_code
        == 302
    )
    again = client.post(path, data={"password": "yet-another-one", "confirm": "yet-another-one"})
    assert again.status_code == 400
    events = session.exec(
        select(AuditEvent).where(AuditEvent.event_type == "user.password_changed")
    ).all()
    assert [(e.actor_user_id, e.payload) for e in events] == [(user.id, '{"via":"reset"}')]


def test_expired_reset_link_is_refused(client, make_user, mailed_link, monkeypatch, app, session):
    user = make_user()
    _ask(client, "/password/reset", user.email)
    path = mailed_link(user.email)
    _expire(monkeypatch, app.config["RESET_LINK_MAX_AGE"] + 5)
    r = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert r.status_code == 400
    assert b"This link has expired" in r.data
    assert session.get(User, user.id).security_stamp == 0  # password unchanged


def test_tampered_reset_link_is_refused(client, make_user, mailed_link):
    user = make_user()
    _ask(client, "/password/reset", user.email)
    path = mailed_link(user.email)
    r = client.get(path[:-6] + ("A" if path[-6] != "A" else "B") + path[-5:])
    assert r.status_code == 400
    assert b"This link is invalid." in r.data


def test_reset_link_cannot_be_used_twice_even_with_the_same_password(
    client, make_user, mailed_link
):
    user = make_user()
    _ask(client, "/password/reset", user.email)
    path = mailed_link(user.email)
    data = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert client.post(path, data=data).status_code == 302
    r = client.get(path)
    assert r.status_code == 400
    assert b"no longer valid" in r.data


# --- invitation links (assembly invitations) ------------------------------------------------


def test_invitation_link_outlives_a_login_link_but_not_its_own_age(
    app, client, make_user, monkeypatch
):
    from governance.accounts.services import PURPOSE_INVITE, make_token

    user = make_user()
    token = make_token(app.secret_key, user=user, purpose=PURPOSE_INVITE)
    path = f"/login/invitation/{token}"
    assert client.post(f"/login/link/{token}").status_code == 400  # not a plain login link
    _expire(monkeypatch, app.config["MAGIC_LINK_MAX_AGE"] * 14)  # two weeks' notice
    assert client.get(path).status_code == 200
    _expire(monkeypatch, app.config["INVITATION_LINK_MAX_AGE"] + 5)
    r = client.post(path)
    assert r.status_code == 400 and b"This link has expired" in r.data
    _expire(monkeypatch, 60)
    assert client.post(path).status_code == 302
    assert client.post(path).status_code == 400  # single use
