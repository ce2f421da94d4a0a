"""Changing one's password: the current one is checked, other sessions end (security stamp)."""

from __future__ import annotations

from sqlmodel import select

from governance.accounts import services
from governance.accounts.models import User
from governance.auditlog import AuditEvent
from tests.conftest import PASSWORD

NEW = "a-brand-new-secret"


def _change(client, current: str = PASSWORD, new: str = NEW, confirm: str | None = None):
    return client.post(
        "/account/password",
        data={"current": current, "password": new, "confirm": confirm or new},
    )


def test_change_password_ends_other_sessions_only(app, login, make_user, session):
    user = make_user()
    here, elsewhere = login(user), login(user)
    remembered = app.test_client()
    r = remembered.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    assert r.status_code == 302

    r = _change(here)
    assert r.status_code == 302
    assert here.get("/").status_code == 200  # this session carries the new stamp
    assert elsewhere.get("/").status_code == 302
    remembered.delete_cookie("session", domain="localhost")
    assert remembered.get("/").status_code == 302  # the remember cookie is void as well

    fresh = app.test_client()
    assert fresh.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 200
    assert fresh.post("/login", data={"email": user.email, "password": NEW}).status_code == 302
    assert session.get(User, user.id).security_stamp == 1
    event = session.exec(
        select(AuditEvent).where(AuditEvent.event_type == "user.password_changed")
    ).one()
    assert event.actor_user_id == user.id and event.payload == '{"via":"change"}'


def test_wrong_current_password_is_shown_at_the_field(login, session):
    client = login()
    r = _change(client, current="not-my-password")
    assert r.status_code == 200
    assert b"The current password is wrong." in r.data
    assert b'aria-invalid="true"' in r.data
    assert session.get(User, client.user.id).security_stamp == 0
    assert client.get("/").status_code == 200


def test_new_password_rules(login):
    client = login()
    short = _change(client, new="short")
    assert short.status_code == 200
    assert b"The password must have at least 10 characters." in short.data
    differ = _change(client, confirm="something-else-entirely")
    assert b"The passwords differ." in differ.data


def test_passwords_are_argon2id_with_strong_defaults():
    hasher = services.DEFAULT_HASHER
    assert hasher.type.name == "ID"
    assert hasher.time_cost >= 2 and hasher.memory_cost >= 19 * 1024  # OWASP minimum
    assert services.hash_password(PASSWORD).startswith("$argon2id$")


def test_authenticate_rehashes_outdated_hashes(app, session, make_user):
    from argon2 import PasswordHasher

    user = make_user()
    weak = PasswordHasher(time_cost=1, memory_cost=512, parallelism=1).hash(PASSWORD)
    row = session.get(User, user.id)
    row.password_hash = weak
    session.commit()
    assert services.authenticate(session, email=user.email, password=PASSWORD) is not None
    assert row.password_hash != weak


def test_user_without_password_sets_a_first_one(app, login, make_user, session):
    user = make_user()
    client = login(user)  # logged in with the fixture password, then it is removed
    row = session.get(User, user.id)
    row.password_hash = None
    session.commit()
    page = client.get("/account/password")
    assert page.status_code == 200 and b'name="current"' not in page.data
    r = client.post("/account/password", data={"password": NEW, "confirm": NEW})
    assert r.status_code == 302
    fresh = app.test_client()
    assert fresh.post("/login", data={"email": user.email, "password": NEW}).status_code == 302
