"""The `governance` console command's parts: the session and error helpers every command uses,
the database and mail groups, and the registration of each domain's `commands.py`.

The entry point itself (`main`) is in `governance/__main__.py`, on top of the app factory.
"""

from __future__ import annotations

import importlib
import logging
import sys

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlmodel import Session

from governance import db as dbmod

log = logging.getLogger(__name__)

# Command modules; each exposes `cli` (a click group or command) added under its name, or
# `COMMANDS`, a list of top-level commands.
CLI_MODULES: list[str] = [
    "governance.backup.commands",
    "governance.accounts.commands",
    "governance.register.commands",
    "governance.audit.commands",
    "governance.ballots.commands",
    "governance.minutes.commands",
    "governance.demo",
]


def engine():
    """The app's engine (inside an app context)."""
    return current_app.extensions["governance.engine"]


def cli_session() -> Session:
    """A session for one CLI command; the command commits once at its end."""
    return dbmod.new_session(engine())


def fail(message: str) -> None:
    """Print a one-line error and exit non-zero."""
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


@click.group("db")
def db_group() -> None:
    """Database schema (Alembic migrations)."""


def confirm_or_fail(question: str, *, yes: bool) -> None:
    """Ask before a destructive step (`--yes` answers for a script); no: one line, exit 1."""
    if yes:
        return
    try:
        agreed = click.confirm(question, default=False)
    except click.Abort:  # no terminal to ask (end of input)
        agreed = False
    if not agreed:
        fail("not confirmed, nothing changed (--yes confirms without asking)")


@db_group.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Migrate the database to the newest schema (or REVISION)."""
    from governance.migrations.runner import current_revision, upgrade

    upgrade(engine(), revision)
    click.echo(f"Database schema at {current_revision(engine())}.")


@db_group.command("downgrade")
@click.argument("revision")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def db_downgrade(revision: str, yes: bool) -> None:
    """Migrate the database down to REVISION ('base' empties it): drops tables with their data."""
    from governance.migrations.runner import downgrade

    where = engine().url.render_as_string(hide_password=True)
    confirm_or_fail(
        f"Downgrade the database {where} to {revision}? This drops tables with all their data, "
        "the audit log included, and cannot be undone",
        yes=yes,
    )
    downgrade(engine(), revision)
    click.echo(f"Database schema downgraded to {revision}.")


@db_group.command("current")
@with_appcontext
def db_current() -> None:
    """Show the schema revision of the database and of the code."""
    from governance.migrations.runner import current_revision, head_revision

    click.echo(f"database: {current_revision(engine())}  code: {head_revision()}")


@click.group("mail")
def mail_group() -> None:
    """The mail outbox."""


@mail_group.command("send")
@click.option("--loop", is_flag=True, help="Keep running and send new mail as it is queued.")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between passes.")
@with_appcontext
def mail_send(loop: bool, interval: float) -> None:
    """Deliver due messages from the outbox over SMTP (one pass, or --loop)."""
    from governance.mail import send_due, smtp_settings

    settings = smtp_settings(current_app.config)
    if loop:
        run_worker(("mail",), interval=interval)
    with cli_session() as session:
        sent, failed = send_due(session, settings)
    click.echo(f"sent {sent}, failed attempts {failed}")


def run_worker(kinds: tuple[str, ...], *, interval: float) -> None:
    """The guarded job loop (`governance.jobs`) for `kinds` (all when empty), forever."""
    from governance.jobs import Runner

    runner = Runner(engine(), current_app.config, only=kinds)
    try:
        runner.kinds()
    except LookupError as exc:
        fail(str(exc))
    log.info("worker: %s, every %g s", ", ".join(k.name for k in runner.kinds()), interval)
    runner.run(interval=interval)


@click.command("worker")
@click.option("--loop", is_flag=True, help="Keep running: the service beside the web server.")
@click.option(
    "--only",
    multiple=True,
    help="Run only this kind of job (mail, notify, minutes, scrub, circulars).",
)
@click.option("--interval", default=5.0, show_default=True, help="Seconds between passes.")
@with_appcontext
def worker(loop: bool, only: tuple[str, ...], interval: float) -> None:
    """Run every kind of background job: mail, notifications, minutes rendering, the seal's scrub,
    concluding circular resolutions past their deadline."""
    from governance.jobs import Runner

    if loop:
        run_worker(only, interval=interval)
    runner = Runner(engine(), current_app.config, only=only)
    try:
        report = runner.run_once(interval)
    except LookupError as exc:
        fail(str(exc))
        return
    for kind, done in report.items():
        click.echo(f"{kind}: {done}")
    if any(isinstance(done, str) for done in report.values()):
        raise SystemExit(1)


def register_cli(app: Flask) -> None:
    """Attach every command group to the app's CLI."""
    for cmd in (db_group, mail_group, worker):
        app.cli.add_command(cmd)
    for path in CLI_MODULES:
        module = importlib.import_module(path)
        for command in getattr(module, "COMMANDS", None) or [module.cli]:
            app.cli.add_command(command)
