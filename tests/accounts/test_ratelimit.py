"""Login lockout through Flask-Limiter: per account, per IP; only failures count."""

from __future__ import annotations

import os
import random

import pytest

from tests.conftest import PASSWORD

LIMITS = {
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_STORAGE_URI": "memory://",
    "LOGIN_LIMIT_PER_ACCOUNT": "3 per 15 minutes",
    "LOGIN_LIMIT_PER_IP": "6 per 15 minutes",
}
REDIS_URI = "redis://127.0.0.1:6379/15"


@pytest.fixture
def app_config():
    return dict(LIMITS)


def _ip() -> str:
    # A fresh client address per test: counters in a shared store (Redis) never collide.
    return f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"


def _client(app, ip: str | None = None):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = ip or _ip()
    return client


def _attempt(client, email: str, password: str = "wrong-password-1"):
    return client.post("/login", data={"email": email, "password": password})


def test_account_is_locked_after_failures_from_any_address(app, make_user):
    user = make_user()
    for _ in range(3):
        assert _attempt(_client(app), user.email).status_code == 200
    locked = _attempt(_client(app), user.email, PASSWORD)  # even the right password, from anywhere
    assert locked.status_code == 429
    assert b"Too many attempts" in locked.data
    assert b"try again" in locked.data
    other = make_user()
    assert _attempt(_client(app), other.email, PASSWORD).status_code == 302


def test_address_is_locked_after_failures_on_any_account(app, make_user):
    client = _client(app)
    for n in range(6):
        assert _attempt(client, f"nobody{n}@example.org").status_code == 200
    user = make_user()
    assert _attempt(client, user.email, PASSWORD).status_code == 429
    assert _attempt(_client(app), user.email, PASSWORD).status_code == 302  # another address


def test_successful_logins_do_not_count(app, make_user):
    user = make_user()
    client = _client(app)
    for _ in range(8):  # more than both limits
        assert _attempt(client, user.email, PASSWORD).status_code == 302
        client.post("/logout")
    for _ in range(3):
        assert _attempt(client, user.email).status_code == 200
    assert _attempt(client, user.email).status_code == 429


def test_unknown_accounts_are_limited_like_known_ones(app):
    """The lockout must not reveal which addresses have an account."""
    client = _client(app)
    for _ in range(3):
        assert _attempt(client, "ghost@example.org").status_code == 200
    assert _attempt(client, "ghost@example.org").status_code == 429


def test_get_of_the_login_page_is_not_limited(app):
    client = _client(app)
    for _ in range(10):
        assert client.get("/login").status_code == 200


def test_link_requests_are_limited_per_account(app, make_user):
    user = make_user()
    for _ in range(3):
        r = _client(app).post("/login/link", data={"email": user.email})
        assert r.status_code == 302
    assert _client(app).post("/login/link", data={"email": user.email}).status_code == 429
    assert _client(app).post("/password/reset", data={"email": user.email}).status_code == 302


def _require_redis() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URI, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        reason = f"Redis at {REDIS_URI} is not reachable ({type(exc).__name__})"
        if os.environ.get("CI") == "true":
            pytest.fail(reason + " and CI=true requires it", pytrace=False)
        pytest.skip(reason)


@pytest.mark.parametrize("app_config", [{**LIMITS, "RATELIMIT_STORAGE_URI": REDIS_URI}])
def test_lockout_with_redis_storage(app, make_user):
    """Several app servers share the counters through Redis: a second app sees the first's."""
    _require_redis()
    from governance import create_app
    from governance.security import limiter

    assert "redis" in type(limiter.storage).__name__.lower()
    user = make_user()
    ip = _ip()
    for _ in range(3):
        assert _attempt(_client(app, ip), user.email).status_code == 200
    second = create_app(dict(app.config))  # another "server" with its own limiter storage object
    try:
        assert _attempt(second.test_client(), user.email, PASSWORD).status_code == 429
    finally:
        second.extensions["governance.engine"].dispose()
