"""German by default, English on request; times shown in Europe/Berlin."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import (
    Babel,
    format_date,
    format_datetime,
    ngettext,  # noqa: F401
)
from flask_babel import gettext as _  # noqa: F401  (re-exported for views and forms)
from flask_babel import lazy_gettext as _l  # noqa: F401
from flask_login import current_user

babel = Babel()


def select_locale() -> str:
    """The user's choice (session, then account), else the configured default.

    Outside a request (CLI commands, the mail worker) the configured default applies.
    """
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return str(current_app.config["BABEL_DEFAULT_LOCALE"])
    chosen = session.get("lang")
    if chosen in languages:
        return str(chosen)
    user_locale = getattr(current_user, "locale", None) if current_user else None
    if user_locale in languages:
        return str(user_locale)
    if request.args.get("lang") in languages:
        return str(request.args["lang"])
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def local_tz() -> ZoneInfo:
    """The cooperative's time zone."""
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def today() -> date:
    """Today in the cooperative's time zone."""
    return datetime.now(local_tz()).date()


def init_app(app: Flask) -> None:
    """Install Flask-Babel with the translations shipped in the package."""
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    babel.init_app(app, locale_selector=select_locale)

    @app.template_filter("dt")
    def _dt(value: datetime | None, fmt: str = "medium") -> str:
        return format_datetime(value, fmt) if value else ""

    @app.template_filter("d")
    def _d(value: date | None, fmt: str = "medium") -> str:
        return format_date(value, fmt) if value else ""

    @app.context_processor
    def _locale_ctx() -> dict[str, Any]:
        from flask_babel import get_locale

        return {"current_locale": str(get_locale() or "de")}
