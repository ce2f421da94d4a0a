"""Security baseline: CSRF on every POST route, headers, cookie flags, friendly error pages."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from sqlmodel import select
from werkzeug.routing import AnyConverter, IntegerConverter, UUIDConverter
from werkzeug.routing.converters import FloatConverter

from governance.accounts.models import Role
from tests.accounts.helpers import csrf_token, login_with_csrf

ROOT = Path(__file__).resolve().parent.parent
ALL_ROLES = list(Role)


def _dummy(converter: object) -> object:
    if isinstance(converter, AnyConverter):
        return sorted(converter.items)[0]
    if isinstance(converter, IntegerConverter):
        return 1
    if isinstance(converter, FloatConverter):
        return 1.0
    if isinstance(converter, UUIDConverter):
        return uuid.UUID(int=1)
    return "1"


def post_urls(app) -> list[str]:
    """Every rule of every blueprint that accepts POST, built with dummy arguments."""
    adapter = app.url_map.bind("localhost")
    urls = []
    for rule in app.url_map.iter_rules():
        if "POST" not in (rule.methods or ()):
            continue
        values = {name: _dummy(conv) for name, conv in rule._converters.items()}
        urls.append(adapter.build(rule.endpoint, values, method="POST"))
    return sorted(set(urls))


class TestCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    # Every role between them: the board and the supervisory board follow seats, and nobody
    # sits on both (§37 GenG); an administrator's account is never a member's.
    ROLE_SETS = (
        [Role.ADMIN],
        [Role.BOARD, Role.MEMBER, Role.SECRETARY],
        [Role.SUPERVISORY_BOARD, Role.MEMBER],
    )

    def test_every_post_route_refuses_a_request_without_token(self, app, make_user):
        assert {r for roles in self.ROLE_SETS for r in roles} == set(ALL_ROLES)
        urls = post_urls(app)
        assert {"/login", "/logout", "/lang/1", "/admin/users/1"} <= set(urls)
        for roles in self.ROLE_SETS:
            user = make_user(roles=roles)
            client = app.test_client()
            assert login_with_csrf(client, user.email).status_code == 302
            refused = {url: client.post(url, data={"x": "1"}).status_code for url in urls}
            assert {url: code for url, code in refused.items() if code != 400} == {}, roles
            page = client.post("/logout")
            assert b"The form has expired or was not sent from this site." in page.data
            assert client.get("/").status_code == 200  # still logged in: nothing happened

    def test_login_form_without_token_is_refused(self, app, make_user):
        user = make_user()
        r = app.test_client().post("/login", data={"email": user.email, "password": "x"})
        assert r.status_code == 400

    def test_forms_with_a_token_work(self, app, make_user):
        user = make_user()
        client = app.test_client()
        assert login_with_csrf(client, user.email).status_code == 302
        token = csrf_token(client.get("/").data)
        r = client.post("/lang/de", data={"csrf_token": token, "next": "/"})
        assert r.status_code == 302
        assert b'<html lang="de">' in client.get("/").data
        r = client.post("/logout", data={"csrf_token": token})
        assert r.status_code == 302
        assert client.get("/").status_code == 302  # logged out

    def test_token_of_another_session_is_refused(self, app, make_user):
        user = make_user()
        victim, attacker = app.test_client(), app.test_client()
        assert login_with_csrf(victim, user.email).status_code == 302
        foreign = csrf_token(attacker.get("/login").data)
        assert victim.post("/logout", data={"csrf_token": foreign}).status_code == 400


def test_security_headers(client):
    r = client.get("/login")
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "same-origin"
    for path in ("/nowhere", "/healthz", "/readyz"):
        assert client.get(path).headers["X-Frame-Options"] == "DENY"


def test_a_header_the_view_set_is_kept_and_none_is_doubled(app, client):
    """The security headers fill in what a response lacks (any spelling of the name)."""
    from flask import Response

    @app.route("/probe-own-headers")
    def probe_own_headers():
        return Response(
            "x", headers={"x-frame-options": "SAMEORIGIN", "Cache-Control": "max-age=5"}
        )

    r = client.get("/probe-own-headers", base_url="https://localhost")
    assert r.headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]
    assert r.headers.getlist("Cache-Control") == ["max-age=5"]
    for name in ("Content-Security-Policy", "Referrer-Policy", "Strict-Transport-Security"):
        assert len(r.headers.getlist(name)) == 1


def test_pages_of_logged_in_users_are_not_cached(login):
    assert login().get("/").headers["Cache-Control"] == "no-store"


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    secure = client.get("/login", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


def test_templates_have_no_inline_scripts_or_styles():
    """The CSP forbids inline code; every page template of every domain keeps to it.

    templates/pdf/ is exempt: WeasyPrint renders those, no browser applies the CSP there.
    """
    problems = []
    for path in sorted((ROOT / "governance" / "templates").rglob("*.html")):
        name = path.relative_to(ROOT / "governance").as_posix()
        if name.startswith("templates/pdf/"):
            continue
        text = path.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text, flags=re.I):
            if "src=" not in tag:
                problems.append(f"{name}: inline {tag}")
        checks = {
            "<style> element": r"<style\b",
            "style= attribute": r"""\sstyle\s*=\s*["']""",
            "inline event handler": r"""\son[a-z]+\s*=\s*["']""",
            "javascript: URL": r"javascript:",
        }
        problems += [f"{name}: {what}" for what, rx in checks.items() if re.search(rx, text, re.I)]
    assert problems == []


def test_static_assets_are_served_locally(client):
    page = client.get("/login").data.decode()
    for url in re.findall(r'(?:src|href)="([^"]+)"', page):
        assert not url.startswith(("http:", "https:", "//")), url


class TestProductionCookies:
    @pytest.fixture
    def app_config(self):
        return {"ENV_NAME": "production", "SECRET_KEY": "p" * 48}

    def test_session_and_remember_cookies_are_secure(self, app, make_user):
        user = make_user()
        r = app.test_client().post(
            "/login", data={"email": user.email, "password": "test-password-123", "remember": "y"}
        )
        assert r.status_code == 302
        cookies = {c.split("=", 1)[0]: c for c in r.headers.getlist("Set-Cookie")}
        for name in ("session", "remember_token"):
            flags = cookies[name].lower()
            assert "; secure" in flags and "; httponly" in flags and "samesite=lax" in flags


def test_friendly_404(client):
    r = client.get("/no/such/page")
    assert r.status_code == 404
    assert b"Page not found" in r.data and b"Back to the start page" in r.data
    assert r.mimetype == "text/html"


def test_friendly_403(login):
    r = login(roles=[Role.MEMBER]).get("/admin/users")
    assert r.status_code == 403
    assert b"You do not have access to this page." in r.data


def test_friendly_405(client):
    r = client.get("/logout")
    assert r.status_code == 405
    assert b"Method not allowed" in r.data


def test_friendly_500_and_rollback(app, session):
    from governance.mail import OutboxMessage, queue_mail
    from governance.web import db

    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/boom", methods=["POST"])
    def boom():
        queue_mail(db(), to="x@example.org", subject="s", body_text="b")
        raise RuntimeError("kaputt")

    r = app.test_client().post("/boom")
    assert r.status_code == 500
    assert b"Something went wrong" in r.data and b"kaputt" not in r.data
    assert r.headers["X-Frame-Options"] == "DENY"
    assert session.exec(select(OutboxMessage)).all() == []  # the request's writes rolled back


def test_the_session_serializer_is_built_once_per_secret_key(app):
    from itsdangerous import BadSignature

    interface = app.session_interface
    first = interface.get_signing_serializer(app)
    assert interface.get_signing_serializer(app) is first
    old_key = app.secret_key
    try:
        app.secret_key = "another-secret-key-for-this-test-0123456789"
        second = interface.get_signing_serializer(app)
        assert second is not first and second.loads(second.dumps({"a": 1})) == {"a": 1}
        with pytest.raises(BadSignature):
            second.loads(first.dumps({"a": 1}))  # a cookie signed with the old key
    finally:
        app.secret_key = old_key
