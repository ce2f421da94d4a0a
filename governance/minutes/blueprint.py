"""The minutes blueprint (the minutes' workspace, PDFs, approvals and publication); view modules import this, never each other."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("minutes", __name__)
