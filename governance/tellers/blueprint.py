"""The tellers blueprint: the chair's ceremony page (views.py) and the teller's page
(views_teller.py). Loading goes through `governance.tellers.access` (the one gate)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

bp = Blueprint("tellers", __name__, url_prefix="/assemblies")


def json_response(status: int = 200, **body: Any) -> Any:
    """A JSON answer that no cache keeps (the ceremony's state changes by the second)."""
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response
