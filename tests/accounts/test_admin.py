"""User administration: create users, assign roles, deactivate — all audit-logged."""

from __future__ import annotations

import json
import re

from sqlmodel import select

from governance.accounts.models import Role, User
from governance.accounts.services import user_by_email
from governance.auditlog import AuditEvent


def _events(session, event_type: str) -> list[AuditEvent]:
    session.rollback()  # end the last read transaction: see what the requests committed
    return list(session.exec(select(AuditEvent).where(AuditEvent.event_type == event_type)).all())


def test_admin_creates_user_who_logs_in_by_the_welcome_link(app, login, session, mailed_link, smtp):
    admin = login(roles=[Role.ADMIN])
    r = admin.post(
        "/admin/users/new",
        data={
            "email": "New.Person@example.org",
            "display_name": "New Person",
            "roles": ["SECRETARY", "MEMBER"],
        },
    )
    assert r.status_code == 302 and r.headers["Location"] == "/admin/users"
    user = user_by_email(session, "new.person@example.org")
    assert user is not None and user.roles == {Role.SECRETARY, Role.MEMBER}
    assert user.password_hash is None
    (event,) = _events(session, "user.created")
    assert event.actor_user_id == admin.user.id
    assert json.loads(event.payload) == {
        "email": "new.person@example.org",
        "roles": ["MEMBER", "SECRETARY"],
    }

    listing = admin.get("/admin/users")
    assert b"new.person@example.org" in listing.data and b"Secretary" in listing.data

    path = mailed_link("new.person@example.org")
    assert "Your access to" in smtp.to("new.person@example.org")[-1]["Subject"]
    newcomer = app.test_client()
    assert newcomer.post(path).status_code == 302
    assert b"start-secretary" in newcomer.get("/").data


def test_create_user_validation(login, session):
    admin = login(roles=[Role.ADMIN])
    no_roles = admin.post("/admin/users/new", data={"email": "x@example.org"})
    assert no_roles.status_code == 200 and b"Choose at least one role." in no_roles.data
    bad = admin.post("/admin/users/new", data={"email": "not-an-email", "roles": ["MEMBER"]})
    assert bad.status_code == 200 and b'aria-invalid="true"' in bad.data
    dup = admin.post("/admin/users/new", data={"email": admin.user.email, "roles": ["MEMBER"]})
    assert dup.status_code == 200
    assert b"A user with this email address exists already." in dup.data
    assert _events(session, "user.created") == []


def test_admin_assigns_roles(login, make_user, session):
    admin = login(roles=[Role.ADMIN])
    user = make_user(roles=[Role.MEMBER])
    form = admin.get(f"/admin/users/{user.id}")
    assert form.status_code == 200
    assert re.search(rb'<input checked[^>]*value="MEMBER"', form.data)
    assert not re.search(rb'<input checked[^>]*value="SECRETARY"', form.data)
    r = admin.post(
        f"/admin/users/{user.id}",
        data={"roles": ["MEMBER", "SECRETARY"], "active": "y"},
    )
    assert r.status_code == 302
    session.expire_all()
    assert session.get(User, user.id).roles == {Role.MEMBER, Role.SECRETARY}
    (event,) = _events(session, "user.roles_changed")
    assert event.actor_user_id == admin.user.id and event.object_id == str(user.id)
    assert json.loads(event.payload) == {"before": ["MEMBER"], "after": ["MEMBER", "SECRETARY"]}


def test_new_role_takes_effect_in_the_running_session(login, make_user):
    admin = login(roles=[Role.ADMIN])
    user_client = login(roles=[Role.MEMBER])
    assert user_client.get("/admin/users").status_code == 403
    admin.post(f"/admin/users/{user_client.user.id}", data={"roles": ["ADMIN"], "active": "y"})
    assert user_client.get("/admin/users").status_code == 200


def test_admin_cannot_remove_own_admin_role(login, session):
    admin = login(roles=[Role.ADMIN])
    r = admin.post(f"/admin/users/{admin.user.id}", data={"roles": ["MEMBER"], "active": "y"})
    assert r.status_code == 200
    assert b"You cannot remove your own admin role." in r.data
    session.expire_all()
    assert session.get(User, admin.user.id).roles == {Role.ADMIN}
    assert _events(session, "user.roles_changed") == []


def test_deactivation_ends_the_users_sessions_and_is_audited(login, session):
    admin = login(roles=[Role.ADMIN])
    member = login(roles=[Role.MEMBER])
    r = admin.post(f"/admin/users/{member.user.id}", data={"roles": ["MEMBER"]})
    assert r.status_code == 302
    assert member.get("/").status_code == 302
    (event,) = _events(session, "user.deactivated")
    assert event.actor_user_id == admin.user.id
    again = admin.post(f"/admin/users/{member.user.id}", data={"roles": ["MEMBER"], "active": "y"})
    assert again.status_code == 302
    assert len(_events(session, "user.activated")) == 1


def test_unknown_user_is_404(login):
    admin = login(roles=[Role.ADMIN])
    assert admin.get("/admin/users/999999").status_code == 404
