"""Access control, CSRF, rate limiting and security headers."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, abort, request
from flask.sessions import SecureCookieSessionInterface
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from governance import ratelimit
from governance.i18n import _l

csrf = CSRFProtect()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[])

F = TypeVar("F", bound=Callable[..., Any])

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; object-src 'none'"
)


def role_required(*roles: Any) -> Callable[[F], F]:
    """Allow the view only to logged-in users holding at least one of `roles` (else 403)."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_any_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


SECURITY_HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Frame-Options", "DENY"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)
HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")


def set_security_headers(response: Any) -> Any:
    """Add the security headers to every response (those a view set itself are kept)."""
    headers = response.headers
    present = {key.lower() for key, _value in headers.items()}  # one pass, not one per header
    for key, value in (*SECURITY_HEADERS, HSTS) if request.is_secure else SECURITY_HEADERS:
        if key.lower() not in present:
            headers.add(key, value)
    if "cache-control" not in present and current_user and current_user.is_authenticated:
        headers["Cache-Control"] = "no-store"
    return response


def _user_in_templates() -> dict[str, Any]:
    """The templates' `current_user` is the user itself, not Flask-Login's proxy: a page reads
    it a dozen times or more, and each read through the proxy looks the user up again."""
    return {"current_user": current_user._get_current_object()}


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the signing serializer built once per secret key
    (Flask builds it anew to open and to save the session of every request)."""

    def __init__(self) -> None:
        self._serializer: tuple[Any, Any] = (None, None)

    def get_signing_serializer(self, app: Flask) -> Any:
        key = app.secret_key
        known, serializer = self._serializer
        if serializer is None or known != key:
            serializer = super().get_signing_serializer(app)
            self._serializer = (key, serializer)
        return serializer


def init_app(app: Flask) -> None:
    """Install CSRF, login manager, limiter and headers."""
    app.session_interface = SessionInterface()
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.session_protection = "strong"
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    app.context_processor(_user_in_templates)  # after Flask-Login's own: this one wins
    limiter.init_app(app)
    _drop_idle_limiter_pass(app)
    ratelimit.init_app(app)
    app.after_request(set_security_headers)
    proxies = int(app.config.get("PROXY_COUNT") or 0)
    if proxies:
        # Behind a reverse proxy the client's address (per-IP login limit) and scheme
        # (secure cookies, HSTS) come from X-Forwarded-For/-Proto set by `proxies` hops.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]


def _drop_idle_limiter_pass(app: Flask) -> None:
    """Flask-Limiter checks the application-wide and default limits in a before_request pass on
    every request. This app sets none (each limit decorates its view and is checked there), so
    the pass would only cost time on every request; it is dropped while there is nothing for it."""
    manager = limiter.limit_manager
    wide = manager.application_limits, manager.default_limits, manager._blueprint_limits
    if any(wide) or limiter._meta_limits:
        return
    hooks = app.before_request_funcs.get(None, [])
    hooks[:] = [hook for hook in hooks if hook != limiter._check_request_limit]
