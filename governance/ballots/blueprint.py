"""The ballots blueprint and what its view modules share (they import this, never each other).

Views: views.py (polls of an assembly, preparing, opening and closing), views_vote.py (voting,
the ballot box, results), views_count.py (paper counts, the declaration, the audit page),
views_decrypt.py (a teller's decryption of a sealed encrypted poll).
Loaders go through the one gate: `governance.ballots.access`.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, request, url_for

from governance.ballots.models import Poll

bp = Blueprint("ballots", __name__, url_prefix="/polls")


def to_poll(poll: Poll) -> Any:
    """Redirect to the poll's page, or back to the chair's cockpit (`?back=cockpit`)."""
    if request.args.get("back") == "cockpit":
        return redirect(url_for("assemblies.cockpit", assembly_id=poll.assembly_id))
    return redirect(url_for("ballots.poll", poll_id=poll.id))
