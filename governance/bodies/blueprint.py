"""The bodies blueprint: body pages, seats (views.py), meetings, circulars and rooms
(views_*.py). Loading goes through `governance.bodies.access` (the one gate of a body)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("bodies", __name__, url_prefix="/bodies")
