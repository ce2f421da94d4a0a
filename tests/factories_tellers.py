"""Test factory of the tellers domain: a READY key ceremony made in Python.

`ready_ceremony(session, assembly_id, n=3, t=2, user_ids=None)` runs the whole distributed key
generation of docs/coopvote.md with governance.coopvote (round 1 with proofs, boxed shares,
every share checked, confirmations) and stores it through the models as the pages would, ending
READY. It returns the ceremony, every teller's key file, the round-1 entries and the poll key,
so that tests can encrypt ballots (`coopvote.encrypt`) and decrypt as tellers.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from nacl.public import PrivateKey
from sqlmodel import Session

from governance import coopvote as cv
from governance.accounts.models import User
from governance.db import utcnow
from governance.tellers.models import CeremonyState, KeyCeremony, Teller, TellerShare


@dataclass
class ReadyCeremony:
    ceremony: KeyCeremony
    key_files: dict[int, dict[str, Any]]
    entries: dict[int, dict[str, Any]]
    Y: str
    user_ids: dict[int, int] = field(default_factory=dict)

    def x(self, j: int) -> int:
        return int.from_bytes(bytes.fromhex(self.key_files[j]["x"]), "little")


def _teller_users(session: Session, n: int) -> list[int]:
    users = []
    for i in range(n):
        user = User(
            email=f"teller{i + 1}-{secrets.token_hex(4)}@example.org",
            display_name=f"Stimmzähler {i + 1}",
            password_hash="!",
            active=True,
        )
        session.add(user)
        users.append(user)
    session.flush()
    return [u.id for u in users if u.id is not None]


def ready_ceremony(
    session: Session,
    assembly_id: int,
    n: int = 3,
    t: int = 2,
    user_ids: list[int] | None = None,
) -> ReadyCeremony:
    """Run and store a complete ceremony of the assembly (flushes; the caller commits)."""
    user_ids = user_ids or _teller_users(session, n)
    ceremony = KeyCeremony(assembly_id=assembly_id, n=n, t=t)
    session.add(ceremony)
    session.flush()
    assert ceremony.id is not None
    tellers = {
        i: Teller(ceremony_id=ceremony.id, idx=i, user_id=user_ids[i - 1]) for i in range(1, n + 1)
    }
    session.add_all(tellers.values())
    session.flush()
    transport = {i: PrivateKey.generate() for i in tellers}
    entries, coeffs = {}, {}
    for i, teller in tellers.items():
        entries[i], coeffs[i] = cv.round1(ceremony.uuid, i, t, bytes(transport[i].public_key))
        cv.check_round1(ceremony.uuid, i, t, entries[i])
        teller.round1, teller.round1_at = cv.entry_json(entries[i]), utcnow()
    session.flush()
    fp = cv.fingerprint(ceremony.uuid, n, t, entries)
    ceremony.state, ceremony.fingerprint = CeremonyState.SHARES, fp
    session.flush()
    boxes: dict[tuple[int, int], tuple[str, str]] = {}
    for i, teller in tellers.items():
        for j in tellers:
            if j == i:
                continue
            nonce = secrets.token_bytes(24)
            box = cv.seal_share(
                cv.share(coeffs[i], j), nonce, bytes(transport[j].public_key), bytes(transport[i])
            )
            boxes[i, j] = (nonce.hex(), box)
            session.add(
                TellerShare(
                    ceremony_id=ceremony.id, from_idx=i, to_idx=j, nonce=nonce.hex(), box=box
                )
            )
        teller.shares_at = utcnow()
    session.flush()  # the steps before the state (a trigger checks every teller did them)
    ceremony.state = CeremonyState.CONFIRM
    session.flush()
    key_files = {}
    for j, teller in tellers.items():
        x = cv.share(coeffs[j], j)
        for i in tellers:
            if i == j:
                continue
            nonce, box = boxes[i, j]
            value = cv.open_share(box, nonce, bytes(transport[i].public_key), bytes(transport[j]))
            cv.check_share(entries[i], j, value)
            x = (x + value) % cv.ELL
        key_files[j] = cv.key_file(ceremony.uuid, j, t, n, x, entries, fp)
        teller.confirmed_fingerprint, teller.confirmed_at = fp, utcnow()
    session.flush()
    y = cv.poll_key(entries)
    ceremony.state = CeremonyState.READY
    ceremony.public_key, ceremony.key_fingerprint = y, cv.key_fingerprint(y)
    ceremony.ready_at = utcnow()
    session.flush()
    return ReadyCeremony(ceremony, key_files, entries, y, dict(enumerate(user_ids, start=1)))
