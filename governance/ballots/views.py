"""Views of the ballots domain."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("ballots", __name__)
