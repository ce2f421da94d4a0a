"""The last round-1 entries posted at the same moment still move the ceremony on (PostgreSQL:
each post locks the ceremony row before it reads; SQLite writes one request at a time)."""

from __future__ import annotations

import threading

import pytest

from governance.db import utcnow
from governance.tellers import steps
from governance.tellers.models import CeremonyState, KeyCeremony
from tests.tellers.conftest import CeremonyWorld


@pytest.fixture
def postgres_only(backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite serializes writing requests (BEGIN IMMEDIATE)")


def test_the_last_two_entries_at_once_reach_the_shares(postgres_only, world: CeremonyWorld):
    with world.session() as s:
        ceremony, tellers = world.start(s)
        world.round1(s, ceremony, tellers[:1])
        s.commit()
        cid, uuid = ceremony.id, ceremony.uuid
        entries = {p.idx: p.round1(ceremony) for p in tellers[1:]}
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def post(idx: int) -> None:
        try:
            with world.session() as s:
                teller = world.row(s, s.get(KeyCeremony, cid), idx)
                barrier.wait(timeout=10)
                steps.post_round1(
                    s,
                    teller=teller,
                    ceremony_uuid=uuid,
                    entry=entries[idx],
                    now=utcnow(),
                    actor=None,
                )
                s.commit()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=post, args=(i,)) for i in (2, 3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    with world.session() as s:
        ceremony = s.get(KeyCeremony, cid)
        assert ceremony.state == CeremonyState.SHARES and ceremony.fingerprint
