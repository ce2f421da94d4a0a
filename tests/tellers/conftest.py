"""Tellers tests: a ceremony world (an assembly, its chair, three teller accounts) and tellers
played in Python with governance.coopvote and PyNaCl, posting through the services."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from nacl.public import PrivateKey
from sqlmodel import Session

from governance import coopvote as cv
from governance.accounts.models import Role, User
from governance.assemblies.models import Assembly, AssemblyState
from governance.db import new_session, utcnow
from governance.tellers import services, steps
from governance.tellers.models import KeyCeremony, Teller


@pytest.fixture(autouse=True)
def _request_context(app: Flask) -> Iterator[None]:
    with app.test_request_context():
        yield


@dataclass
class PyTeller:
    """One teller's page, played in Python: its secrets stay here, as in the browser's memory."""

    idx: int
    user: Any
    transport: PrivateKey = field(default_factory=PrivateKey.generate)
    coeffs: list[int] = field(default_factory=list)
    entry: dict[str, Any] | None = None
    fingerprint: str | None = None
    key_file: dict[str, Any] | None = None

    def round1(self, ceremony: KeyCeremony) -> dict[str, Any]:
        self.entry, self.coeffs = cv.round1(
            ceremony.uuid, self.idx, ceremony.t, bytes(self.transport.public_key)
        )
        return self.entry

    def shares(self, ceremony: KeyCeremony, entries: dict[int, dict[str, Any]]) -> list[dict]:
        for i, e in entries.items():
            cv.check_round1(ceremony.uuid, i, ceremony.t, e)
        assert entries[self.idx] == self.entry, "own entry changed"
        self.fingerprint = cv.fingerprint(ceremony.uuid, ceremony.n, ceremony.t, entries)
        boxes = []
        for j, e in entries.items():
            if j == self.idx:
                continue
            nonce = secrets.token_bytes(24)
            box = cv.seal_share(
                cv.share(self.coeffs, j), nonce, bytes.fromhex(e["T"]), bytes(self.transport)
            )
            boxes.append({"from": self.idx, "to": j, "nonce": nonce.hex(), "box": box})
        return boxes

    def open(self, ceremony: KeyCeremony, entries: dict, boxes: list[dict]) -> dict[str, Any]:
        x = cv.share(self.coeffs, self.idx)
        for b in boxes:
            value = cv.open_share(
                b["box"], b["nonce"], bytes.fromhex(entries[b["from"]]["T"]), bytes(self.transport)
            )
            cv.check_share(entries[b["from"]], self.idx, value)
            x = (x + value) % cv.ELL
        self.key_file = cv.key_file(
            ceremony.uuid, self.idx, ceremony.t, ceremony.n, x, entries, self.fingerprint or ""
        )
        return self.key_file


@dataclass
class CeremonyWorld:
    app: Flask
    assembly_id: int
    chair: Any
    users: list[Any]

    def session(self) -> Session:
        return new_session(self.app.extensions["governance.engine"])

    def start(self, s: Session, *, n: int = 3, t: int = 2) -> tuple[KeyCeremony, list[PyTeller]]:
        assembly = s.get(Assembly, self.assembly_id)
        assert assembly is not None
        ceremony = services.start(
            s, assembly=assembly, tellers=[u.id for u in self.users[:n]], t=t, actor=self.chair
        )
        return ceremony, [PyTeller(i, u) for i, u in enumerate(self.users[:n], 1)]

    def row(self, s: Session, ceremony: KeyCeremony, idx: int) -> Teller:
        teller = s.get(Teller, (ceremony.id, idx))
        assert teller is not None
        return teller

    def round1(self, s: Session, ceremony: KeyCeremony, tellers: list[PyTeller]) -> None:
        for p in tellers:
            steps.post_round1(
                s,
                teller=self.row(s, ceremony, p.idx),
                ceremony_uuid=ceremony.uuid,
                entry=p.round1(ceremony),
                now=utcnow(),
                actor=p.user,
            )

    def shares(self, s: Session, ceremony: KeyCeremony, tellers: list[PyTeller]) -> None:
        entries = services.entries_of(s, ceremony_id=ceremony.id)
        for p in tellers:
            boxes = p.shares(ceremony, entries)
            steps.post_shares(
                s,
                teller=self.row(s, ceremony, p.idx),
                ceremony_uuid=ceremony.uuid,
                fingerprint=p.fingerprint,
                boxes=boxes,
                now=utcnow(),
                actor=p.user,
            )

    def confirm(self, s: Session, ceremony: KeyCeremony, tellers: list[PyTeller]) -> None:
        entries = services.entries_of(s, ceremony_id=ceremony.id)
        for p in tellers:
            p.open(ceremony, entries, services.boxes_to(s, ceremony_id=ceremony.id, idx=p.idx))
            steps.confirm(
                s,
                teller=self.row(s, ceremony, p.idx),
                ceremony_uuid=ceremony.uuid,
                fingerprint=p.fingerprint,
                now=utcnow(),
                actor=p.user,
            )


@pytest.fixture
def world(app: Flask, make_assembly: Any, make_user: Any) -> CeremonyWorld:
    return build_world(app, make_assembly, make_user)


def build_world(app: Flask, make_assembly: Any, make_user: Any) -> CeremonyWorld:
    """An assembly convened with a chair, and three teller accounts (Anna Teller1…3)."""
    chair = make_user(roles=[Role.BOARD])
    assembly = make_assembly(state=AssemblyState.CONVENED, chair=chair)
    users = [make_user(roles=[Role.MEMBER]) for _ in range(3)]
    with new_session(app.extensions["governance.engine"]) as s:
        for i, user in enumerate(users, 1):
            s.get(User, user.id).display_name = user.display_name = f"Anna Teller{i}"
        s.commit()
    return CeremonyWorld(app, assembly.id, chair, users)
