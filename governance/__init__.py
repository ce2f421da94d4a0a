"""governance: the democratic life of a German cooperative (eG)."""

from __future__ import annotations

import importlib
import logging
import pkgutil
import sys
from pathlib import Path
from typing import Any

from flask import Flask, g, render_template, request
from sqlalchemy.engine import Engine

from governance import db as dbmod
from governance import i18n, logs, markup, metrics, pressure, security
from governance.config import (
    Settings,
    check_rate_limit_storage,
    default_config,
    load_settings,
    resolve_secret_key,
)

# The source checkout around the package (for an installed package: site-packages).
ROOT = Path(__file__).resolve().parent.parent
log = logging.getLogger(__name__)

# The domains with pages, from the bottom layer up: each has `blueprint.py` (its `bp`) and view
# modules `views*.py` that add their routes to it.
DOMAINS = [
    "governance.accounts",
    "governance.register",
    "governance.bodies",
    "governance.assemblies",
    "governance.proposals",
    "governance.tellers",
    "governance.ballots",
    "governance.minutes",
    "governance.audit",
    "governance.notify",
]


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app: configuration, database, extensions, blueprints, CLI.

    Raises ConfigError (one line naming the variables) on a wrong GOVERNANCE_* setting.
    """
    settings = load_settings()
    app = Flask(
        __name__,
        instance_path=str(_instance_path(config, settings)),
        template_folder="templates",
        static_folder="static",
    )
    app.config.update(default_config(Path(app.instance_path), settings))
    if config:
        app.config.update(config)
    app.config["SECRET_KEY"] = resolve_secret_key(app.config, Path(app.instance_path))
    check_rate_limit_storage(app.config)
    if app.config["ENV_NAME"] == "production":
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True

    import governance.models  # noqa: F401  (complete metadata)

    engine = dbmod.make_engine(app.config["DATABASE_URL"])
    app.extensions["governance.engine"] = engine
    _install_session(app)
    logs.init_app(app)
    i18n.init_app(app)
    markup.init_app(app)
    security.init_app(app)
    for domain in DOMAINS:
        app.register_blueprint(_blueprint_with_views(domain))
    metrics.init_app(app)
    pressure.init_app(app)
    _install_error_pages(app)
    from governance.cli import register_cli

    register_cli(app)
    if app.config.get("SCHEMA_CHECK"):
        _check_schema(app)
    return app


def _blueprint_with_views(domain: str) -> Any:
    """The domain's blueprint, once every view module of the domain has added its routes."""
    package = importlib.import_module(domain)
    for info in pkgutil.iter_modules(package.__path__):
        if info.name.startswith("views"):
            importlib.import_module(f"{domain}.{info.name}")
    return importlib.import_module(f"{domain}.blueprint").bp


def _instance_path(config: dict[str, Any] | None, settings: Settings | None = None) -> Path:
    """INSTANCE_PATH from the config, else GOVERNANCE_INSTANCE_PATH, else `instance/` of a source
    checkout; an installed package (no checkout around it) uses Flask's default for installed
    apps, `<sys.prefix>/var/governance-instance`."""
    settings = settings or load_settings()
    chosen = (config or {}).get("INSTANCE_PATH") or settings.INSTANCE_PATH
    if chosen:
        return Path(chosen).resolve()
    if (ROOT / "pyproject.toml").is_file():
        return ROOT / "instance"
    return Path(sys.prefix) / "var" / "governance-instance"


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
            if getattr(error, "response", None) is not None:  # a ready answer (e.g. JSON)
                return error.response
            try:
                return render_template("errors/error.html", code=code, error=error), code
            except Exception:  # the page itself failed (e.g. database down): answer plainly
                log.exception("error page %s could not be rendered", code)
                return f"Error {code}", code, {"Content-Type": "text/plain; charset=utf-8"}

        app.register_error_handler(code, handler)


class SchemaGuard:
    """Whether the database schema is at the code's head; re-checked until it is.

    The operator can run `governance db upgrade` while the app runs: the next request sees the
    new revision and the app serves again, without a restart.
    """

    def __init__(self, engine: Engine) -> None:
        from governance.migrations.runner import head_revision

        self.engine = engine
        self.head = head_revision()
        self.current: str | None = None
        self.ok = False

    def check(self) -> bool:
        """True when the schema is current (raises when the database is unreachable)."""
        if not self.ok:
            from governance.migrations.runner import current_revision

            self.current = current_revision(self.engine)
            self.ok = self.current == self.head
        return self.ok


def _check_schema(app: Flask) -> None:
    guard = SchemaGuard(app.extensions["governance.engine"])
    app.extensions["governance.schema"] = guard
    try:
        if not guard.check():
            log.error(
                "The database schema is at %s, the code expects %s. Run: governance db upgrade",
                guard.current,
                guard.head,
            )
    except Exception as exc:  # an unreachable database must not stop `governance db ...`
        log.error("database not reachable at start-up: %s", type(exc).__name__)

    @app.before_request
    def _refuse_outdated() -> Any:
        if guard.ok or request.endpoint in ("static", "accounts.healthz", "accounts.readyz"):
            return None
        try:
            if guard.check():
                return None
        except Exception:  # unreachable: the view fails on its own and /healthz says why
            return None
        page = render_template("errors/schema.html", current=guard.current, head=guard.head)
        return page, 503
