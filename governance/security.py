"""Access control, CSRF, rate limiting and security headers."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache, wraps
from typing import Any, TypeVar

from flask import Flask, abort, current_app, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFProtect
from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import STRATEGIES, RateLimiter
from werkzeug.middleware.proxy_fix import ProxyFix

from governance.i18n import _l

csrf = CSRFProtect()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[])

F = TypeVar("F", bound=Callable[..., Any])
LEAN_LIMITS = "governance.lean_limits"

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
    limiter.init_app(app)
    _drop_idle_limiter_pass(app)
    app.extensions[LEAN_LIMITS] = _lean_limits(app.config)
    app.after_request(set_security_headers)
    proxies = int(app.config.get("PROXY_COUNT") or 0)
    if proxies:
        # Behind a reverse proxy the client's address (per-IP login limit) and scheme
        # (secure cookies, HSTS) come from X-Forwarded-For/-Proto set by `proxies` hops.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]


def per_login() -> str:
    """Rate-limit key of a logged-in member's requests: the login (from the signed session
    cookie, without loading the user), else the client's address."""
    login = str(session.get("_user_id") or "").partition(":")[0]
    return f"login:{login}" if login else f"ip:{get_remote_address()}"


def _lean_limits(config: Any) -> RateLimiter | None:
    """The strategy and storage of `lean_limit`: Flask-Limiter's settings (storage URI, strategy,
    key prefix), so that several servers count in the same Redis keys. None when limits are off."""
    if not config.get("RATELIMIT_ENABLED", True):
        return None
    storage = storage_from_string(
        config.get("RATELIMIT_STORAGE_URI") or "memory://",
        **config.get("RATELIMIT_STORAGE_OPTIONS", {}),
    )
    return STRATEGIES[config.get("RATELIMIT_STRATEGY") or "fixed-window"](storage)


@lru_cache(maxsize=64)
def _parsed(limit: str) -> RateLimitItem:
    return parse(limit)


class LeanLimit:
    """A rate limit per login on the shared storage, in the config `setting` ("90 per minute"),
    for the requests every member sends every few seconds: one storage round trip and nothing
    else, where Flask-Limiter's decorator costs more than the view itself (its limit resolution
    and request context on every call). Keys as Flask-Limiter's (storage URI, strategy and key
    prefix), so that several servers count together in Redis."""

    def __init__(self, setting: str, scope: str) -> None:
        self.setting = setting
        self.scope = scope

    def _args(self) -> tuple[RateLimiter | None, RateLimitItem, str]:
        strategy: RateLimiter | None = current_app.extensions[LEAN_LIMITS]
        item = _parsed(str(current_app.config[self.setting]))
        return strategy, item, current_app.config.get("RATELIMIT_KEY_PREFIX") or "limits"

    def hit(self) -> bool:
        """Count this request; False when it is beyond the limit (or limits are off: True)."""
        strategy, item, prefix = self._args()
        return strategy is None or strategy.hit(item, prefix, per_login(), self.scope)

    def allows(self) -> bool:
        """Whether one more would be within the limit, without counting it."""
        strategy, item, prefix = self._args()
        return strategy is None or strategy.test(item, prefix, per_login(), self.scope)


def lean_limit(setting: str, on_breach: Callable[[], Any]) -> Callable[[F], F]:
    """Limit a view per login (LeanLimit), answered by `on_breach()` beyond the limit."""

    def decorator(view: F) -> F:
        limit = LeanLimit(setting, f"{view.__module__}.{view.__qualname__}")

        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            return view(*args, **kwargs) if limit.hit() else on_breach()

        return wrapped  # type: ignore[return-value]

    return decorator


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
