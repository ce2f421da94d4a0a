"""Re-verifying an encrypted ballot box before its seal (docs/coopvote.md, "Counting").

The cast checks every ballot, but a row can also be written straight into the database. So
the seal checks the box again as a whole, from the rows alone: every ballot parses, its bytes
are canonical, every proof verifies under the poll's key (`coopvote.check_ballot`), its
tracker is the hash of its ciphertexts, every α of the poll is distinct, and the number of
ballots is the number of votes cast online (one per participation, or the member's weight in
a weighted poll; paper ballots in the room have none). Any failure refuses the seal and names
the trackers. A large box is checked by worker processes (about 3 ms a motion ballot, one
process per core); the sums the tellers decrypt are computed from the checked ciphertexts.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from multiprocessing.context import BaseContext
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from governance import coopvote
from governance.assemblies.models import Channel, RollEntry
from governance.ballots.encryption import poll_key
from governance.ballots.models import Ballot, Participation, Poll
from governance.errors import DomainError
from governance.i18n import _l

PARALLEL_FROM = 400  # ballots; below, starting worker processes costs more than it saves
CHUNK = 250
SHOW = 5  # trackers named in a refusal


@dataclass(frozen=True)
class Checked:
    """The outcome for one ballot row: its α values (to find copies), or why it failed."""

    tracker: str
    alphas: list[bytes] | None
    error: str | None


Sums = list[list[tuple[bytes, bytes]]]


def check_row(key: coopvote.PollKey, tracker: str, cipher: str | None) -> coopvote.Ballot | str:
    """One ballot row checked: the ballot, or why it fails."""
    if cipher is None:
        return "no ciphertext"
    try:
        ballot = coopvote.check_ballot(key, cipher)
    except (ValueError, RuntimeError, TypeError) as exc:  # Invalid is a ValueError
        return f"invalid ({exc})"
    if ballot.wire != cipher:
        return "not in canonical encoding"
    if _hex(ballot.tracker) != tracker:
        return "tracker is not the hash of the ballot"
    return ballot


def check_chunk(
    key: coopvote.PollKey, rows: list[tuple[str, str | None]]
) -> tuple[list[Checked], Sums | None]:
    """Check rows and add up the valid ones (runs in a worker process: top-level)."""
    checked, valid = [], []
    for tracker, cipher in rows:
        outcome = check_row(key, tracker, cipher)
        if isinstance(outcome, str):
            checked.append(Checked(tracker, None, outcome))
        else:
            checked.append(Checked(tracker, outcome.alphas, None))
            valid.append(outcome.ciphertexts)
    return checked, coopvote.ballot_sums(key.definition, valid)


def _hex(value: Any) -> str:
    return value.hex() if isinstance(value, bytes | bytearray | memoryview) else str(value)


def check_rows(
    key: coopvote.PollKey, rows: Sequence[tuple[str, str | None]], *, workers: int | None = None
) -> tuple[list[Checked], Sums | None]:
    """Check every row and sum the valid ones, in worker processes when there are many (each
    sums its chunk; a chunk's sums have a ballot's shape, so they add up as ballots do)."""
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if workers < 2 or len(rows) < PARALLEL_FROM:
        return check_chunk(key, list(rows))
    chunks = [list(rows[i : i + CHUNK]) for i in range(0, len(rows), CHUNK)]
    with ProcessPoolExecutor(workers, mp_context=pool_context()) as pool:
        parts = list(pool.map(check_chunk, [key] * len(chunks), chunks))
    checked = [c for part, _sums in parts for c in part]
    sums = coopvote.ballot_sums(key.definition, [s for _c, s in parts if s is not None])
    return checked, sums


def pool_context() -> BaseContext:
    """Workers fork from a fresh server process (not from this one, with its database
    connections) that imported this module once, if this process starts that server now (the
    server is one per process: the minutes' PDF workers may have started it already)."""
    context = get_context("forkserver")
    context.set_forkserver_preload([__name__])
    return context


def expected_ballots(session: Session, *, poll: Poll) -> int:
    """The votes cast online (in person or by proxy): one ballot each, or the weight."""
    weight = RollEntry.weight if poll.weighted else 1
    total = session.scalar(
        select(func.coalesce(func.sum(weight), 0))
        .select_from(Participation)
        .join(
            RollEntry,
            (RollEntry.member_id == Participation.member_id)
            & (RollEntry.assembly_id == poll.assembly_id),
            isouter=True,
        )
        .where(Participation.poll_id == poll.id, Participation.channel != Channel.ROOM)
    )
    return int(total or 0)


def _duplicate_alphas(checked: Iterable[Checked]) -> list[str]:
    """Trackers of ballots whose α occurs more than once in the poll (a copied ciphertext)."""
    holders: dict[bytes, list[str]] = {}
    for c in checked:
        for alpha in c.alphas or []:
            holders.setdefault(bytes(alpha), []).append(c.tracker)
    dup: list[str] = []
    for trackers in holders.values():
        if len(trackers) > 1:
            dup.extend(t for t in trackers if t not in dup)
    return dup


def verify_box(session: Session, *, poll: Poll, workers: int | None = None) -> str | None:
    """Re-verify every ballot of the encrypted poll; its sums as JSON (None for an empty
    box: nothing to decrypt), or DomainError."""
    key = poll_key(session, poll)
    rows = [
        (bytes(t).hex(), c)
        for t, c in session.execute(
            select(Ballot.tracker, Ballot.cipher)
            .where(Ballot.poll_id == poll.id)
            .order_by(Ballot.tracker)
        )
    ]
    checked, sums = check_rows(key, rows, workers=workers)
    bad = [f"{c.tracker} ({c.error})" for c in checked if c.error]
    if bad:
        raise DomainError(_refusal(len(bad), ", ".join(bad[:SHOW])))
    dup = _duplicate_alphas(checked)
    if dup:
        raise DomainError(
            _l(
                "The ballot box cannot be sealed: ballots share a ciphertext (α), a copy: %(t)s.",
                t=", ".join(dup[:SHOW]),
            )
        )
    expected = expected_ballots(session, poll=poll)
    if expected != len(rows):
        raise DomainError(
            _l(
                "The ballot box cannot be sealed: it holds %(n)d encrypted ballots, but %(m)d "
                "votes were cast online.",
                n=len(rows),
                m=expected,
            )
        )
    return None if sums is None else coopvote.sums_to_json(sums)


def _refusal(n: int, trackers: str) -> str:
    return _l(
        "The ballot box cannot be sealed: %(n)d ballot(s) fail the check: %(t)s.",
        n=n,
        t=trackers,
    )
