"""Views of the register domain."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("register", __name__)
