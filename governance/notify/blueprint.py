"""The notify blueprint: a user's notifications and their choice of optional mails."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("notify", __name__, url_prefix="/notifications")
