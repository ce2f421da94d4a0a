"""Views of the minutes domain."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("minutes", __name__)
