"""The `governance` console command: a Flask CLI group with every operator job."""

from __future__ import annotations

import importlib
import sys

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlmodel import Session

from governance import db as dbmod

# Domain command groups; each module exposes `cli` (a click.Group) added under its name.
CLI_MODULES: list[str] = [
    "governance.register.commands",
    "governance.audit.commands",
    "governance.ballots.commands",
    "governance.minutes.commands",
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
@with_appcontext
def db_downgrade(revision: str) -> None:
    """Migrate the database down to REVISION ('base' empties it)."""
    from governance.migrations.runner import downgrade

    downgrade(engine(), revision)
    click.echo(f"Database schema downgraded to {revision}.")


@db_group.command("current")
@with_appcontext
def db_current() -> None:
    """Show the schema revision of the database and of the code."""
    from governance.migrations.runner import current_revision, head_revision

    click.echo(f"database: {current_revision(engine())}  code: {head_revision()}")


@click.command("create-admin")
@click.option("--email", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@with_appcontext
def create_admin(email: str, password: str) -> None:
    """Create a user with the ADMIN role (or give an existing user that role)."""
    from governance.accounts.models import Role
    from governance.accounts.services import create_user, grant_role, user_by_email
    from governance.errors import DomainError

    with cli_session() as session:
        try:
            user = user_by_email(session, email)
            if user is None:
                user = create_user(session, email=email, password=password, roles=[Role.ADMIN])
            else:
                grant_role(session, user=user, role=Role.ADMIN, actor=None)
            session.commit()
        except DomainError as exc:
            fail(str(exc))
    click.echo(f"Admin {email} ready.")


@click.group("mail")
def mail_group() -> None:
    """The mail outbox."""


@mail_group.command("send")
@click.option("--loop", is_flag=True, help="Keep running and send new mail as it is queued.")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between passes.")
@with_appcontext
def mail_send(loop: bool, interval: float) -> None:
    """Deliver due messages from the outbox over SMTP (one pass, or --loop)."""
    from governance.mail import run_worker, send_due, smtp_settings

    settings = smtp_settings(current_app.config)
    if loop:
        run_worker(cli_session, settings, interval=interval)
    with cli_session() as session:
        sent, failed = send_due(session, settings)
    click.echo(f"sent {sent}, failed attempts {failed}")


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when users exist already.")
@with_appcontext
def seed_demo(if_empty: bool) -> None:
    """Create a demo cooperative and print the demo logins."""
    from governance.demo import seed

    with cli_session() as session:
        logins = seed(session, only_if_empty=if_empty, config=current_app.config)
        session.commit()
    if logins is None:
        click.echo("Demo data exists already.")
        return
    click.echo(f"Demo logins (password for all: {logins.password}):")
    for role, email in logins.users:
        click.echo(f"  {role:<18} {email}")


def register_cli(app: Flask) -> None:
    """Attach every command group to the app's CLI."""
    for cmd in (db_group, create_admin, mail_group, seed_demo):
        app.cli.add_command(cmd)
    for path in CLI_MODULES:
        module = importlib.import_module(path)
        app.cli.add_command(module.cli)


def _make_app() -> Flask:
    from governance import create_app

    # `governance db ...` is how the operator fixes an outdated schema: do not warn there.
    return create_app({"SCHEMA_CHECK": sys.argv[1:2] != ["db"]})


main = FlaskGroup(create_app=_make_app, help="Operate the governance app.")
