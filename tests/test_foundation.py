"""The app factory: configuration, secret key, request session, health check, CLI."""

from __future__ import annotations

import stat
from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import event
from sqlmodel import select

from governance import create_app
from governance.accounts.models import Role, User
from governance.accounts.services import user_by_email
from governance.auditlog import AuditEvent
from governance.config import ConfigError
from governance.demo import DEMO_PASSWORD, DEMO_USERS
from governance.mail import OutboxMessage, queue_mail
from governance.web import db

# --- secret key and environment -----------------------------------------------------------


def _config(tmp_path, **extra) -> dict:
    return {
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        "SCHEMA_CHECK": False,
        **extra,
    }


def _dispose(app: Flask) -> None:
    app.extensions["governance.engine"].dispose()


def test_production_refuses_to_start_without_secret_key(tmp_path):
    with pytest.raises(ConfigError, match="GOVERNANCE_SECRET_KEY is not set") as info:
        create_app(_config(tmp_path, ENV_NAME="production", SECRET_KEY=None))
    assert "refuses to start" in str(info.value)
    assert not (tmp_path / "instance" / "secret_key").exists()


def test_production_reads_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("GOVERNANCE_ENV", "production")
    monkeypatch.delenv("GOVERNANCE_SECRET_KEY", raising=False)
    monkeypatch.setenv("GOVERNANCE_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("GOVERNANCE_DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite3'}")
    with pytest.raises(ConfigError, match="GOVERNANCE_SECRET_KEY"):
        create_app({"SCHEMA_CHECK": False})
    monkeypatch.setenv("GOVERNANCE_SECRET_KEY", "k" * 64)
    app = create_app({"SCHEMA_CHECK": False})
    assert app.secret_key == "k" * 64
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    _dispose(app)


def test_production_refuses_a_short_secret_key(tmp_path):
    with pytest.raises(ConfigError, match="too short"):
        create_app(_config(tmp_path, ENV_NAME="production", SECRET_KEY="secret"))


def test_unknown_environment_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="GOVERNANCE_ENV"):
        create_app(_config(tmp_path, ENV_NAME="prod", SECRET_KEY="k" * 64))


def test_development_generates_the_secret_key_once(tmp_path):
    first = create_app(_config(tmp_path, SECRET_KEY=None))
    key_file = tmp_path / "instance" / "secret_key"
    assert key_file.exists()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first.secret_key) == 64
    second = create_app(_config(tmp_path, SECRET_KEY=None))
    assert second.secret_key == first.secret_key
    assert not first.config["SESSION_COOKIE_SECURE"]
    _dispose(first)
    _dispose(second)


def test_instance_path_defaults_to_the_repository(monkeypatch):
    from governance import ROOT, _instance_path

    monkeypatch.delenv("GOVERNANCE_INSTANCE_PATH", raising=False)
    assert _instance_path(None) == ROOT / "instance"


# --- request session: committed once after success, rolled back otherwise ------------------


def _outbox(session) -> list[OutboxMessage]:
    session.rollback()
    return list(session.exec(select(OutboxMessage)).all())


def test_request_session_commits_success_and_rolls_back_errors(app, session):
    @app.route("/probe/<int:status>", methods=["POST"])
    def probe(status: int):
        queue_mail(db(), to=f"s{status}@example.org", subject="s", body_text="b")
        return "done", status

    client = app.test_client()
    for status in (200, 302, 400, 404, 409):
        assert client.post(f"/probe/{status}").status_code == status
    assert sorted(m.to_addr for m in _outbox(session)) == ["s200@example.org", "s302@example.org"]


def test_domain_error_rolls_back_what_the_service_flushed(app, session):
    from governance.errors import DomainError
    from governance.web import fail

    @app.route("/probe-fail", methods=["POST"])
    def probe_fail():
        queue_mail(db(), to="flushed@example.org", subject="s", body_text="b")
        fail(DomainError("nope"))
        return "shown again", 200

    assert app.test_client().post("/probe-fail").status_code == 200
    assert _outbox(session) == []


# --- health check ---------------------------------------------------------------------------


def test_healthz_reports_database_status(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert (r.json["status"], r.json["database"], r.json["schema"]) == ("ok", "ok", "ok")
    assert r.mimetype == "application/json"


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_health_probes_report_an_unreachable_database(tmp_path, path):
    app = create_app(
        _config(tmp_path, SECRET_KEY="x", DATABASE_URL="postgresql://nobody@127.0.0.1:1/none")
    )
    r = app.test_client().get(path)
    assert r.status_code == 503
    assert r.json["status"] == "error" and r.json["database"] == "OperationalError"
    _dispose(app)


def test_readyz_is_one_statement(app, client):
    """The balancer's probe asks the database one thing (/healthz reads the job queues too)."""
    engine = app.extensions["governance.engine"]
    client.get("/readyz")  # the schema checked once per process
    seen: list[str] = []

    def note(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        r = client.get("/readyz")
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert r.status_code == 200 and r.json == {"status": "ok", "database": "ok"}
    assert [s for s in seen if s.strip() not in ("BEGIN", "COMMIT")] == ["SELECT 1"], seen


# --- reverse proxy ----------------------------------------------------------------------------


@pytest.mark.parametrize("app_config", [{"PROXY_COUNT": 1}])
def test_behind_a_proxy_the_client_address_comes_from_x_forwarded_for(app):
    @app.route("/probe-addr")
    def probe_addr():
        from flask import request

        return f"{request.remote_addr} {request.scheme}"

    r = app.test_client().get(
        "/probe-addr", headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
    )
    assert r.data == b"203.0.113.9 https"


def test_without_proxy_x_forwarded_for_is_ignored(app):
    @app.route("/probe-addr")
    def probe_addr():
        from flask import request

        return str(request.remote_addr)

    r = app.test_client().get("/probe-addr", headers={"X-Forwarded-For": "203.0.113.9"})
    assert r.data == b"127.0.0.1"


# --- CLI ------------------------------------------------------------------------------------


def test_create_admin(app, session):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["create-admin", "--email", "Boss@Example.org", "--password", "long-enough-pw"]
    )
    assert result.exit_code == 0, result.output
    assert "Admin Boss@Example.org ready." in result.output
    user = user_by_email(session, "boss@example.org")
    assert user is not None and user.roles == {Role.ADMIN}
    client = app.test_client()
    r = client.post("/login", data={"email": "boss@example.org", "password": "long-enough-pw"})
    assert r.status_code == 302
    assert b"start-admin" in client.get("/").data


def test_create_admin_promotes_an_existing_user(app, make_user, session):
    user = make_user(roles=[Role.MEMBER])
    result = app.test_cli_runner().invoke(
        args=["create-admin", "--email", user.email, "--password", "ignored-password"]
    )
    assert result.exit_code == 0, result.output
    session.expire_all()
    assert session.get(User, user.id).roles == {Role.MEMBER, Role.ADMIN}
    events = session.exec(select(AuditEvent).where(AuditEvent.event_type == "user.roles_changed"))
    assert len(events.all()) == 1


def test_create_admin_refuses_a_short_password(app, session):
    result = app.test_cli_runner().invoke(
        args=["create-admin", "--email", "a@example.org", "--password", "short"]
    )
    assert result.exit_code == 1
    assert "at least 10 characters" in result.output
    assert user_by_email(session, "a@example.org") is None


def test_seed_demo_creates_a_login_per_role(app: Flask, login: Callable):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert DEMO_PASSWORD in result.output
    for role, email, _name in DEMO_USERS:
        assert email in result.output
        client = app.test_client()
        r = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
        assert r.status_code == 302, email
        start = client.get("/").data
        assert f'id="start-{role.value.lower()}"'.encode() in start, role
    again = runner.invoke(args=["seed-demo", "--if-empty"])
    assert again.exit_code == 0 and "exists already" in again.output


def test_the_web_app_does_not_import_weasyprint(tmp_path):
    """WeasyPrint (some 30 MiB per process) is imported only where a PDF is rendered."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from governance import create_app\n"
        f"app = create_app({{'DATABASE_URL': 'sqlite:///{tmp_path}/db.sqlite3', "
        f"'SCHEMA_CHECK': False, 'INSTANCE_PATH': '{tmp_path}'}})\n"
        "app.test_client().get('/login')\n"
        "assert 'weasyprint' not in sys.modules, 'weasyprint imported'\n"
        "from governance.minutes import pdf_engine\n"
        "assert 'weasyprint' in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]


def test_every_page_links_the_favicon(client):
    page = client.get("/login").get_data(as_text=True)
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    assert b"<svg" in icon.data and b"<script" not in icon.data
    icon.close()
