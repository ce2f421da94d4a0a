"""Configuration from environment variables with the prefix GOVERNANCE_.

`Settings` declares every setting once: its type, its default and what it may be. A wrong value
stops the app (and the `governance` command) with one line naming the variable; nothing is
cast later in the code. `default_config` turns the settings into the Flask config the app reads.
"""

from __future__ import annotations

import os
import re
import secrets
import sys
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from email.utils import parseaddr
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BeforeValidator, ValidationError
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, SettingsConfigDict

PREFIX = "GOVERNANCE_"
ENVIRONMENTS = ("development", "production")
LANGUAGES = ("de", "en")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
MIN_SECRET_KEY_LENGTH = 32
TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")
# Settings whose value may carry a password: shown without it in an error message.
URL_SETTINGS = ("DATABASE_URL", "RATELIMIT_STORAGE_URI", "CACHE_URL")


class ConfigError(RuntimeError):
    """The configuration cannot be used; the message says what to set."""


# --- the checks: each turns the variable's text into its value or refuses it in words --------


def _refuse(message: str) -> PydanticCustomError:
    return PydanticCustomError("governance_setting", message)


def _checked(kind: type, check: Callable[[str], Any]) -> Any:
    """A type whose text from the environment goes through `check` (stripped)."""

    def run(value: Any) -> Any:
        return check(value.strip()) if isinstance(value, str) else value

    return Annotated[kind, BeforeValidator(run)]


def whole(low: int, high: int | None = None) -> Any:
    """A whole number from `low` (to `high`)."""

    def check(text: str) -> int:
        if not re.fullmatch(r"[+-]?\d+", text):
            raise _refuse("must be a whole number")
        number = int(text)
        if number < low or (high is not None and number > high):
            raise _refuse(
                f"must be between {low} and {high}"
                if high is not None
                else f"must be at least {low}"
            )
        return number

    return _checked(int, check)


def amount(*, at_most: Decimal | None = None) -> Any:
    """A decimal number greater than 0 (and at most `at_most`)."""
    words = "greater than 0" + (f" and at most {at_most}" if at_most is not None else "")

    def check(text: str) -> Decimal:
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = Decimal("NaN")
        if not number.is_finite():
            raise _refuse(f"must be a number {words}")
        if number <= 0 or (at_most is not None and number > at_most):
            raise _refuse(f"must be {words}")
        return number

    return _checked(Decimal, check)


def one_of(*allowed: str, fold: Callable[[str], str] = str.lower) -> Any:
    """One of `allowed` (compared after `fold`)."""

    def check(text: str) -> str:
        if fold(text) not in allowed:
            raise _refuse(f"must be one of {', '.join(allowed)}")
        return fold(text)

    return _checked(str, check)


def _flag(text: str) -> bool:
    if text.lower() in TRUE_WORDS:
        return True
    if text.lower() in FALSE_WORDS:
        return False
    raise _refuse(f"must be one of {', '.join(TRUE_WORDS + FALSE_WORDS)}")


def _text(text: str) -> str:
    if not text:
        raise _refuse("must not be blank")
    return text


def _time_zone(text: str) -> str:
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise _refuse("must be a time zone such as Europe/Berlin") from None
    return text


def _web_url(text: str) -> str:
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _refuse("must be an http:// or https:// URL")
    return text


RELATIVES = ("spouse", "partner", "parent", "child", "sibling")


def _relatives(text: str) -> str:
    names = [n.strip().lower() for n in text.split(",") if n.strip()]
    if any(n not in RELATIVES for n in names) or not names:
        raise _refuse(f"must be a comma-separated list of {', '.join(RELATIVES)}")
    return ",".join(dict.fromkeys(names))


def _database_url(text: str) -> str:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        backend = make_url(text).get_backend_name()
    except (ArgumentError, ValueError):
        backend = None
    if backend not in ("sqlite", "postgresql"):
        raise _refuse("must be a sqlite:// or postgresql:// URL")
    return text


def _storage_uri(text: str) -> str:
    from limits.storage import SCHEMES

    if text.partition("://")[0] not in SCHEMES or "://" not in text:
        raise _refuse("must be a storage URI of the limits library, e.g. redis://host:6379/0")
    return text


def _cache_url(text: str) -> str:
    if text and text.partition("://")[0] not in ("redis", "rediss", "unix"):
        raise _refuse(
            "must be empty (a cache per process) or a Redis URL, e.g. redis://host:6379/0"
        )
    return text


def _rate_limit(text: str) -> str:
    from limits import parse_many

    try:
        parse_many(text)
    except ValueError:
        raise _refuse("must be a rate limit such as '5 per 15 minutes'") from None
    return text


def _address(text: str) -> str:
    if "@" not in parseaddr(text)[1]:
        raise _refuse("must be a mail address such as Name <noreply@example.org>")
    return text


Flag = _checked(bool, _flag)
Text = _checked(str, _text)
RateLimit = _checked(str, _rate_limit)


class Settings(BaseSettings):
    """Every setting, read from GOVERNANCE_<NAME>; README.md's Configuration lists them all."""

    model_config = SettingsConfigDict(
        env_prefix=PREFIX, case_sensitive=True, env_ignore_empty=True, extra="ignore"
    )

    ENV: one_of(*ENVIRONMENTS) = "development"
    INSTANCE_PATH: Text | None = None  # None: instance/ of the checkout (governance/__init__.py)
    LOG_FORMAT: one_of("plain", "json") = "plain"
    LOG_LEVEL: one_of(*LOG_LEVELS, fold=str.upper) = "INFO"
    DATABASE_URL: _checked(str, _database_url) | None = None  # None: SQLite in the instance
    SECRET_KEY: str | None = None
    SMTP_HOST: Text = "127.0.0.1"
    SMTP_PORT: whole(1, 65535) = 25
    SMTP_USER: str | None = None
    SMTP_PASSWORD: str | None = None
    SMTP_STARTTLS: Flag = False
    MAIL_FROM: _checked(str, _address) = "Genossenschaft <noreply@example.org>"
    BASE_URL: _checked(str, _web_url) = "http://127.0.0.1:5000"
    DEFAULT_LOCALE: one_of(*LANGUAGES) = "de"
    TIMEZONE: _checked(str, _time_zone) = "Europe/Berlin"
    PROXY_COUNT: whole(0) = 0
    RATELIMIT_STORAGE_URI: _checked(str, _storage_uri) = "memory://"
    # Shared by every app server and worker process (the live state); empty: one per process.
    CACHE_URL: _checked(str, _cache_url) = ""
    CACHE_PREFIX: str = "governance"
    WORKERS: whole(0) = 0  # 0: unknown (gunicorn's own setting, else 1)
    RATELIMIT_DISABLED: Flag = False
    LOGIN_LIMIT_PER_ACCOUNT: RateLimit = "5 per 15 minutes"
    LOGIN_LIMIT_PER_IP: RateLimit = "30 per 15 minutes"
    MAGIC_LINK_MAX_AGE: whole(1) = 86400
    INVITATION_LINK_MAX_AGE: whole(1) = 60 * 86400
    RESET_LINK_MAX_AGE: whole(1) = 3600
    MEMBER_LINK_MAX_AGE: whole(1) = 14 * 86400
    SECURE_COOKIES: Flag | None = None  # None: on in production
    LIVE_REQUESTS_PER_SECOND: whole(1) = 250
    LOAD_SHEDDING: Flag = True
    LIVE_LIMIT_PER_LOGIN: RateLimit = "90 per minute"
    HEARTBEAT_LIMIT_PER_LOGIN: RateLimit = "20 per minute"
    INVALID_BALLOT_LIMIT_PER_LOGIN: RateLimit = "10 per 10 minutes"
    UPLOAD_DIR: Text | None = None  # None: uploads/ in the instance
    COOP_NAME: Text = "Beispiel eG"
    COOP_SEAT: Text = "Berlin"
    SHARE_VALUE: amount() = Decimal("64.00")
    MIN_SHARES: whole(1) = 1
    NOTICE_MONTHS: whole(1) = 3
    BUSINESS_YEAR_START_MONTH: whole(1, 12) = 1
    CONVENING_NOTICE_DAYS: whole(1) = 14
    AGENDA_NOTICE_DAYS: whole(1) = 7
    MINORITY_QUORUM: amount(at_most=Decimal(1)) = Decimal("0.1")
    PROPOSAL_DEADLINE_DAYS: whole(0) = 10
    ASSEMBLY_DURATION_HOURS: whole(1, 48) = 3
    ATTACHMENT_MAX_BYTES: whole(1) = 10 * 1024 * 1024
    MULTIPLE_VOTES: Flag = False
    # §43(5) GenG: whom besides members the statute allows as proxy holders (None: members only)
    PROXY_RELATIVES: _checked(str, _relatives) | None = None
    TRACKERS_ONLY_DEFAULT: Flag = False
    METRICS_ENABLED: Flag = False
    METRICS_TOKEN: str | None = None
    MINUTES_INLINE_RENDER_MAX: whole(0) = 1000  # participants; more: the worker renders
    MINUTES_LOCALE: one_of(*LANGUAGES) | None = None  # None: DEFAULT_LOCALE
    MINUTES_RENDER_WORKERS: whole(1) | None = None  # None: one per CPU


def load_settings() -> Settings:
    """The settings from the environment; ConfigError (one line, every wrong variable) if wrong."""
    try:
        return Settings()
    except ValidationError as exc:
        raise ConfigError("; ".join(_describe(error) for error in exc.errors())) from None


def _describe(error: Any) -> str:
    name = str(error["loc"][0]) if error["loc"] else "?"
    given = str(error.get("input"))
    if name in URL_SETTINGS:  # scheme://user:password@host: never print the password
        given = re.sub(r"(//[^/@:]*:)[^/@]*@", r"\1***@", given)
    return f"{PREFIX}{name} {error['msg']}, got {given!r}"


def default_config(instance_path: Path, settings: Settings | None = None) -> dict[str, Any]:
    """The Flask config from the settings (default: from the environment)."""
    s = settings or load_settings()
    return {
        "ENV_NAME": s.ENV,
        # Logging: plain text or one JSON object a line (governance/logs.py), and the level.
        "LOG_FORMAT": s.LOG_FORMAT,
        "LOG_LEVEL": s.LOG_LEVEL,
        "DATABASE_URL": s.DATABASE_URL or f"sqlite:///{instance_path / 'governance.sqlite3'}",
        "SECRET_KEY": s.SECRET_KEY,
        "SMTP_HOST": s.SMTP_HOST,
        "SMTP_PORT": s.SMTP_PORT,
        "SMTP_USER": s.SMTP_USER,
        "SMTP_PASSWORD": s.SMTP_PASSWORD,
        "SMTP_STARTTLS": s.SMTP_STARTTLS,
        "MAIL_FROM": s.MAIL_FROM,
        "BASE_URL": s.BASE_URL,
        "BABEL_DEFAULT_LOCALE": s.DEFAULT_LOCALE,
        "BABEL_DEFAULT_TIMEZONE": s.TIMEZONE,
        "LANGUAGES": list(LANGUAGES),
        # Number of reverse proxies in front of the app (X-Forwarded-For/-Proto are trusted).
        "PROXY_COUNT": s.PROXY_COUNT,
        "RATELIMIT_STORAGE_URI": s.RATELIMIT_STORAGE_URI,
        # The live state's cache: in Redis when set, so that a change made through one app
        # server is seen at once through every other one; else one cache per process.
        "CACHE_URL": s.CACHE_URL,
        "CACHE_PREFIX": s.CACHE_PREFIX,
        # How many processes serve the app, for servers other than gunicorn (whose own setting
        # is read at start-up): memory:// rate limits are refused in production with several.
        "WORKERS": s.WORKERS or None,
        "RATELIMIT_ENABLED": not s.RATELIMIT_DISABLED,
        # A sliding window: a fixed one would allow twice the attempts around its boundary.
        "RATELIMIT_STRATEGY": "moving-window",
        "RATELIMIT_KEY_PREFIX": "governance",  # a Redis shared with other apps keeps apart
        "LOGIN_LIMIT_PER_ACCOUNT": s.LOGIN_LIMIT_PER_ACCOUNT,
        "LOGIN_LIMIT_PER_IP": s.LOGIN_LIMIT_PER_IP,
        "MAGIC_LINK_MAX_AGE": s.MAGIC_LINK_MAX_AGE,
        "INVITATION_LINK_MAX_AGE": s.INVITATION_LINK_MAX_AGE,
        "RESET_LINK_MAX_AGE": s.RESET_LINK_MAX_AGE,
        # A request to link an existing account to a member, for its holder to confirm.
        "MEMBER_LINK_MAX_AGE": s.MEMBER_LINK_MAX_AGE,
        "SESSION_COOKIE_SECURE": (
            s.ENV == "production" if s.SECURE_COOKIES is None else s.SECURE_COOKIES
        ),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,
        # How many live-state requests per second all open live pages together may cause: with
        # a large audience the pages ask less often (assemblies/live.py, poll_interval).
        "LIVE_REQUESTS_PER_SECOND": s.LIVE_REQUESTS_PER_SECOND,
        # A busy process tells the live pages to ask and beat less often (governance/pressure.py).
        "LOAD_SHEDDING": s.LOAD_SHEDDING,
        # Per login, all tabs together: the live page asks every 5-30 s and beats every 45 s.
        "LIVE_LIMIT_PER_LOGIN": s.LIVE_LIMIT_PER_LOGIN,
        "HEARTBEAT_LIMIT_PER_LOGIN": s.HEARTBEAT_LIMIT_PER_LOGIN,
        # Encrypted ballots refused as invalid (each costs a proof check), per login.
        "INVALID_BALLOT_LIMIT_PER_LOGIN": s.INVALID_BALLOT_LIMIT_PER_LOGIN,
        "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,
        "UPLOAD_DIR": s.UPLOAD_DIR or str(instance_path / "uploads"),
        # The cooperative's statute (Satzung); legal defaults of the GenG.
        "COOP_NAME": s.COOP_NAME,
        "COOP_SEAT": s.COOP_SEAT,
        "SHARE_VALUE": s.SHARE_VALUE,
        "MIN_SHARES": s.MIN_SHARES,
        "NOTICE_MONTHS": s.NOTICE_MONTHS,
        "BUSINESS_YEAR_START_MONTH": s.BUSINESS_YEAR_START_MONTH,
        "CONVENING_NOTICE_DAYS": s.CONVENING_NOTICE_DAYS,
        "AGENDA_NOTICE_DAYS": s.AGENDA_NOTICE_DAYS,
        "MINORITY_QUORUM": s.MINORITY_QUORUM,
        "PROPOSAL_DEADLINE_DAYS": s.PROPOSAL_DEADLINE_DAYS,
        "ATTACHMENT_MAX_BYTES": s.ATTACHMENT_MAX_BYTES,
        "MAX_PROXIES": 2,
        # The calendar entry's end when the assembly has no voting phase to end it.
        "ASSEMBLY_DURATION_HOURS": s.ASSEMBLY_DURATION_HOURS,
        "MULTIPLE_VOTES": s.MULTIPLE_VOTES,
        # §43(5) GenG: the relatives the statute allows as proxy holders; empty: members only.
        "PROXY_RELATIVES": tuple((s.PROXY_RELATIVES or "").split(",")) if s.PROXY_RELATIVES else (),
        "PUBLISH_CHOICES_DEFAULT": not s.TRACKERS_ONLY_DEFAULT,
        "SCHEMA_CHECK": True,
        # Prometheus metrics at /metrics (governance/metrics.py): off unless enabled; with a
        # token, only for `Authorization: Bearer <token>`.
        "METRICS_ENABLED": s.METRICS_ENABLED,
        "METRICS_TOKEN": s.METRICS_TOKEN,
        # Minutes (governance/minutes): up to this many participants the PDF is rendered in the
        # request, beyond by the worker; the language of the minutes (None: the default
        # locale); the processes rendering a long annex (None: one per CPU).
        "MINUTES_INLINE_RENDER_MAX": s.MINUTES_INLINE_RENDER_MAX,
        "MINUTES_LOCALE": s.MINUTES_LOCALE,
        "MINUTES_RENDER_WORKERS": s.MINUTES_RENDER_WORKERS,
    }


def resolve_secret_key(config: dict[str, Any], instance_path: Path) -> str:
    """Return the secret key; generate one into instance/ in development, refuse in production."""
    env = config.get("ENV_NAME")
    if env not in ENVIRONMENTS:
        raise ConfigError(
            f"GOVERNANCE_ENV is {env!r}; it must be one of: {', '.join(ENVIRONMENTS)}."
        )
    key = config.get("SECRET_KEY")
    if key and env == "production" and len(str(key)) < MIN_SECRET_KEY_LENGTH:
        raise ConfigError(
            f"GOVERNANCE_SECRET_KEY is too short ({len(str(key))} characters). In production "
            f"it must have at least {MIN_SECRET_KEY_LENGTH}: use the output of "
            "`python -c 'import secrets; print(secrets.token_hex(32))'`."
        )
    if key:
        return str(key)
    if env == "production":
        raise ConfigError(
            "GOVERNANCE_SECRET_KEY is not set. In production the app refuses to start without "
            "a secret key: set GOVERNANCE_SECRET_KEY to a long random value, e.g. the output of "
            "`python -c 'import secrets; print(secrets.token_hex(32))'`."
        )
    return _instance_secret(instance_path / "secret_key")


def check_rate_limit_storage(config: dict[str, Any]) -> None:
    """Refuse in-process rate-limit counters in production when several processes serve.

    With `memory://` every worker process keeps its own counters, so with N workers an attacker
    gets N times the login attempts. Redis (or another shared store) counts for all of them.
    """
    if config.get("ENV_NAME") != "production" or not config.get("RATELIMIT_ENABLED"):
        return
    if not str(config.get("RATELIMIT_STORAGE_URI") or "memory://").startswith("memory://"):
        return
    workers = worker_processes(config)
    if workers > 1:
        raise ConfigError(
            f"GOVERNANCE_RATELIMIT_STORAGE_URI is memory:// while {workers} worker processes "
            f"serve the app: each would count on its own ({workers} times every login limit). "
            "Set GOVERNANCE_RATELIMIT_STORAGE_URI to a shared store such as "
            "redis://127.0.0.1:6379/0, or run a single worker."
        )


def worker_processes(config: dict[str, Any]) -> int:
    """How many processes serve the app: GOVERNANCE_WORKERS if set; else, under gunicorn, its
    `workers` setting; else 1."""
    return int(config.get("WORKERS") or gunicorn_workers() or 1)


def gunicorn_workers() -> int | None:
    """gunicorn's `workers` as gunicorn resolved it (-w, GUNICORN_CMD_ARGS, WEB_CONCURRENCY, its
    config file) when gunicorn is loading this app, else None.

    gunicorn loads the app in each worker (or once in the master with --preload) from its
    arbiter or worker object, whose `cfg` is the running configuration: it is found on the call
    stack. No other server sets this: they use GOVERNANCE_WORKERS.
    """
    if "gunicorn.arbiter" not in sys.modules:
        return None
    from gunicorn.config import Config

    frame = sys._getframe(1)
    while frame is not None:
        cfg = getattr(frame.f_locals.get("self"), "cfg", None)
        if isinstance(cfg, Config):
            return int(cfg.workers)
        frame = frame.f_back
    return None


def _instance_secret(key_file: Path) -> str:
    """The development key in instance/, created once (readable by the owner only).

    Written to a private temporary file and linked into place, so two processes starting at
    once agree on one key and nobody ever reads a half-written file.
    """
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = key_file.with_name(f".{key_file.name}.{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
        try:
            os.link(tmp, key_file)
        except FileExistsError:  # another process was faster: use its key
            pass
        finally:
            tmp.unlink()
    return key_file.read_text().strip()
