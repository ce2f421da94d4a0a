"""What the pages of a secret poll with a key show and hand to encrypted_ballot.js: the poll's
key context, each voter's number of ballots, the script's texts, and (a template global on every
page showing a secret poll) how its secrecy is protected. Used by views_vote.py.
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from sqlalchemy import select

from governance import coopvote as cv
from governance.assemblies.models import RollEntry
from governance.ballots.blueprint import bp
from governance.ballots.encryption import ceremony_of
from governance.ballots.models import Poll
from governance.ballots.provides import key_context
from governance.i18n import _
from governance.web import db


def encrypted_context(poll: Poll, voter_ids: list[int]) -> dict[str, Any]:
    """What encrypted_ballot.js needs: the poll's key context, how many ballots each voter
    casts (one per vote when votes are weighted), the option order and the cast URL."""
    rows = db().execute(
        select(RollEntry.member_id, RollEntry.weight).where(
            RollEntry.assembly_id == poll.assembly_id, RollEntry.member_id.in_(voter_ids)
        )
    )
    weights = {int(m): int(w) for m, w in rows}
    return {
        "ctx": key_context(db(), poll),
        "ballots": {str(m): int(weights.get(m, 1)) if poll.weighted else 1 for m in voter_ids},
        "cast_url": url_for("ballots.cast", poll_id=poll.id),
        "worker_url": url_for("static", filename="js/coopvote-worker.js"),
        "labels": encrypted_labels(),
    }


def encrypted_labels() -> dict[str, str]:
    """The texts encrypted_ballot.js shows (the live page has the same, views_live.py)."""
    return {
        "encrypting": _("Encrypting your ballot …"),
        "pre_tracker": _("Tracker of this encrypted ballot (write it down):"),
        "check": _("Check this ballot"),
        "checked": _(
            "This ballot was not cast. It contained: %(choice)s. Download its check file and "
            "check it with software that does not come from this server (verify_bundle.py "
            "audit FILE). A new ballot has been encrypted with fresh randomness."
        ),
        "download": _("Download the check file"),
        "no_crypto": _(
            "This browser cannot encrypt the ballot. Please vote on paper in the room instead."
        ),
        "encrypt_failed": _("The ballot could not be encrypted. Please reload the page."),
        "required": _("Please choose an answer."),
        "ABSTAIN": _("Abstain"),
    }


@bp.app_template_global("poll_protection")
def poll_protection(poll: Poll) -> str | None:
    """How a secret poll's secrecy is protected, for every page that shows it; None if named."""
    if not poll.secret:
        return None
    ceremony = ceremony_of(db(), poll)
    if ceremony is None or not ceremony.key_fingerprint:
        return _("secrecy protected by the server")
    return _("encrypted – key fingerprint %(fp)s", fp=cv.group4(ceremony.key_fingerprint))
