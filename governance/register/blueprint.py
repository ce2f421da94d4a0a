"""The register blueprint (views.py: lists and exports; views_actions.py: bookings, members'
changes) and the roles its views share; view modules import this, never each other."""

from __future__ import annotations

from flask import Blueprint, current_app

from governance.accounts.models import Role, User

bp = Blueprint("register", __name__)

READERS = (Role.BOARD, Role.SUPERVISORY_BOARD, Role.SECRETARY)
WRITERS = (Role.BOARD,)


def mail_locale(user: User | None) -> str:
    """The language of a mail to `user`: their own, else the cooperative's default."""
    chosen = getattr(user, "locale", None)
    if chosen in current_app.config["LANGUAGES"]:
        return str(chosen)
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])
