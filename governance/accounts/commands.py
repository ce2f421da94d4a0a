"""`governance create-admin`: the first administrator of a new installation."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from governance.accounts.models import Role
from governance.accounts.services import create_user, grant_role, user_by_email
from governance.cli import cli_session, fail
from governance.errors import DomainError


@click.command("create-admin")
@click.option("--email", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@with_appcontext
def cli(email: str, password: str) -> None:
    """Create a user with the ADMIN role (or give an existing user that role)."""
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
