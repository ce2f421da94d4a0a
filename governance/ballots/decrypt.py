"""The tellers' decryption of a sealed encrypted poll (docs/coopvote.md, "Counting").

The seal stored the homomorphic sums of the box (`Poll.sums`). Each teller's page downloads
the sealed ballots, checks them against the seal's Merkle root, computes the sums itself and
posts its partial decryptions with proofs. `post_share` checks them against the stored sums
and the teller's public share Y_j (derived from the ceremony's round-1 entries, never taken
from the request) and stores them, append-only. Once t valid shares are in, `combine` gives
the counts per option; fewer never give a result. A poll without ballots needs no tellers:
every count is 0.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from governance import coopvote
from governance.assemblies.models import Assembly
from governance.auditlog import record_event
from governance.ballots.encryption import definition_for, poll_key
from governance.ballots.models import Ballot, DecryptionShare, Poll, PollState
from governance.ballots.recheck import expected_ballots
from governance.errors import DomainError
from governance.i18n import _l
from governance.tellers.models import KeyCeremony, Teller


class AwaitingDecryption(DomainError):
    """The poll's result is not known before t tellers have decrypted its sums."""


@dataclass(frozen=True)
class DecryptionStatus:
    """How far the decryption of an encrypted poll is: t needed, which tellers posted."""

    needed: int
    posted: tuple[int, ...]
    ballots: int

    @property
    def complete(self) -> bool:
        return self.ballots == 0 or len(self.posted) >= self.needed


def ballot_count(session: Session, *, poll_id: int) -> int:
    """Ballots in the poll's box."""
    return int(session.scalar(select(func.count()).where(Ballot.poll_id == poll_id)) or 0)


def ceremony_of(session: Session, poll: Poll) -> KeyCeremony:
    """The key ceremony whose key encrypts the poll."""
    ceremony = session.get(KeyCeremony, poll.ceremony_id) if poll.ceremony_id else None
    if ceremony is None:
        raise DomainError(_l("This poll is not encrypted."))
    return ceremony


def teller_of(session: Session, *, poll: Poll, user_id: int | None) -> Teller | None:
    """The user as a teller of the poll's key ceremony, or None."""
    if poll.ceremony_id is None or user_id is None:
        return None
    return session.scalar(
        select(Teller).where(Teller.ceremony_id == poll.ceremony_id, Teller.user_id == user_id)
    )


def _entries(session: Session, ceremony_id: int) -> dict[int, dict[str, Any]]:
    tellers = session.scalars(select(Teller).where(Teller.ceremony_id == ceremony_id))
    return {t.idx: json.loads(t.round1) for t in tellers if t.round1}


def _stored(session: Session, poll_id: int) -> list[DecryptionShare]:
    return list(
        session.scalars(
            select(DecryptionShare)
            .where(DecryptionShare.poll_id == poll_id)
            .order_by(DecryptionShare.teller_idx)
        )
    )


def status(session: Session, *, poll: Poll) -> DecryptionStatus:
    """The decryption's progress (the shares were checked when they were posted)."""
    assert poll.id is not None
    ceremony = ceremony_of(session, poll)
    return DecryptionStatus(
        needed=ceremony.t,
        posted=tuple(s.teller_idx for s in _stored(session, poll.id)),
        ballots=ballot_count(session, poll_id=poll.id),
    )


def sealed_box(session: Session, *, poll: Poll) -> dict[str, Any]:
    """What a teller's page checks and decrypts: the poll's context, ballots, root and count."""
    assert poll.id is not None and poll.seal_root is not None
    ceremony = ceremony_of(session, poll)
    assembly = session.get(Assembly, poll.assembly_id)
    assert assembly is not None
    rows = session.execute(
        select(Ballot.tracker, Ballot.cipher)
        .where(Ballot.poll_id == poll.id)
        .order_by(Ballot.tracker)
    )
    return {
        "poll_id": poll.id,
        "title": poll.title,
        "ctx": {
            "ceremony": ceremony.uuid,
            "Y": ceremony.public_key,
            "assembly": assembly.uuid,
            "poll": poll.uuid,
            "definition": definition_for(session, poll),
        },
        "t": ceremony.t,
        "n": ceremony.n,
        "root": poll.seal_root,
        "count": expected_ballots(session, poll=poll),
        "ballots": [[bytes(t).hex(), c] for t, c in rows],
    }


def _check(
    session: Session, poll: Poll, ceremony: KeyCeremony, j: int, wire: Any
) -> list[list[Any]]:
    """The teller's partial decryptions as checked values, or DomainError."""
    key = poll_key(session, poll)
    entries = _entries(session, ceremony.id or 0)
    sums = coopvote.sums_from_json(poll.sums or "null")
    try:
        y_j = coopvote.public_share(entries, j)
        return coopvote.check_partial(key, j, y_j, sums, wire)
    except (ValueError, RuntimeError, TypeError, KeyError) as exc:  # Invalid is a ValueError
        raise DomainError(
            _l("The partial decryption of teller %(j)d is not valid: %(why)s", j=j, why=str(exc))
        ) from exc


def post_share(
    session: Session, *, poll: Poll, teller: Teller, wire: Any, actor: Any
) -> DecryptionStatus:
    """Check and store teller j's partial decryptions of the sealed poll's sums."""
    assert poll.id is not None
    if poll.state != PollState.SEALED or not poll.is_encrypted:
        raise DomainError(_l("Only a sealed encrypted poll awaits decryption."))
    ceremony = ceremony_of(session, poll)
    if teller.ceremony_id != ceremony.id:
        raise DomainError(_l("You are not a teller of this poll's key."))
    if poll.sums is None:  # the seal stores no sums for an empty box
        raise DomainError(_l("This poll has no ballots: there is nothing to decrypt."))
    if session.get(DecryptionShare, (poll.id, teller.idx)) is not None:
        raise DomainError(_l("Your partial decryption of this poll is in already."))
    _check(session, poll, ceremony, teller.idx, wire)
    text = json.dumps(wire, separators=(",", ":"))
    session.add(DecryptionShare(poll_id=poll.id, teller_idx=teller.idx, shares=text))
    session.flush()
    now = status(session, poll=poll)
    _event(session, poll, "poll.decryption_share", actor, teller=teller.idx, shares=wire)
    if now.complete and len(now.posted) == now.needed:
        counts = decrypted_counts(session, poll=poll)
        _event(session, poll, "poll.decrypted", actor, tellers=list(now.posted), counts=counts)
    return now


def decrypted_counts(session: Session, *, poll: Poll) -> list[list[int]]:
    """The online counts per question and option, or AwaitingDecryption (fewer than t shares)."""
    assert poll.id is not None
    count = ballot_count(session, poll_id=poll.id)
    if count == 0:
        return [[0] * k for k in definition_for(session, poll)["questions"]]
    ceremony = ceremony_of(session, poll)
    if poll.sums is None:
        raise AwaitingDecryption(_l("The ballot box is not sealed yet."))
    valid: dict[int, list[list[Any]]] = {}
    for share in _stored(session, poll.id):
        try:  # checked again: a row written straight into the database does not count
            wire = json.loads(share.shares)
            valid[share.teller_idx] = _check(session, poll, ceremony, share.teller_idx, wire)
        except (DomainError, ValueError):
            continue
        if len(valid) == ceremony.t:
            break
    if len(valid) < ceremony.t:
        raise AwaitingDecryption(waiting_text(len(valid), ceremony.t))
    sums = coopvote.sums_from_json(poll.sums)
    try:
        return coopvote.combine(sums, valid, count)
    except (ValueError, RuntimeError) as exc:
        raise DomainError(
            _l("The decryption does not give a count: %(why)s", why=str(exc))
        ) from exc


def waiting_text(posted: int, needed: int) -> str:
    """The progress, e.g. "waiting for decryption by the tellers: 1 of 2"."""
    return _l("waiting for decryption by the tellers: %(k)d of %(t)d", k=posted, t=needed)


def _event(session: Session, poll: Poll, event_type: str, actor: Any, **payload: Any) -> None:
    record_event(
        session,
        event_type=event_type,
        actor=actor,
        object_type="poll",
        object_id=poll.id,
        assembly_id=poll.assembly_id,
        payload={"poll_id": poll.id, **payload},
    )
