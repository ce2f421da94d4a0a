"""A demo cooperative: one user per role, and each domain's demo data."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from governance.accounts.models import Role, User
from governance.accounts.services import count_users, create_user

DEMO_PASSWORD = "demo-passwort"  # noqa: S105  (printed for the demo on purpose)

# Each module exposes seed_demo(session, ctx: DemoContext) and runs in this order.
SEEDERS: list[str] = [
    "governance.register.seed",
    "governance.assemblies.seed",
    "governance.ballots.seed",
    "governance.minutes.seed",
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
        roles = [role] if role == Role.ADMIN else [role, Role.MEMBER]
        users[role] = create_user(
            session, email=email, password=DEMO_PASSWORD, roles=roles, display_name=name
        )
    ctx = DemoContext(users=users, config=config)
    for path in SEEDERS:
        importlib.import_module(path).seed_demo(session, ctx)
    return DemoLogins(DEMO_PASSWORD, [(r.value, e) for r, e, _n in DEMO_USERS])
