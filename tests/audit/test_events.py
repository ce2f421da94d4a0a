"""The events other domains must leave in the chain: privileged logins and role changes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from governance.accounts.models import Role
from governance.audit.services import payload_of
from governance.audit.verify import verify
from governance.auditlog import AuditEvent


def _events(session: Session, event_type: str) -> list[AuditEvent]:
    stmt = select(AuditEvent).where(AuditEvent.event_type == event_type).order_by(AuditEvent.seq)
    return list(session.execute(stmt).scalars())


def test_privileged_login_is_recorded(login: Any, make_user: Any, session: Session) -> None:
    secretary = make_user(roles=[Role.SECRETARY, Role.MEMBER])
    login(secretary)
    [event] = _events(session, "user.login")
    assert (event.actor_user_id, event.actor_label) == (secretary.id, secretary.email)
    assert (event.object_type, event.object_id) == ("user", str(secretary.id))
    assert payload_of(event)["roles"] == ["MEMBER", "SECRETARY"]
    assert verify(session).ok


def test_member_login_is_not_recorded(login: Any, session: Session) -> None:
    login(roles=[Role.MEMBER])
    assert _events(session, "user.login") == []


def test_role_change_is_recorded(login: Any, make_user: Any, session: Session) -> None:
    admin = login(roles=[Role.ADMIN])
    target = make_user(roles=[Role.MEMBER])
    response = admin.post(
        f"/admin/users/{target.id}", data={"roles": ["MEMBER", "SECRETARY"], "active": "y"}
    )
    assert response.status_code == 302
    [event] = _events(session, "user.roles_changed")
    assert event.actor_user_id == admin.user.id
    assert event.object_id == str(target.id)
    assert payload_of(event) == {"before": ["MEMBER"], "after": ["MEMBER", "SECRETARY"]}
    assert verify(session).ok
