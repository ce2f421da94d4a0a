"""Users, passwords, roles and single-use signed tokens (free of Flask)."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from governance.accounts.models import SEAT_ROLES, Role, UsedToken, User, UserRole
from governance.auditlog import record_event
from governance.db import utcnow
from governance.errors import DomainError
from governance.i18n import _l

# Argon2id with the library's defaults (RFC 9106 low-memory profile: 64 MiB, 3 passes).
DEFAULT_HASHER = PasswordHasher()
_hasher = DEFAULT_HASHER
# Verified when the account does not exist, so both paths take the same time.
_DUMMY_HASH = _hasher.hash("not-a-real-password")
MIN_PASSWORD_LENGTH = 10

PURPOSE_LOGIN = "login"
PURPOSE_RESET = "reset"
# Personal links in assembly invitations: valid until well after the assembly (setting).
PURPOSE_INVITE = "invite"


# An administrator's account is never a member's account (also a trigger, accounts/models.py).
ADMIN_NOT_MEMBER = _l(
    "An administrator's account cannot be linked to a member: the member needs an account of "
    "their own."
)
# BOARD and SUPERVISORY_BOARD follow the seats (issue #15); the user_role CHECK is the backstop.
SEAT_ROLE_NOT_STORED = _l(
    "The roles board and supervisory board follow the seats in these bodies: seat the person "
    "in the body instead."
)


def _stored_only(roles: Iterable[Role]) -> set[Role]:
    wanted = set(roles)
    if wanted.intersection(SEAT_ROLES):
        raise DomainError(SEAT_ROLE_NOT_STORED, field="roles")
    return wanted


def use_hasher(hasher: PasswordHasher) -> None:
    """Replace the password hasher (the test suite uses cheap parameters to stay fast)."""
    global _hasher, _DUMMY_HASH
    _hasher = hasher
    _DUMMY_HASH = hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    """Argon2id hash of `password`."""
    return _hasher.hash(password)


def check_password_rules(password: str) -> None:
    """Refuse passwords that are too short."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(
            _l("The password must have at least %(n)d characters.", n=MIN_PASSWORD_LENGTH),
            field="password",
        )


def normalize_email(email: str) -> str:
    """Email addresses are stored lower-case and trimmed."""
    return email.strip().lower()


def user_by_email(session: Session, email: str) -> User | None:
    """The user with this email address, if any."""
    return session.execute(
        select(User).where(User.email == normalize_email(email))
    ).scalar_one_or_none()


def create_user(
    session: Session,
    *,
    email: str,
    password: str | None = None,
    roles: Iterable[Role] = (Role.MEMBER,),
    display_name: str = "",
    member_id: int | None = None,
    actor: User | None = None,
) -> User:
    """Create a user with the given stored roles (not BOARD/SUPERVISORY_BOARD: those follow
    the seats); the email must be new."""
    wanted = _stored_only(roles)
    email = normalize_email(email)
    if user_by_email(session, email) is not None:
        raise DomainError(_l("A user with this email address exists already."), field="email")
    if password is not None:
        check_password_rules(password)
    user = User(
        email=email,
        display_name=display_name or email.split("@")[0],
        password_hash=hash_password(password) if password else None,
        member_id=member_id,
    )
    user.role_rows = [UserRole(role=r) for r in sorted(wanted)]
    session.add(user)
    session.flush()
    record_event(
        session,
        event_type="user.created",
        actor=actor,
        object_type="user",
        object_id=user.id,
        payload={"email": email, "roles": sorted(r.value for r in wanted)},
    )
    return user


def authenticate(session: Session, *, email: str, password: str) -> User | None:
    """The user if email and password match an active account, else None."""
    user = user_by_email(session, email)
    stored = user.password_hash if user and user.password_hash else _DUMMY_HASH
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.password_hash or not user.active:
        return None
    if _hasher.check_needs_rehash(stored):
        user.password_hash = hash_password(password)
    return user


def note_login(session: Session, *, user: User, channel: str) -> None:
    """Record a successful login; privileged logins go into the audit chain."""
    user.last_login_at = utcnow()
    session.add(user)
    if user.roles - {Role.MEMBER}:
        record_event(
            session,
            event_type="user.login",
            actor=user,
            object_type="user",
            object_id=user.id,
            payload={"channel": channel, "roles": sorted(r.value for r in user.roles)},
        )


def set_password(session: Session, *, user: User, password: str, via: str = "reset") -> None:
    """Set a new password; sessions and outstanding links of the user become invalid."""
    check_password_rules(password)
    user.password_hash = hash_password(password)
    user.security_stamp += 1
    session.add(user)
    session.flush()
    record_event(
        session,
        event_type="user.password_changed",
        actor=user,
        object_type="user",
        object_id=user.id,
        payload={"via": via},
    )


def change_password(session: Session, *, user: User, current: str | None, new: str) -> None:
    """Change the password after checking the current one.

    A user without a password yet (created by an admin, logged in by the emailed link) sets
    a first one without `current`.
    """
    if user.password_hash is not None:
        try:
            _hasher.verify(user.password_hash, current or "")
        except (VerificationError, InvalidHashError):
            raise DomainError(_l("The current password is wrong."), field="current") from None
    set_password(session, user=user, password=new, via="change")


def set_roles(session: Session, *, user: User, roles: Iterable[Role], actor: User | None) -> None:
    """Replace the user's stored roles (BOARD/SUPERVISORY_BOARD follow the seats and are
    refused); the change is audit-logged."""
    have = user.stored_roles
    before = sorted(r.value for r in have)
    wanted = _stored_only(roles)
    if actor is not None and actor.id == user.id and Role.ADMIN in have - wanted:
        raise DomainError(_l("You cannot remove your own admin role."), field="roles")
    if Role.ADMIN in wanted - have and user.member_id is not None:
        raise DomainError(ADMIN_NOT_MEMBER, field="roles")
    user.role_rows = [row for row in user.role_rows if row.role in wanted]
    kept = {row.role for row in user.role_rows}
    user.role_rows.extend(UserRole(role=r) for r in sorted(wanted - kept))
    session.add(user)
    session.flush()
    after = sorted(r.value for r in wanted)
    if before != after:
        record_event(
            session,
            event_type="user.roles_changed",
            actor=actor,
            object_type="user",
            object_id=user.id,
            payload={"before": before, "after": after},
        )


def grant_role(session: Session, *, user: User, role: Role, actor: User | None) -> None:
    """Add one role to the user."""
    set_roles(session, user=user, roles=user.stored_roles | {role}, actor=actor)


def count_users(session: Session) -> int:
    """Number of users."""
    return int(session.execute(select(func.count()).select_from(User)).scalar_one())


# --- single-use signed tokens -------------------------------------------------------------


def _serializer(secret_key: str, purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=f"governance.{purpose}")


def make_token(secret_key: str, *, user: User, purpose: str) -> str:
    """A signed token for `user` and `purpose`, usable once."""
    payload = {"u": user.id, "s": user.security_stamp, "j": secrets.token_hex(16)}
    return str(_serializer(secret_key, purpose).dumps(payload))


def _usable_token_user(session: Session, payload: dict[str, Any]) -> User:
    user = session.get(User, payload["u"])
    if user is None or not user.active or user.security_stamp != payload["s"]:
        raise DomainError(_l("This link is no longer valid."))
    if session.get(UsedToken, payload["j"]) is not None:
        raise DomainError(_l("This link has been used already."))
    return user


def check_token(
    session: Session, secret_key: str, *, token: str, purpose: str, max_age: int
) -> User:
    """The user a still usable token names, or a DomainError saying why it is not usable."""
    payload = peek_token(secret_key, token=token, purpose=purpose, max_age=max_age)
    return _usable_token_user(session, payload)


def consume_token(
    session: Session, secret_key: str, *, token: str, purpose: str, max_age: int
) -> User:
    """Check a token and mark it used; the user it names, or a DomainError saying why not."""
    payload = peek_token(secret_key, token=token, purpose=purpose, max_age=max_age)
    user = _usable_token_user(session, payload)
    try:
        # The primary key decides between two concurrent uses: only one insert succeeds.
        with session.begin_nested():
            session.add(UsedToken(jti=payload["j"]))
            session.flush()
    except IntegrityError:
        raise DomainError(_l("This link has been used already.")) from None
    return user


def peek_token(secret_key: str, *, token: str, purpose: str, max_age: int) -> dict[str, Any]:
    """Verify signature and age without consuming the token."""
    try:
        payload = _serializer(secret_key, purpose).loads(token, max_age=max_age)
    except SignatureExpired:
        raise DomainError(_l("This link has expired. Please request a new one.")) from None
    except BadSignature:
        raise DomainError(_l("This link is invalid.")) from None
    if not isinstance(payload, dict) or not {"u", "s", "j"} <= payload.keys():
        raise DomainError(_l("This link is invalid."))
    return payload


def set_active(session: Session, *, user: User, active: bool, actor: User | None) -> None:
    """Activate or deactivate an account; deactivation ends its sessions."""
    if user.active == active:
        return
    if actor is not None and actor.id == user.id and not active:
        raise DomainError(_l("You cannot deactivate your own account."), field="active")
    user.active = active
    user.security_stamp += 1
    session.add(user)
    record_event(
        session,
        event_type="user.activated" if active else "user.deactivated",
        actor=actor,
        object_type="user",
        object_id=user.id,
        payload={"email": user.email},
    )
