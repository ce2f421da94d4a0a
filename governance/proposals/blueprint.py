"""The proposals blueprint (views.py: proposals; views_demands.py: minority demands, §45).

View modules import this, never each other; loaders are in `governance.proposals.access`.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("proposals", __name__, url_prefix="/proposals")
