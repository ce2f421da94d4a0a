"""A demo cooperative: one user per role, and each domain's demo data."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlmodel import Session

from governance.accounts.models import STORED_ROLES, Role, User
from governance.accounts.services import count_users, create_user
from governance.cli import cli_session, fail
from governance.errors import DomainError
from governance.register.models import Member

DEMO_PASSWORD = "demo-passwort"  # noqa: S105  (printed for the demo on purpose)

# Each module exposes seed_demo(session, ctx: DemoContext) and runs in this order.
SEEDERS: list[str] = [
    "governance.register.seed",
    "governance.bodies.seed",
    "governance.bodies.seed_rooms",
    "governance.assemblies.seed",
    "governance.ballots.seed",
    "governance.minutes.seed",
    "governance.ballots.seed_past_election",
    # after the bodies' seeder (governance.bodies.seed): meetings of the bodies
    "governance.minutes.seed_meetings",
    "governance.bodies.seed_circulars",
    # last: the seats elected at the past general assembly (the chairs are seated before)
    "governance.bodies.seed_offers",
]


@dataclass
class DemoLogins:
    password: str
    users: list[tuple[str, str]]


@dataclass
class DemoContext:
    """What the seeders share: the demo users by role and the app configuration."""

    users: dict[Role, User]
    config: Mapping[str, Any]
    extra: dict[str, Any] = field(default_factory=dict)


DEMO_USERS = [
    (Role.ADMIN, "admin@demo.example", "Ada Admin"),
    (Role.BOARD, "vorstand@demo.example", "Viktoria Vorstand"),
    (Role.SUPERVISORY_BOARD, "aufsichtsrat@demo.example", "Anton Aufsichtsrat"),
    (Role.SECRETARY, "schriftfuehrung@demo.example", "Sabine Schriftführerin"),
    (Role.MEMBER, "mitglied@demo.example", "Max Mitglied"),
]


def seed(session: Session, *, only_if_empty: bool, config: Mapping[str, Any]) -> DemoLogins | None:
    """Create the demo cooperative; None when `only_if_empty` and users exist."""
    if only_if_empty and count_users(session) > 0:
        return None
    users: dict[Role, User] = {}
    for role, email, name in DEMO_USERS:
        # The demo board and supervisory board hold their roles through their seats
        # (governance/bodies/seed.py seats their members); the other roles are stored.
        roles = [role] if role == Role.ADMIN else sorted({role, Role.MEMBER} & set(STORED_ROLES))
        users[role] = create_user(
            session, email=email, password=DEMO_PASSWORD, roles=roles, display_name=name
        )
    ctx = DemoContext(users=users, config=config)
    for path in SEEDERS:
        importlib.import_module(path).seed_demo(session, ctx)
    return DemoLogins(DEMO_PASSWORD, [(r.value, e) for r, e, _n in DEMO_USERS])


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when users or members exist.")
@click.option("--force", is_flag=True, help="Add the demo data even though users or members exist.")
@with_appcontext
def cli(if_empty: bool, force: bool) -> None:
    """Create a demo cooperative and print the demo logins (never in production)."""
    if current_app.config["ENV_NAME"] == "production":
        fail(
            "seed-demo refuses to run in production (GOVERNANCE_ENV=production): demo accounts "
            "with a published password and demo data do not belong in a real register"
        )
    with cli_session() as session:
        if _has_data(session):
            if if_empty:
                click.echo("Demo data exists already.")
                return
            if not force:
                fail(
                    "the database has users or members already: seed-demo would add demo "
                    "accounts with a published password and demo data to the register and its "
                    "audit log (--force to do so anyway)"
                )
        try:
            logins = seed(session, only_if_empty=False, config=current_app.config)
        except DomainError as exc:
            fail(str(exc.message))
        session.commit()
    assert logins is not None
    click.echo(f"Demo logins (password for all: {logins.password}):")
    for role, email in logins.users:
        click.echo(f"  {role:<18} {email}")


def _has_data(session: Session) -> bool:
    """Whether the database holds any user or member (then it is not a fresh demo)."""
    return count_users(session) > 0 or session.scalar(select(Member.id).limit(1)) is not None
