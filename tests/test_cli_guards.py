"""`seed-demo` never runs in production and adds nothing to a database in use unless told to
(--force). (`db downgrade` asking first: tests/test_migrations.py, on a database of its own.)"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from governance.accounts.models import User
from governance.auditlog import AuditEvent
from governance.db import new_session
from governance.demo import DEMO_PASSWORD
from governance.register.models import Member


def _counts(engine) -> tuple[int, int, int]:
    with new_session(engine) as s:
        return (
            s.scalar(select(func.count()).select_from(User)),
            s.scalar(select(func.count()).select_from(Member)),
            s.scalar(select(func.count()).select_from(AuditEvent)),
        )


def _one_line_error(result) -> str:
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("Error: ")]
    assert len(lines) == 1, result.output
    return lines[0]


def test_seed_demo_refuses_a_database_with_members(app, engine, make_member):
    make_member()
    before = _counts(engine)
    runner = app.test_cli_runner()
    error = _one_line_error(runner.invoke(args=["seed-demo"]))
    assert "--force" in error
    assert DEMO_PASSWORD not in runner.invoke(args=["seed-demo"]).output
    assert _counts(engine) == before  # no account, no member, no audit event
    quiet = runner.invoke(args=["seed-demo", "--if-empty"])  # `make run`: nothing to do
    assert quiet.exit_code == 0 and "exists already" in quiet.output
    assert _counts(engine) == before
    forced = runner.invoke(args=["seed-demo", "--force"])
    assert forced.exit_code == 0, forced.output
    assert _counts(engine)[1] > before[1]


def test_seed_demo_refuses_a_database_with_users_only(app, engine, make_user):
    make_user()  # e.g. right after `governance create-admin`
    before = _counts(engine)
    assert "--force" in _one_line_error(app.test_cli_runner().invoke(args=["seed-demo"]))
    assert _counts(engine) == before


def test_seed_demo_twice_with_force_is_one_line(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    error = _one_line_error(runner.invoke(args=["seed-demo", "--force"]))
    assert "exists already" in error


@pytest.mark.parametrize("args", [[], ["--if-empty"], ["--force"]])
def test_seed_demo_never_runs_in_production(app, engine, args):
    app.config["ENV_NAME"] = "production"
    result = app.test_cli_runner().invoke(args=["seed-demo", *args])
    assert "production" in _one_line_error(result)
    assert _counts(engine) == (0, 0, 0)
