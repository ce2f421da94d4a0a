"""The audit blueprint (the audit log, verification and the auditor's bundles); view modules import this, never each other."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("audit", __name__, url_prefix="/audit")
