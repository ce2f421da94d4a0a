"""Validated settings: every GOVERNANCE_* variable has a type and a range; a wrong value stops
the app and the `governance` command with one line naming the variable; README lists them all."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from governance.config import ConfigError, Settings, default_config, load_settings

ROOT = Path(__file__).resolve().parents[1]
INSTANCE = Path("/srv/instance")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    """No GOVERNANCE_* variable of the surrounding shell leaks into a test."""
    for name in list(os.environ):
        if name.startswith("GOVERNANCE_"):
            monkeypatch.delenv(name)


@pytest.mark.parametrize(
    "name, value, words",
    [
        ("SMTP_PORT", "25x", "must be a whole number"),
        ("BUSINESS_YEAR_START_MONTH", "13", "must be between 1 and 12"),
        ("BUSINESS_YEAR_START_MONTH", "0", "must be between 1 and 12"),
        ("SMTP_PORT", "0", "must be between 1 and 65535"),
        ("SMTP_PORT", "65536", "must be between 1 and 65535"),
        ("PROXY_COUNT", "-1", "must be at least 0"),
        ("MIN_SHARES", "0", "must be at least 1"),
        ("ENV", "prod", "must be one of development, production"),
        ("TIMEZONE", "Europe/Berlinn", "must be a time zone"),
        ("TIMEZONE", "../etc/passwd", "must be a time zone"),
        ("MULTIPLE_VOTES", "ja", "must be one of 1, true, yes, on, 0, false, no, off"),
        ("RATELIMIT_DISABLED", "2", "must be one of 1, true"),
        ("PROXY_RELATIVES", "spouse,cousin", "must be a comma-separated list of spouse, partner"),
        ("PROXY_RELATIVES", " , ", "must be a comma-separated list of spouse, partner"),
        ("MINORITY_QUORUM", "1.5", "must be greater than 0 and at most 1"),
        ("MINORITY_QUORUM", "0", "must be greater than 0 and at most 1"),
        ("MINORITY_QUORUM", "zehn Prozent", "must be a number greater than 0"),
        ("SHARE_VALUE", "-64", "must be greater than 0"),
        ("SHARE_VALUE", "NaN", "must be a number greater than 0"),
        ("LOG_FORMAT", "xml", "must be one of plain, json"),
        ("LOG_LEVEL", "LOUD", "must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
        ("DEFAULT_LOCALE", "fr", "must be one of de, en"),
        ("MINUTES_LOCALE", "fr", "must be one of de, en"),
        ("LOGIN_LIMIT_PER_IP", "30 pro Minute", "must be a rate limit"),
        ("LIVE_LIMIT_PER_LOGIN", "many per minute", "must be a rate limit"),
        ("BASE_URL", "abstimmung.example-eg.de", "must be an http:// or https:// URL"),
        ("DATABASE_URL", "mysql://localhost/governance", "must be a sqlite:// or postgresql://"),
        ("RATELIMIT_STORAGE_URI", "redis:/localhost", "must be a storage URI"),
        ("CACHE_URL", "memcached://localhost", "must be empty (a cache per process) or a Redis"),
        ("MAIL_FROM", "noreply", "must be a mail address"),
        ("COOP_NAME", "   ", "must not be blank"),
        ("MINUTES_INLINE_RENDER_MAX", "-5", "must be at least 0"),
        ("MINUTES_RENDER_WORKERS", "0", "must be at least 1"),
    ],
)
def test_a_wrong_value_is_refused_in_one_line_naming_the_variable(monkeypatch, name, value, words):
    monkeypatch.setenv(f"GOVERNANCE_{name}", value)
    with pytest.raises(ConfigError) as info:
        load_settings()
    message = str(info.value)
    assert message.startswith(f"GOVERNANCE_{name} {words}")
    assert message.endswith(f", got {value!r}") and "\n" not in message


def test_the_message_of_the_issue(monkeypatch):
    monkeypatch.setenv("GOVERNANCE_BUSINESS_YEAR_START_MONTH", "13")
    with pytest.raises(ConfigError) as info:
        default_config(INSTANCE)
    assert (
        str(info.value) == "GOVERNANCE_BUSINESS_YEAR_START_MONTH must be between 1 and 12, got '13'"
    )


def test_every_wrong_variable_is_named_on_one_line(monkeypatch):
    monkeypatch.setenv("GOVERNANCE_SMTP_PORT", "0")
    monkeypatch.setenv("GOVERNANCE_ENV", "staging")
    monkeypatch.setenv("GOVERNANCE_MINORITY_QUORUM", "1.5")
    with pytest.raises(ConfigError) as info:
        load_settings()
    message = str(info.value)
    assert "\n" not in message and message.count("; ") == 2
    for name in ("GOVERNANCE_SMTP_PORT", "GOVERNANCE_ENV", "GOVERNANCE_MINORITY_QUORUM"):
        assert name in message


def test_a_refused_url_does_not_show_its_password(monkeypatch):
    monkeypatch.setenv("GOVERNANCE_DATABASE_URL", "mysql://governance:s3cret@db/governance")
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert "s3cret" not in str(info.value) and "governance:***@db" in str(info.value)


def test_good_values_are_read_with_their_types(monkeypatch):
    for name, value in {
        "SMTP_PORT": " 587 ",
        "SMTP_STARTTLS": "Yes",
        "RATELIMIT_DISABLED": "on",
        "TRACKERS_ONLY_DEFAULT": "1",
        "MULTIPLE_VOTES": "false",
        "PROXY_RELATIVES": "Spouse, partner,spouse",
        "SECURE_COOKIES": "off",
        "ENV": "production",
        "LOG_LEVEL": "debug",
        "LOG_FORMAT": "JSON",
        "TIMEZONE": "Europe/Vienna",
        "SHARE_VALUE": "100.50",
        "MINORITY_QUORUM": "1",
        "BUSINESS_YEAR_START_MONTH": "7",
        "WORKERS": "0",
        "DATABASE_URL": "postgresql://governance@127.0.0.1/governance",
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
        "LOGIN_LIMIT_PER_IP": "10 per minute; 100 per day",
        "BASE_URL": "https://abstimmung.example-eg.de",
        "COOP_NAME": "",  # empty: the default
    }.items():
        monkeypatch.setenv(f"GOVERNANCE_{name}", value)
    config = default_config(INSTANCE)
    assert config["SMTP_PORT"] == 587 and config["SMTP_STARTTLS"] is True
    assert config["RATELIMIT_ENABLED"] is False and config["PUBLISH_CHOICES_DEFAULT"] is False
    assert config["MULTIPLE_VOTES"] is False
    assert config["PROXY_RELATIVES"] == ("spouse", "partner")
    assert config["SESSION_COOKIE_SECURE"] is False  # create_app forces it on in production
    assert (config["ENV_NAME"], config["LOG_LEVEL"], config["LOG_FORMAT"]) == (
        "production",
        "DEBUG",
        "json",
    )
    assert config["BABEL_DEFAULT_TIMEZONE"] == "Europe/Vienna"
    assert config["SHARE_VALUE"] == Decimal("100.50") and isinstance(config["SHARE_VALUE"], Decimal)
    assert config["MINORITY_QUORUM"] == Decimal(1)
    assert config["BUSINESS_YEAR_START_MONTH"] == 7 and config["WORKERS"] is None
    assert config["DATABASE_URL"] == "postgresql://governance@127.0.0.1/governance"
    assert config["COOP_NAME"] == "Beispiel eG"


def test_the_minutes_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("GOVERNANCE_MINUTES_INLINE_RENDER_MAX", "50")
    monkeypatch.setenv("GOVERNANCE_MINUTES_LOCALE", "en")
    monkeypatch.setenv("GOVERNANCE_MINUTES_RENDER_WORKERS", "3")
    config = default_config(INSTANCE)
    assert config["MINUTES_INLINE_RENDER_MAX"] == 50
    assert config["MINUTES_LOCALE"] == "en" and config["MINUTES_RENDER_WORKERS"] == 3


# The Flask config as the app read it before the settings were validated, plus the three
# minutes settings that could not be set from the environment then.
DEFAULTS = {
    "ENV_NAME": "development",
    "LOG_FORMAT": "plain",
    "LOG_LEVEL": "INFO",
    "DATABASE_URL": "sqlite:////srv/instance/governance.sqlite3",
    "SECRET_KEY": None,
    "SMTP_HOST": "127.0.0.1",
    "SMTP_PORT": 25,
    "SMTP_USER": None,
    "SMTP_PASSWORD": None,
    "SMTP_STARTTLS": False,
    "MAIL_FROM": "Genossenschaft <noreply@example.org>",
    "BASE_URL": "http://127.0.0.1:5000",
    "BABEL_DEFAULT_LOCALE": "de",
    "BABEL_DEFAULT_TIMEZONE": "Europe/Berlin",
    "LANGUAGES": ["de", "en"],
    "PROXY_COUNT": 0,
    "RATELIMIT_STORAGE_URI": "memory://",
    "CACHE_URL": "",
    "CACHE_PREFIX": "governance",
    "WORKERS": None,
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_STRATEGY": "moving-window",
    "RATELIMIT_KEY_PREFIX": "governance",
    "LOGIN_LIMIT_PER_ACCOUNT": "5 per 15 minutes",
    "LOGIN_LIMIT_PER_IP": "30 per 15 minutes",
    "MAGIC_LINK_MAX_AGE": 86400,
    "INVITATION_LINK_MAX_AGE": 5184000,
    "RESET_LINK_MAX_AGE": 3600,
    "MEMBER_LINK_MAX_AGE": 1209600,
    "ASSEMBLY_DURATION_HOURS": 3,
    "SESSION_COOKIE_SECURE": False,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": None,
    "LIVE_REQUESTS_PER_SECOND": 250,
    "LOAD_SHEDDING": True,
    "LIVE_LIMIT_PER_LOGIN": "90 per minute",
    "HEARTBEAT_LIMIT_PER_LOGIN": "20 per minute",
    "INVALID_BALLOT_LIMIT_PER_LOGIN": "10 per 10 minutes",
    "MAX_CONTENT_LENGTH": 20971520,
    "UPLOAD_DIR": "/srv/instance/uploads",
    "COOP_NAME": "Beispiel eG",
    "COOP_SEAT": "Berlin",
    "SHARE_VALUE": Decimal("64.00"),
    "MIN_SHARES": 1,
    "NOTICE_MONTHS": 3,
    "BUSINESS_YEAR_START_MONTH": 1,
    "CONVENING_NOTICE_DAYS": 14,
    "AGENDA_NOTICE_DAYS": 7,
    "MINORITY_QUORUM": Decimal("0.1"),
    "PROPOSAL_DEADLINE_DAYS": 10,
    "ATTACHMENT_MAX_BYTES": 10485760,
    "MAX_PROXIES": 2,
    "MULTIPLE_VOTES": False,
    "PROXY_RELATIVES": (),
    "PUBLISH_CHOICES_DEFAULT": True,
    "SCHEMA_CHECK": True,
    "METRICS_ENABLED": False,
    "METRICS_TOKEN": None,
    "MINUTES_INLINE_RENDER_MAX": 1000,
    "MINUTES_LOCALE": None,
    "MINUTES_RENDER_WORKERS": None,
}


def test_the_defaults_give_the_config_the_app_used_before():
    config = default_config(INSTANCE)
    assert set(config) == set(DEFAULTS)
    for key, value in DEFAULTS.items():
        assert (key, config[key], type(config[key])) == (key, value, type(value))
    assert str(config["SHARE_VALUE"]) == "64.00"


def test_production_turns_the_secure_cookie_on_by_default(monkeypatch):
    monkeypatch.setenv("GOVERNANCE_ENV", "production")
    assert default_config(INSTANCE)["SESSION_COOKIE_SECURE"] is True


# Keys Flask and its extensions define, or create_app derives (a production rule): not settings.
FRAMEWORK_KEYS = {"TESTING", "BABEL_TRANSLATION_DIRECTORIES", "REMEMBER_COOKIE_SECURE"}


def test_every_config_key_the_code_reads_is_in_the_config():
    read = set()
    for path in (ROOT / "governance").rglob("*.py"):
        text = path.read_text()
        read |= set(
            re.findall(r"(?:config|cfg)(?:\[|\.get\(|\.setdefault\()\s*\"([A-Z_]+)\"", text)
        )
    assert len(read) > 30  # the pattern still finds them
    assert read - FRAMEWORK_KEYS <= set(default_config(INSTANCE))


def test_the_console_command_refuses_a_wrong_variable_in_one_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVERNANCE_")}
    env |= {
        "PYTHONPATH": str(ROOT),
        "GOVERNANCE_INSTANCE_PATH": str(tmp_path / "instance"),
        "GOVERNANCE_BUSINESS_YEAR_START_MONTH": "13",
    }
    done = subprocess.run(
        [sys.executable, "-m", "governance", "db", "current"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "Error: GOVERNANCE_BUSINESS_YEAR_START_MONTH must be between 1 and 12, got '13'"
    ]
    assert done.stdout == ""


# --- the time zone: the live ballot's script takes it from the page --------------------------

SCRIPTS = ROOT / "governance" / "static" / "js"
# An IANA zone name ("Europe/Berlin", "America/Argentina/Buenos_Aires") or a fixed "UTC".
ZONE_NAME = re.compile(
    r"\b(?:Africa|America|Antarctica|Arctic|Asia|Atlantic|Australia|Europe|Indian|Pacific|Etc)"
    r"/\w+|[\"']UTC[\"']"
)


def test_the_live_scripts_name_no_time_zone_of_their_own():
    scripts = sorted(SCRIPTS.glob("*.js"))
    assert SCRIPTS / "live_ballot.js" in scripts
    assert ZONE_NAME.search('timeZone: "Europe/Berlin"')  # the pattern finds one
    for script in scripts:
        found = ZONE_NAME.search(script.read_text())
        assert found is None, f"{script.name} names the time zone {found.group(0)}"
    assert "el.dataset.timeZone" in (SCRIPTS / "live_ballot.js").read_text()


# --- README: the Configuration table lists every setting ---------------------------------------


def _readme_variables() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `GOVERNANCE_")]
    return [re.match(r"\| `(GOVERNANCE_[A-Z_]+)` \|", row).group(1) for row in rows]


def test_the_readme_lists_every_setting_once():
    listed = _readme_variables()
    fields = {f"GOVERNANCE_{name}" for name in Settings.model_fields}
    assert sorted(fields - set(listed)) == [], "missing from README.md's Configuration table"
    assert sorted(set(listed) - fields) == [], "in README.md but not a setting"
    assert len(listed) == len(set(listed))
