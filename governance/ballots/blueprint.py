"""The ballots blueprint and what its view modules share (they import this, never each other).

Views: views.py (polls of an assembly, preparing, opening and closing), views_vote.py (voting),
views_box.py (the ballot box, the results), views_count.py (paper counts, the declaration, the audit page),
views_decrypt.py (a teller's decryption of a sealed encrypted poll).
Loaders go through the one gate: `governance.ballots.access`.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, request, url_for

from governance.ballots import choices as ch
from governance.ballots.forms import ANSWER_LABELS, MOTION_LABELS
from governance.ballots.models import Poll, PollOption
from governance.i18n import _

bp = Blueprint("ballots", __name__, url_prefix="/polls")


def to_poll(poll: Poll) -> Any:
    """Redirect to the poll's page, or back to the chair's cockpit (`?back=cockpit`)."""
    if request.args.get("back") == "cockpit":
        return redirect(url_for("assemblies.cockpit", assembly_id=poll.assembly_id))
    return redirect(url_for("ballots.poll", poll_id=poll.id))


def describe(choice: str, shape: ch.Shape, options: list[PollOption]) -> str:
    """A choice in words, e.g. "Yes" or "Anna: Yes, Ben: No"."""
    meaning = ch.decode(shape, choice)
    names = {o.id: o.label for o in options}
    if meaning is None:
        return _("invalid")
    if meaning == ch.ABSTAIN or isinstance(meaning, str):
        return str(MOTION_LABELS.get(str(meaning), meaning))
    if isinstance(meaning, dict):
        return ", ".join(f"{names[k]}: {ANSWER_LABELS[v]}" for k, v in meaning.items())
    return ", ".join(names[k] for k in sorted(meaning, key=lambda k: shape.option_ids.index(k)))
