"""Configuration from environment variables with the prefix GOVERNANCE_."""

from __future__ import annotations

import os
import secrets
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

PREFIX = "GOVERNANCE_"
ENVIRONMENTS = ("development", "production")
MIN_SECRET_KEY_LENGTH = 32


class ConfigError(RuntimeError):
    """The configuration cannot be used; the message says what to set."""


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(PREFIX + name, default)


def _bool(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def default_config(instance_path: Path) -> dict[str, Any]:
    """The settings with their legal or sensible defaults, overridden from the environment."""
    env = _env("ENV", "development") or "development"
    db_default = f"sqlite:///{instance_path / 'governance.sqlite3'}"
    return {
        "ENV_NAME": env,
        # Logging: plain text or one JSON object a line (governance/logs.py), and the level.
        "LOG_FORMAT": (_env("LOG_FORMAT", "plain") or "plain").lower(),
        "LOG_LEVEL": (_env("LOG_LEVEL", "INFO") or "INFO").upper(),
        "DATABASE_URL": _env("DATABASE_URL", db_default),
        "SECRET_KEY": _env("SECRET_KEY"),
        "SMTP_HOST": _env("SMTP_HOST", "127.0.0.1"),
        "SMTP_PORT": int(_env("SMTP_PORT", "25") or 25),
        "SMTP_USER": _env("SMTP_USER"),
        "SMTP_PASSWORD": _env("SMTP_PASSWORD"),
        "SMTP_STARTTLS": _bool(_env("SMTP_STARTTLS")),
        "MAIL_FROM": _env("MAIL_FROM", "Genossenschaft <noreply@example.org>"),
        "BASE_URL": _env("BASE_URL", "http://127.0.0.1:5000"),
        "BABEL_DEFAULT_LOCALE": _env("DEFAULT_LOCALE", "de"),
        "BABEL_DEFAULT_TIMEZONE": _env("TIMEZONE", "Europe/Berlin"),
        "LANGUAGES": ["de", "en"],
        # Number of reverse proxies in front of the app (X-Forwarded-For/-Proto are trusted).
        "PROXY_COUNT": int(_env("PROXY_COUNT", "0") or 0),
        "RATELIMIT_STORAGE_URI": _env("RATELIMIT_STORAGE_URI", "memory://"),
        # How many processes serve the app, for servers other than gunicorn (whose own setting
        # is read at start-up): memory:// rate limits are refused in production with several.
        "WORKERS": int(_env("WORKERS", "0") or 0) or None,
        "RATELIMIT_ENABLED": not _bool(_env("RATELIMIT_DISABLED")),
        # A sliding window: a fixed one would allow twice the attempts around its boundary.
        "RATELIMIT_STRATEGY": "moving-window",
        "RATELIMIT_KEY_PREFIX": "governance",  # a Redis shared with other apps keeps apart
        "LOGIN_LIMIT_PER_ACCOUNT": _env("LOGIN_LIMIT_PER_ACCOUNT", "5 per 15 minutes"),
        "LOGIN_LIMIT_PER_IP": _env("LOGIN_LIMIT_PER_IP", "30 per 15 minutes"),
        "MAGIC_LINK_MAX_AGE": int(_env("MAGIC_LINK_MAX_AGE", "86400") or 86400),
        "INVITATION_LINK_MAX_AGE": int(_env("INVITATION_LINK_MAX_AGE", str(60 * 86400)) or 0),
        "RESET_LINK_MAX_AGE": int(_env("RESET_LINK_MAX_AGE", "3600") or 3600),
        # A request to link an existing account to a member, for its holder to confirm.
        "MEMBER_LINK_MAX_AGE": int(_env("MEMBER_LINK_MAX_AGE", str(14 * 86400)) or 0),
        "SESSION_COOKIE_SECURE": _bool(_env("SECURE_COOKIES", "1" if env == "production" else "0")),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,
        # How many live-state requests per second all open live pages together may cause: with
        # a large audience the pages ask less often (assemblies/live.py, poll_interval).
        "LIVE_REQUESTS_PER_SECOND": int(_env("LIVE_REQUESTS_PER_SECOND", "250") or 250),
        # Per login, all tabs together: the live page asks every 5-30 s and beats every 45 s.
        "LIVE_LIMIT_PER_LOGIN": _env("LIVE_LIMIT_PER_LOGIN", "90 per minute"),
        "HEARTBEAT_LIMIT_PER_LOGIN": _env("HEARTBEAT_LIMIT_PER_LOGIN", "20 per minute"),
        "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,
        "UPLOAD_DIR": _env("UPLOAD_DIR", str(instance_path / "uploads")),
        # The cooperative's statute (Satzung); legal defaults of the GenG.
        "COOP_NAME": _env("COOP_NAME", "Beispiel eG"),
        "COOP_SEAT": _env("COOP_SEAT", "Berlin"),
        "SHARE_VALUE": Decimal(_env("SHARE_VALUE", "64.00") or "64.00"),
        "MIN_SHARES": int(_env("MIN_SHARES", "1") or 1),
        "NOTICE_MONTHS": int(_env("NOTICE_MONTHS", "3") or 3),
        "BUSINESS_YEAR_START_MONTH": int(_env("BUSINESS_YEAR_START_MONTH", "1") or 1),
        "CONVENING_NOTICE_DAYS": int(_env("CONVENING_NOTICE_DAYS", "14") or 14),
        "AGENDA_NOTICE_DAYS": int(_env("AGENDA_NOTICE_DAYS", "7") or 7),
        "MINORITY_QUORUM": Decimal(_env("MINORITY_QUORUM", "0.1") or "0.1"),
        "PROPOSAL_DEADLINE_DAYS": int(_env("PROPOSAL_DEADLINE_DAYS", "10") or 10),
        "ATTACHMENT_MAX_BYTES": int(_env("ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024)) or 0),
        "MAX_PROXIES": 2,
        # The calendar entry's end when the assembly has no voting phase to end it.
        "ASSEMBLY_DURATION_HOURS": int(_env("ASSEMBLY_DURATION_HOURS", "3") or 3),
        "MULTIPLE_VOTES": _bool(_env("MULTIPLE_VOTES")),
        "PUBLISH_CHOICES_DEFAULT": not _bool(_env("TRACKERS_ONLY_DEFAULT")),
        "SCHEMA_CHECK": True,
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
