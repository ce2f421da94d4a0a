"""Upgrades after the first release: the frozen initial migration, the triggers of a migrated
database against the registry (governance/ddl.py), a batch operation that would lose them and
`recreate_triggers` that keeps them, and a populated database migrated from the frozen revision
to head that still passes the audit — on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from flask import Flask
from sqlalchemy import func, select, text
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, SQLModel

from governance import create_app
from governance.accounts.models import User
from governance.assemblies.models import Assembly, AssemblyState
from governance.assemblies.services import close_session
from governance.audit.verify import verify
from governance.ballots.models import Poll, PollState
from governance.ballots.publishing import publish_poll
from governance.ballots.services import close_poll
from governance.db import make_engine, new_session, utcnow
from governance.migrations.helpers import trigger_differences
from governance.migrations.runner import HERE, alembic_config, downgrade, head_revision, upgrade
from governance.minutes import rendering, signing
from governance.minutes.models import Minutes
from governance.minutes.pdf import render_minutes
from tests.databases import empty_database

FROZEN = "0001"
ROOT = Path(__file__).resolve().parents[1]

# A later release widens audit_event.event_type: on SQLite a batch operation, which copies the
# table into a new one and drops the old one with its append-only triggers.
BATCH_REVISION = '''"""widen audit_event.event_type (a test revision)"""

import sqlalchemy as sa
from alembic import op

from governance.migrations.helpers import recreate_triggers

revision = "t_widen_event_type"
down_revision = {head!r}


def upgrade() -> None:
    with op.batch_alter_table("audit_event", recreate="always") as batch:
        batch.alter_column(
            "event_type", existing_type=sa.String(64), type_=sa.String(80), existing_nullable=False
        )
    if {helper}:
        recreate_triggers(op, "audit_event")
'''


@pytest.fixture
def empty_engine(backend: str, tmp_path: Path) -> Iterator[Engine]:
    with empty_database(backend, tmp_path) as url:
        engine = make_engine(url)
        yield engine
        engine.dispose()


def _upgrade_with_test_revision(engine: Engine, tmp_path: Path, *, helper: bool) -> None:
    versions = tmp_path / "test_versions"
    versions.mkdir(exist_ok=True)
    source = BATCH_REVISION.format(head=head_revision(), helper=helper)
    (versions / "t_widen_event_type.py").write_text(source)
    cfg = alembic_config(engine)
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option(
        "version_locations", os.pathsep.join([str(HERE / "versions"), str(versions)])
    )
    command.upgrade(cfg, "heads")


def _differences(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return trigger_differences(conn)


def test_the_triggers_of_a_migrated_database_are_the_registrys(engine):
    assert _differences(engine) == []
    with engine.connect() as conn:  # the comparison sees a trigger gone or changed
        if engine.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER audit_event_no_delete"))
            conn.execute(text("DROP TRIGGER poll_no_delete"))
            conn.execute(
                text("CREATE TRIGGER poll_no_delete BEFORE DELETE ON poll BEGIN SELECT 1; END")
            )
            conn.execute(text("CREATE TRIGGER stray BEFORE DELETE ON member BEGIN SELECT 1; END"))
            changed = "trigger poll_no_delete on poll differs from governance.ddl"
        else:
            conn.execute(text("DROP TRIGGER audit_event_append_only ON audit_event"))
            conn.execute(
                text(
                    "CREATE OR REPLACE FUNCTION poll_seal() RETURNS trigger LANGUAGE plpgsql "
                    "AS $$ BEGIN RETURN NEW; END $$"
                )
            )
            conn.execute(
                text(
                    "CREATE TRIGGER stray BEFORE DELETE ON member FOR EACH ROW "
                    "EXECUTE FUNCTION poll_seal()"
                )
            )
            changed = "trigger poll_seal on poll differs from governance.ddl"
        problems = trigger_differences(conn)
        conn.rollback()
    gone = "audit_event_no_delete" if engine.dialect.name == "sqlite" else "audit_event_append_only"
    assert problems == [
        f"missing trigger {gone} on audit_event",
        "extra trigger stray on member (not in governance.ddl)",
        changed,
    ]
    assert _differences(engine) == []


@pytest.mark.parametrize("helper", [True, False], ids=["recreate_triggers", "without"])
def test_a_batch_operation_keeps_its_triggers_only_with_the_helper(empty_engine, tmp_path, helper):
    upgrade(empty_engine)
    _upgrade_with_test_revision(empty_engine, tmp_path, helper=helper)
    problems = _differences(empty_engine)
    if helper:
        assert problems == []
        with empty_engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO audit_event (seq, occurred_at, actor_label, event_type, "
                    "payload, prev_hash, hash) VALUES (1, '2026-01-01 00:00:00', 'x', "
                    "'a-type-longer-than-sixty-four-characters-to-show-the-column-is-widened', "
                    "'{}', 'p', 'h')"
                )
            )
        with pytest.raises(DBAPIError, match="append-only"), empty_engine.begin() as conn:
            conn.execute(text("DELETE FROM audit_event"))
    elif empty_engine.dialect.name == "sqlite":  # the probe of issue #18
        assert problems == [
            "missing trigger audit_event_no_delete on audit_event",
            "missing trigger audit_event_no_update on audit_event",
        ]
    else:  # recreate="always" copies the table on PostgreSQL too
        assert problems == ["missing trigger audit_event_append_only on audit_event"]


def _counts(engine: Engine) -> dict[str, int]:
    """Rows per table of the models that the database has (a later revision adds tables)."""
    with engine.connect() as conn:
        present = set(sa_inspect(conn).get_table_names())
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in SQLModel.metadata.sorted_tables
            if t.name in present
        }


# Rows a revision creates from existing data: 0010 gives the meetings of the board, the
# supervisory board and the committee their body (the demo has one meeting of each).
MIGRATED = {"body": 3}


def _same_rows(before: dict[str, int], after: dict[str, int]) -> None:
    """Every table kept its rows; the tables a revision added are empty but for the rows it
    migrated from existing data (MIGRATED)."""
    assert {t: after[t] for t in before} == before
    assert {t: after[t] for t in set(after) - set(before)} == {
        t: MIGRATED.get(t, 0) for t in set(after) - set(before)
    }


def _audit_passes(engine: Engine) -> None:
    with new_session(engine) as s:
        report = verify(s)
    assert report.ok, report.failures


def _demo_at_frozen_revision(engine: Engine, tmp_path: Path) -> Flask:
    """The demo cooperative (with a sealed poll and published minutes) in a database at the
    frozen revision: seeded by today's code at head, then migrated down to 0001 (the code of
    0001 is gone; the revisions after it drop only what they added)."""
    upgrade(engine, "head")
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": engine.url.render_as_string(hide_password=False),
            "SECRET_KEY": "test-secret-key",
            "SCHEMA_CHECK": False,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "BABEL_DEFAULT_LOCALE": "en",
        }
    )
    with app.app_context():
        seeded = app.test_cli_runner().invoke(args=["seed-demo"])
    assert seeded.exit_code == 0, seeded.output
    with new_session(engine) as s:  # seal the open election too
        for poll in s.scalars(select(Poll).where(Poll.state == PollState.OPEN)).all():
            close_poll(s, poll=poll, actor=None, now=utcnow())
        s.commit()
    with app.app_context(), new_session(engine) as s:
        _publish_the_minutes(s, app)
        s.commit()
    app.extensions["governance.engine"].dispose()
    downgrade(engine, FROZEN)
    return app


def _publish_the_minutes(s: Session, app: Flask) -> None:
    """Declare the demo's sealed polls, close its assembly in session, render, sign and publish
    its minutes: the database then holds published minutes too."""
    coop = rendering.CoopSettings.from_config(app.config)
    for poll in s.scalars(select(Poll).where(Poll.state == PollState.SEALED)).all():
        publish_poll(s, poll=poll, actor=None, declaration="Festgestellt.", now=utcnow())
    assembly = s.scalars(select(Assembly).where(Assembly.state == AssemblyState.IN_SESSION)).one()
    chair = s.get(User, assembly.chair_user_id)
    close_session(s, assembly=assembly, actor=chair, now=utcnow())
    minutes = s.scalars(select(Minutes).where(Minutes.assembly_id == assembly.id)).one()
    job = rendering.render_now(s, minutes=minutes, actor=None, coop=coop, render=render_minutes)
    board = s.scalars(select(User).where(User.email == "vorstand@demo.example")).one()
    for user in (chair, board):
        signing.approve(s, minutes=minutes, user=user, expected_sha256=job.pdf_sha256, coop=coop)
    supervisor = s.scalars(select(User).where(User.email == "aufsichtsrat@demo.example")).one()
    signing.publish(s, minutes=minutes, user=supervisor, reason="", coop=coop)


def test_a_populated_database_upgrades_from_the_frozen_revision_and_passes_the_audit(
    empty_engine, tmp_path
):
    _demo_at_frozen_revision(empty_engine, tmp_path)
    before = _counts(empty_engine)
    # minutes: the general assembly's, and those of the bodies' meetings (seed_meetings.py);
    # sealed polls: the two of the assembly in session and last year's election
    # (ballots/seed_past_election.py)
    assert before["ballot"] > 0 and before["poll_scrub"] == 3 and before["minutes"] >= 1
    assert before["minutes_version"] == 1  # published minutes
    # (no audit at 0001: today's code reads today's schema; it runs after each upgrade)

    upgrade(empty_engine, "head")  # the releases after the frozen one
    _same_rows(before, _counts(empty_engine))
    _audit_passes(empty_engine)
    assert _differences(empty_engine) == []

    _upgrade_with_test_revision(empty_engine, tmp_path, helper=True)  # and a batch operation
    _same_rows(before, _counts(empty_engine))
    _audit_passes(empty_engine)
    assert _differences(empty_engine) == []


def test_the_frozen_initial_migration_is_never_regenerated(tmp_path):
    initial = HERE / "versions" / "0001_initial.py"
    text_before = initial.read_text()
    assert "FROZEN" in text_before.split('"""')[1]
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "make_initial_migration.py")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 1
    assert "0001_initial.py is frozen" in result.stderr
    assert initial.read_text() == text_before
