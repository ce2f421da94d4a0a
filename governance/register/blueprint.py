"""The register blueprint (views.py: lists and exports; views_actions.py: bookings, members'
changes) and the roles its views share; view modules import this, never each other."""

from __future__ import annotations

from flask import Blueprint

from governance.accounts.models import Role

bp = Blueprint("register", __name__)

READERS = (Role.BOARD, Role.SUPERVISORY_BOARD, Role.SECRETARY)
WRITERS = (Role.BOARD,)
