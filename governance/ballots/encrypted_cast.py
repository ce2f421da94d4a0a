"""Casting in a poll with a key: encrypted ballots (docs/coopvote.md, encrypted-ballots.md).

A poll with a key (encrypted ballots, docs/coopvote.md) takes one wire ballot per vote, encrypted
in the voter's browser: `check_encrypted` verifies every ballot's encodings and proofs before the
lock (the expensive part), `cast_encrypted` then re-checks only the poll, the participation rules
and the number of ballots, claims every α in `ballot_alpha` (its primary key refuses an α the
poll has already), and stores each ballot with an empty choice, its wire text in `cipher` and its
hash as tracker (a copy hits the primary key).
The plaintext choice never reaches the server: nothing here sees, logs or stores one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_ngettext
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from governance import coopvote as cv
from governance.ballots.casting import (
    Receipt,
    begin_write,
    check_open,
    lock_for_cast,
    participate,
)
from governance.ballots.encryption import poll_key
from governance.ballots.models import Ballot, BallotAlpha, Poll
from governance.db import is_sqlite
from governance.errors import DomainError
from governance.i18n import _l

# A member's ballots in one cast: one per vote (MULTIPLE_VOTES, §43(3) GenG allows at most 3).
MAX_BALLOTS = 10


COPY = _l("This encrypted ballot has been cast already; a copy is refused.")


class InvalidBallot(DomainError):
    """An encrypted ballot failed its checks (rate-limited per login by the view)."""


@dataclass(frozen=True)
class CheckedBallots:
    """The encrypted ballots of one cast, verified (before the lock) for the poll `poll_uuid`."""

    poll_uuid: str
    ballots: tuple[cv.Ballot, ...]


def check_encrypted(session: Session, *, poll: Poll, wires: Sequence[str]) -> CheckedBallots:
    """Verify every wire ballot of one cast: canonical encodings, points, scalars and every
    proof against the poll's key; distinct α across them. Run before taking the write lock."""
    if not poll.is_encrypted:
        raise DomainError(_l("This poll takes no encrypted ballots."))
    if not 1 <= len(wires) <= MAX_BALLOTS:
        raise InvalidBallot(_l("The encrypted ballot is missing or there are too many."))
    key = poll_key(session, poll)
    checked = []
    for wire in wires:
        try:
            checked.append(cv.check_ballot(key, wire))
        except Exception as exc:  # cv.Invalid, or any library error: invalid, never a 500
            raise InvalidBallot(
                _l("The encrypted ballot is not valid and was not stored (%(why)s).", why=str(exc))
            ) from exc
    alphas = [a for b in checked for a in b.alphas]
    if len(set(alphas)) != len(alphas):
        raise InvalidBallot(_l("These encrypted ballots share a ciphertext; none was stored."))
    return CheckedBallots(poll.uuid, tuple(checked))


def cast_encrypted(
    session: Session,
    *,
    poll_id: int,
    member_id: int,
    actor: Any,
    checked: CheckedBallots,
    now: datetime,
) -> Receipt:
    """Record that `member_id` voted and store their checked encrypted ballots; the caller
    commits. The proofs were verified before (check_encrypted): only the rules are left."""
    begin_write(session)
    poll, assembly = lock_for_cast(session, poll_id=poll_id)
    check_open(poll, now)
    if not poll.is_encrypted or poll.uuid != checked.poll_uuid:
        raise DomainError(_l("This poll takes no encrypted ballots."))
    weight = participate(session, poll, assembly, member_id, actor, now)
    needed = weight if poll.weighted else 1
    if len(checked.ballots) != needed:
        raise InvalidBallot(
            lazy_ngettext(
                "This vote takes %(num)d encrypted ballot.",
                "This vote takes %(num)d encrypted ballots, one per vote.",
                needed,
            )
        )
    trackers = tuple(bytes.fromhex(b.tracker) for b in checked.ballots)
    if session.execute(select(Ballot.tracker).where(Ballot.tracker.in_(trackers))).first():
        raise InvalidBallot(COPY)
    _claim_alphas(session, poll.id or 0, checked)
    _insert_encrypted(session, poll.id or 0, checked)
    return Receipt(poll_id=poll.id or 0, member_id=member_id, trackers=trackers)


def _claim_alphas(session: Session, poll_id: int, checked: CheckedBallots) -> None:
    """All α of a poll are distinct (docs/coopvote.md): each α is claimed in ballot_alpha,
    whose primary key (poll, α) refuses one in the poll already, also when two casts send it
    at the same instant (the second waits for the first and then finds it)."""
    dialect_insert = sqlite.insert if is_sqlite(session) else postgresql.insert
    stmt = dialect_insert(BallotAlpha.__table__).on_conflict_do_nothing(
        index_elements=["poll_id", "alpha"]
    )
    rows = [{"poll_id": poll_id, "alpha": a} for b in checked.ballots for a in b.alphas]
    claimed = session.execute(stmt.returning(BallotAlpha.__table__.c.alpha), rows).all()
    if len(claimed) != len(rows):
        raise InvalidBallot(
            _l("A ciphertext of this ballot is in the ballot box already; it was not stored.")
        )


def _insert_encrypted(session: Session, poll_id: int, checked: CheckedBallots) -> None:
    """INSERT … ON CONFLICT DO NOTHING: fewer rows than ballots means a copy (same tracker)."""
    dialect_insert = sqlite.insert if is_sqlite(session) else postgresql.insert
    stmt = dialect_insert(Ballot.__table__).on_conflict_do_nothing(index_elements=["tracker"])
    rows = [
        {"tracker": bytes.fromhex(b.tracker), "poll_id": poll_id, "choice": "", "cipher": b.wire}
        for b in checked.ballots
    ]
    stored = session.execute(stmt.returning(Ballot.__table__.c.tracker), rows).all()
    if len(stored) != len(rows) or len(set(r["tracker"] for r in rows)) != len(rows):
        raise InvalidBallot(COPY)
