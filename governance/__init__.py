"""governance: the democratic life of a German cooperative (eG)."""

from __future__ import annotations

import importlib
import logging
from pathlib import Path
from typing import Any

from flask import Flask, g, render_template

from governance import db as dbmod
from governance import i18n, security
from governance.config import default_config, resolve_secret_key

ROOT = Path(__file__).resolve().parent.parent
log = logging.getLogger(__name__)

# Domain blueprints; each `<domain>.views` module exposes `bp`.
BLUEPRINTS = [
    "governance.accounts.views",
    "governance.register.views",
    "governance.assemblies.views",
    "governance.proposals.views",
    "governance.ballots.views",
    "governance.minutes.views",
    "governance.audit.views",
]


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app: configuration, database, extensions, blueprints, CLI."""
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.update(default_config(Path(app.instance_path)))
    if config:
        app.config.update(config)
    app.config["SECRET_KEY"] = resolve_secret_key(app.config, Path(app.instance_path))
    if app.config["ENV_NAME"] == "production":
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True

    import governance.models  # noqa: F401  (complete metadata)

    engine = dbmod.make_engine(app.config["DATABASE_URL"])
    app.extensions["governance.engine"] = engine
    _install_session(app)
    i18n.init_app(app)
    security.init_app(app)
    for path in BLUEPRINTS:
        module = importlib.import_module(path)
        app.register_blueprint(module.bp)
    _install_error_pages(app)
    from governance.cli import register_cli

    register_cli(app)
    if app.config.get("SCHEMA_CHECK"):
        _check_schema(app)
    return app


def _install_session(app: Flask) -> None:
    @app.after_request
    def _commit(response: Any) -> Any:
        session = g.pop("db_session", None)
        if session is not None:
            try:
                if response.status_code < 400:
                    session.commit()
                else:
                    session.rollback()
            finally:
                session.close()
        return response

    @app.teardown_request
    def _close(_exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.rollback()
            session.close()


def _install_error_pages(app: Flask) -> None:
    for code in (400, 403, 404, 405, 413, 429, 500, 503):

        def handler(error: Any, code: int = code) -> Any:
            return render_template("errors/error.html", code=code, error=error), code

        app.register_error_handler(code, handler)


def _check_schema(app: Flask) -> None:
    from governance.migrations.runner import current_revision, head_revision

    engine = app.extensions["governance.engine"]
    try:
        current, head = current_revision(engine), head_revision()
    except Exception as exc:  # an unreachable database must not stop `governance db ...`
        log.error("database not reachable at start-up: %s", type(exc).__name__)
        return
    if current != head:
        app.config["SCHEMA_OUTDATED"] = (current, head)
        log.error(
            "The database schema is at %s, the code expects %s. Run: governance db upgrade",
            current,
            head,
        )

        @app.before_request
        def _refuse() -> Any:
            from flask import request

            if request.endpoint in ("static", "accounts.healthz"):
                return None
            return render_template("errors/schema.html", current=current, head=head), 503
