"""The ceremony's steps as database rules: raw SQL that skips a step or writes a teller's post
at the wrong step is refused on both databases (tellers/ddl.py, revision 0006)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from governance.tellers.ddl import MSG_STEP, MSG_TELLER_STEP
from tests.tellers.conftest import CeremonyWorld


def rejected(engine: Any, sql: str, params: dict[str, Any], message: str) -> None:
    with pytest.raises(DBAPIError, match=message), engine.begin() as conn:
        conn.execute(text(sql), params)


def _at(world: CeremonyWorld, step: str) -> int:
    """A 3-teller ceremony taken through the services up to `step`; its id."""
    with world.session() as s:
        ceremony, tellers = world.start(s)
        if step != "ROUND1":
            world.round1(s, ceremony, tellers)
        if step in ("CONFIRM", "READY"):
            world.shares(s, ceremony, tellers)
        s.commit()
        return ceremony.id


@pytest.fixture
def engine(app):
    return app.extensions["governance.engine"]


def test_a_ceremony_is_created_in_round_one(engine, world: CeremonyWorld) -> None:
    rejected(
        engine,
        "INSERT INTO key_ceremony (uuid, assembly_id, n, t, state, fingerprint, public_key,"
        " key_fingerprint, created_at, ready_at) VALUES ('00000000-0000-4000-8000-000000000000',"
        " :a, 1, 1, 'READY', :f, :f, :k, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
        {"a": world.assembly_id, "f": "ab" * 32, "k": "ab" * 16},
        MSG_STEP,
    )


def test_no_step_is_skipped(engine, world: CeremonyWorld) -> None:
    cid = _at(world, "ROUND1")
    rejected(
        engine,
        "UPDATE key_ceremony SET state = 'SHARES', fingerprint = :f WHERE id = :c",
        {"f": "ab" * 32, "c": cid},
        MSG_STEP,
    )
    rejected(
        engine,
        "UPDATE key_ceremony SET state = 'READY', fingerprint = :f, public_key = :f,"
        " key_fingerprint = :k, ready_at = CURRENT_TIMESTAMP WHERE id = :c",
        {"f": "ab" * 32, "k": "ab" * 16, "c": cid},
        MSG_STEP,
    )


def test_ready_needs_every_teller_to_confirm_the_fingerprint(engine, world: CeremonyWorld):
    cid = _at(world, "CONFIRM")
    with engine.begin() as conn:  # two of three confirm
        conn.execute(
            text(
                "UPDATE teller SET confirmed_fingerprint = (SELECT fingerprint FROM key_ceremony"
                " WHERE id = :c), confirmed_at = CURRENT_TIMESTAMP WHERE ceremony_id = :c"
                " AND idx <= 2"
            ),
            {"c": cid},
        )
        # the third confirms another fingerprint
        conn.execute(
            text(
                "UPDATE teller SET confirmed_fingerprint = :f, confirmed_at = CURRENT_TIMESTAMP"
                " WHERE ceremony_id = :c AND idx = 3"
            ),
            {"f": "cd" * 32, "c": cid},
        )
    rejected(
        engine,
        "UPDATE key_ceremony SET state = 'READY', public_key = :f, key_fingerprint = :k,"
        " ready_at = CURRENT_TIMESTAMP WHERE id = :c",
        {"f": "ab" * 32, "k": "ab" * 16, "c": cid},
        MSG_STEP,
    )
    with engine.begin() as conn:  # voiding is always open while in progress
        conn.execute(
            text(
                "UPDATE key_ceremony SET state = 'VOID', void_reason = 'x',"
                " voided_at = CURRENT_TIMESTAMP WHERE id = :c"
            ),
            {"c": cid},
        )


def test_a_teller_posts_only_at_the_ceremony_s_step(engine, world: CeremonyWorld) -> None:
    cid = _at(world, "SHARES")
    rejected(
        engine,
        "UPDATE teller SET confirmed_fingerprint = :f, confirmed_at = CURRENT_TIMESTAMP"
        " WHERE ceremony_id = :c AND idx = 1",
        {"f": "ab" * 32, "c": cid},
        MSG_TELLER_STEP,
    )


def test_boxes_are_relayed_only_during_the_shares(engine, world: CeremonyWorld) -> None:
    cid = _at(world, "ROUND1")
    rejected(
        engine,
        "INSERT INTO teller_share (ceremony_id, from_idx, to_idx, nonce, box)"
        " VALUES (:c, 1, 2, :n, :b)",
        {"c": cid, "n": "00" * 24, "b": "00" * 48},
        MSG_TELLER_STEP,
    )
