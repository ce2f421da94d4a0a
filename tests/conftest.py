"""Fixtures: app per backend (SQLite and PostgreSQL), client, login, factories, SMTP server."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlmodel import Session

from governance import create_app
from governance.accounts.models import SEAT_ROLES, Role, User, UserRole, fill_seat_roles
from governance.accounts.services import hash_password, use_hasher
from governance.bodies.models import SINGLE_BODIES, Body, BodyKind, Seat, SeatOrigin
from governance.db import new_session, utcnow
from governance.i18n import today
from governance.register.models import Member
from tests.databases import open_database

pytest_plugins = [
    "tests.factories_register",
    "tests.factories_assemblies",
    "tests.factories_ballots",
    "tests.factories_minutes",
]

PASSWORD = "test-password-123"
# Cheap Argon2 parameters for the whole run: a login costs a millisecond instead of ~100 ms.
# (tests/accounts/test_password.py checks the production parameters.)
use_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
_PASSWORD_HASH = hash_password(PASSWORD)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Any]:
    """A migrated database per backend for the whole run."""
    worker = getattr(request.config, "workerinput", {}).get("workerid", "main")
    db = open_database(request.param, tmp_path_factory.mktemp(f"db-{request.param}"), worker)
    yield db
    db.close()


@pytest.fixture
def backend(database: Any) -> str:
    return str(database.backend)


@pytest.fixture
def app_config() -> dict[str, Any]:
    """Override in a test module to change the app's configuration."""
    return {}


class PerRequestClient(FlaskClient):
    """A test client whose every request runs in its own app context, as in production.

    The `app` fixture keeps an app context open for the whole test; a request pushed on top
    of it would reuse it, and `g` (the logged-in user, the locale, the CSRF token) would leak
    from one request, and one client, to the next.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def app(database: Any, app_config: dict[str, Any], tmp_path: Any) -> Iterator[Flask]:
    """The app on a fresh database of the current backend."""
    config = {
        "TESTING": True,
        "DATABASE_URL": database.fresh_url(),
        "SECRET_KEY": "test-secret-key",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        # A test process is busy nearly all the time: the intervals told to the live pages
        # would change with the machine's speed (tests/test_pressure.py turns it on).
        "LOAD_SHEDDING": False,
        "SERVER_NAME": "localhost",
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "BABEL_DEFAULT_LOCALE": "en",
        "INSTANCE_PATH": str(tmp_path / "instance"),
    }
    config.update(app_config)
    application = create_app(config)
    application.test_client_class = PerRequestClient
    with application.app_context():
        yield application
    application.extensions["governance.engine"].dispose()


@pytest.fixture
def engine(app: Flask) -> Any:
    return app.extensions["governance.engine"]


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """A database session for service tests; tests commit when they need to."""
    s = new_session(app.extensions["governance.engine"])
    yield s
    s.rollback()
    s.close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


# BOARD and SUPERVISORY_BOARD follow the seats (issue #15): make_user seats the user's member
# (a new one unless `member_id` is given) in the body of that kind, from SEATED_SINCE on.
SEAT_BODIES = {
    Role.BOARD: (BodyKind.BOARD, "Vorstand"),
    Role.SUPERVISORY_BOARD: (BodyKind.SUPERVISORY_BOARD, "Aufsichtsrat"),
}
SEATED_SINCE = date(2000, 1, 1)
# Below the register's first number (M-1000001), counting down: next_member_number() and the
# register's factory count up from M-1000001, so they never meet these.
SEAT_MEMBER_NUMBERS = 999_999


def _seat_member(s: Session, n: int) -> int:
    """A member for a board seat: no shares, so not on any voter roll (min_shares >= 1)."""
    member = Member(
        number=f"M-{SEAT_MEMBER_NUMBERS - n:07d}", last_name=f"Seat{n}", first_names="Test",
        sort_name=f"seat{n} test", entry_date=SEATED_SINCE,
    )  # fmt: skip
    s.add(member)
    s.flush()
    return int(member.id or 0)


def single_body(s: Session, kind: BodyKind) -> Body | None:
    """The board, supervisory board or representative assembly if it exists (one of each)."""
    if kind not in SINGLE_BODIES:
        return None
    return s.scalars(select(Body).where(Body.kind == kind)).first()


def seat_in_body_of(s: Session, *, role: Role, member_id: int) -> None:
    """An APPOINTED seat for the member in the board / supervisory board (created if missing),
    unless the member sits there today already."""
    kind, name = SEAT_BODIES[role]
    body = single_body(s, kind)
    if body is None:
        body = Body(kind=kind, name=name)
        s.add(body)
        s.flush()
    seats = s.scalars(select(Seat).where(Seat.body_id == body.id, Seat.member_id == member_id))
    ends = [x.ends_on for x in seats]
    if None in ends or any(e >= today() for e in ends if e is not None):
        return  # seated today (or later) already
    start = max([SEATED_SINCE] + [e + timedelta(days=1) for e in ends if e is not None])
    s.add(Seat(body_id=body.id, member_id=member_id, origin=SeatOrigin.APPOINTED, starts_on=start))
    s.flush()


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    """Create and commit a user: make_user(roles=[Role.BOARD], email=..., member_id=...).

    BOARD / SUPERVISORY_BOARD are not stored: the user's member (a new one without shares
    unless `member_id` is given) gets a seat in the body of that kind (see seat_in_body_of)."""
    counter = iter(range(1, 10_000))

    def _make(
        roles: list[Role] | tuple[Role, ...] = (Role.MEMBER,),
        email: str | None = None,
        member_id: int | None = None,
        active: bool = True,
    ) -> User:
        seat_roles = [r for r in SEAT_ROLES if r in roles]
        if seat_roles and Role.ADMIN in roles:
            raise ValueError("an administrator's account is never a member's: no seat for it")
        n = next(counter)
        with new_session(app.extensions["governance.engine"]) as s:
            if seat_roles and member_id is None:
                member_id = _seat_member(s, n)
            user = User(
                email=email or f"user{n}-{time.monotonic_ns()}@example.org",
                display_name="Test User",
                password_hash=_PASSWORD_HASH,
                member_id=member_id,
                active=active,
            )
            user.role_rows = [UserRole(role=r) for r in set(roles) if r not in SEAT_ROLES]
            s.add(user)
            for role in seat_roles:
                seat_in_body_of(s, role=role, member_id=int(member_id or 0))
            s.commit()
            s.refresh(user)
            _ = user.role_rows
            fill_seat_roles(s, [user])
            return user

    return _make


@pytest.fixture
def login(app: Flask, make_user: Callable[..., User]) -> Callable[..., FlaskClient]:
    """login(user) or login(roles=[...]): a test client logged in through the login form."""

    def _login(user: User | None = None, *, roles: list[Role] | None = None) -> FlaskClient:
        if user is None:
            user = make_user(roles=roles or [Role.MEMBER])
        c = app.test_client()
        r = c.post("/login", data={"email": user.email, "password": PASSWORD})
        assert r.status_code == 302, f"login failed for {user.email}: {r.status_code}"
        c.user = user  # type: ignore[attr-defined]
        return c

    return _login


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class SmtpSink:
    """A real SMTP server (aiosmtpd) that keeps every message it receives."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[Any] = []
        self.port = free_port()
        sink = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                from email import message_from_bytes
                from email.policy import default

                sink.messages.append(message_from_bytes(envelope.content, policy=default))
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self._lock = threading.Lock()

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()

    def to(self, address: str) -> list[Any]:
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def deliver_mail(app: Flask, smtp: SmtpSink) -> Callable[[], tuple[int, int]]:
    """Run one pass of the outbox worker against the test SMTP server."""
    from governance.mail import SmtpSettings, send_due

    def _deliver() -> tuple[int, int]:
        settings = SmtpSettings(host="127.0.0.1", port=smtp.port, sender="test@example.org")
        with new_session(app.extensions["governance.engine"]) as s:
            return send_due(s, settings)

    return _deliver


@pytest.fixture
def relative_grants() -> list[tuple[int, int]]:
    """(assembly id, member id) of the proxies login_as("RELATIVE") holds (tests/access.py)."""
    return []


@pytest.fixture
def login_as(
    app: Flask,
    login: Callable[..., FlaskClient],
    make_user: Callable[..., User],
    relative_grants: list[tuple[int, int]],
) -> Callable[[str], FlaskClient]:
    """login_as("BOARD"): a client logged in as a new user with that role (and MEMBER);
    login_as("RELATIVE"): a login without member or role holding `relative_grants`."""

    def _as(role: str) -> FlaskClient:
        if role != "RELATIVE":
            return login(roles=[Role(role)])
        holder = make_user(roles=[])
        _accepted_relative_grants(app, holder, relative_grants)
        return login(holder)

    return _as


def _accepted_relative_grants(app: Flask, holder: User, grants: list[tuple[int, int]]) -> None:
    from governance.assemblies.grants import GrantState, ProxyGrant, Relationship

    slots: dict[int, int] = {}
    with new_session(app.extensions["governance.engine"]) as s:
        for assembly_id, member_id in grants:
            slots[assembly_id] = slots.get(assembly_id, 0) + 1
            s.add(
                ProxyGrant(
                    assembly_id=assembly_id, principal_id=member_id, holder_user_id=holder.id,
                    holder_name="Rita Neu", holder_email=holder.email,
                    relationship=Relationship.SPOUSE, declaration="Vollmacht in Textform",
                    state=GrantState.ACCEPTED, slot=slots[assembly_id], accepted_at=utcnow(),
                )
            )  # fmt: skip
        s.commit()
