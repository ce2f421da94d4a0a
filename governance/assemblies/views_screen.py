"""The screen in the room (projector view): no login, a display token from the cockpit.

Anyone holding the link sees what the room sees anyway; without a valid token the page does
not exist (404), so the assembly's existence is not confirmed either. static/js/room.js
refreshes it from screen.json.
"""

from __future__ import annotations

from typing import Any

from flask import abort, jsonify, render_template

from governance.assemblies import hooks, screen
from governance.assemblies.blueprint import bp, room_labels
from governance.assemblies.models import Assembly
from governance.db import utcnow
from governance.web import db


def _screen_assembly(assembly_id: int, token: str) -> Assembly:
    assembly = db().get(Assembly, assembly_id)
    if assembly is None or not screen.screen_token_valid(assembly, token):
        abort(404)
    return assembly


@bp.route("/<int:assembly_id>/screen/<token>")
def screen_page(assembly_id: int, token: str) -> Any:
    """The projector view: item, speaker and queue, the open poll's turnout, the last result."""
    assembly = _screen_assembly(assembly_id, token)
    payload = screen.screen_payload(db(), assembly=assembly, now=utcnow())
    result = payload.get("result")
    chart = hooks.result_chart(db(), poll_id=result["id"]) if result else None
    response = render_template(
        "assemblies/screen.html",
        assembly=assembly,
        live=payload,
        chart=chart,
        token=token,
        labels=room_labels(),
    )
    return response, 200, {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


@bp.route("/<int:assembly_id>/screen/<token>/screen.json")
def screen_json(assembly_id: int, token: str) -> Any:
    """The screen's state as JSON (polled by room.js)."""
    assembly = _screen_assembly(assembly_id, token)
    response = jsonify(screen.screen_payload(db(), assembly=assembly, now=utcnow()))
    response.headers["Cache-Control"] = "no-store"
    return response
