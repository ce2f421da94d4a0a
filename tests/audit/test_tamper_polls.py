"""Tampering with a sealed, published poll past every trigger: detected and named (both DBs).

ballots.md: "changing, adding or deleting one ballot row after sealing makes the audit fail and
say why"; issue 7 adds a fake participation, a participation without a ballot, an edited and a
dropped audit event.
"""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from governance.audit.verify import verify
from governance.auditlog import AuditEvent
from governance.ballots.models import Ballot
from tests.audit.conftest import failed
from tests.audit.tamper import tamper
from tests.factories_ballots import World


def _problems(session: Session, world: World) -> dict[str, list[str]]:
    session.rollback()  # a new transaction sees the tampered rows (SQLite keeps a snapshot)
    return failed(verify(session, assembly_id=world.assembly_id))


def _tracker(session: Session, poll_id: int, choice: str) -> bytes:
    rows = session.execute(
        select(Ballot.tracker).where(Ballot.poll_id == poll_id, Ballot.choice == choice)
    )
    return bytes(rows.scalars().first())


def _event(session: Session, event_type: str, poll_id: int) -> AuditEvent:
    stmt = select(AuditEvent).where(
        AuditEvent.event_type == event_type, AuditEvent.object_id == str(poll_id)
    )
    return session.execute(stmt).scalar_one()


def test_untouched_poll_passes(session: Session, motion: tuple[World, int]) -> None:
    assert _problems(session, motion[0]) == {}


def test_changed_choice(engine: Any, session: Session, motion: tuple[World, int]) -> None:
    world, poll_id = motion
    tracker = _tracker(session, poll_id, "NO")
    tamper(engine, "UPDATE ballot SET choice = 'YES' WHERE tracker = :t", t=tracker)
    problems = _problems(session, world)
    key = f"poll-{poll_id}"
    assert set(problems) == {f"{key}:poll.merkle_root", f"{key}:poll.tally"}
    assert "a ballot was changed, added or removed" in problems[f"{key}:poll.merkle_root"][0]
    assert "counts: published" in problems[f"{key}:poll.tally"][0]


def test_deleted_ballot(engine: Any, session: Session, motion: tuple[World, int]) -> None:
    world, poll_id = motion
    tamper(engine, "DELETE FROM ballot WHERE tracker = :t", t=_tracker(session, poll_id, "NO"))
    problems = _problems(session, world)
    key = f"poll-{poll_id}"
    assert {f"{key}:poll.counts", f"{key}:poll.merkle_root", f"{key}:poll.tally"} <= set(problems)
    assert problems[f"{key}:poll.counts"][0].startswith("1 ballot missing")


def test_ballot_with_fake_participation(
    engine: Any, session: Session, motion: tuple[World, int]
) -> None:
    """Member 5 did not vote; an attacker adds a participation and a ballot for them."""
    world, poll_id = motion
    tamper(
        engine,
        "INSERT INTO participation (poll_id, member_id, cast_by_member_id, channel)"
        " VALUES (:p, :m, :m, 'ONLINE')",
        "INSERT INTO ballot (tracker, poll_id, choice) VALUES (:t, :p, 'YES')",
        p=poll_id,
        m=world.member_ids[5],
        t=secrets.token_bytes(16),
    )
    problems = _problems(session, world)
    key = f"poll-{poll_id}"
    assert set(problems) == {f"{key}:poll.merkle_root", f"{key}:poll.tally"}
    assert "participants: published 5, now 6" in problems[f"{key}:poll.tally"][0]


def test_ballot_with_participation_of_an_outsider(
    engine: Any, session: Session, motion: tuple[World, int]
) -> None:
    world, poll_id = motion
    tamper(
        engine,
        "INSERT INTO participation (poll_id, member_id, cast_by_member_id, channel)"
        " VALUES (:p, 999999, 999999, 'ONLINE')",
        "INSERT INTO ballot (tracker, poll_id, choice) VALUES (:t, :p, 'YES')",
        p=poll_id,
        t=secrets.token_bytes(16),
    )
    problems = _problems(session, world)
    key = f"poll-{poll_id}"
    assert {f"{key}:poll.on_roll", f"{key}:poll.merkle_root"} <= set(problems)
    assert "999999" in problems[f"{key}:poll.on_roll"][0]


def test_participation_without_ballot(
    engine: Any, session: Session, motion: tuple[World, int]
) -> None:
    world, poll_id = motion
    tamper(
        engine,
        "INSERT INTO participation (poll_id, member_id, cast_by_member_id, channel)"
        " VALUES (:p, :m, :m, 'ONLINE')",
        p=poll_id,
        m=world.member_ids[6],
    )
    problems = _problems(session, world)
    key = f"poll-{poll_id}"
    assert {f"{key}:poll.counts", f"{key}:poll.tally"} <= set(problems)
    assert f"{key}:poll.merkle_root" not in problems
    assert problems[f"{key}:poll.counts"][0].startswith("1 ballot missing")


def test_consistent_rewrite_is_caught_by_the_chain(
    engine: Any, session: Session, motion: tuple[World, int]
) -> None:
    """An attacker changes a ballot and rewrites the poll's root and result to match."""
    from governance.ballots.models import Poll
    from governance.ballots.seal import box_root
    from governance.ballots.tally import compute_result

    world, poll_id = motion
    tamper(
        engine,
        "UPDATE ballot SET choice = 'YES' WHERE tracker = :t",
        t=_tracker(session, poll_id, "NO"),
    )
    session.rollback()
    poll = session.get(Poll, poll_id)
    root, result = box_root(session, poll_id=poll_id), compute_result(session, poll=poll).to_json()
    session.rollback()
    tamper(
        engine,
        "UPDATE poll SET seal_root = :r, result_json = :j WHERE id = :p",
        r=root,
        j=result,
        p=poll_id,
    )
    problems = _problems(session, world)
    key = f"poll-{poll_id}"
    assert set(problems) == {f"{key}:poll.seal_in_chain", f"{key}:poll.result_in_chain"}


def test_edited_seal_event(engine: Any, session: Session, motion: tuple[World, int]) -> None:
    world, poll_id = motion
    event = _event(session, "poll.sealed", poll_id)
    seq, payload = event.seq, event.payload
    forged = payload.replace(payload.split('"merkle_root":"')[1][:64], "0" * 64)
    tamper(engine, "UPDATE audit_event SET payload = :p WHERE seq = :s", p=forged, s=seq)
    problems = _problems(session, world)
    assert set(problems) == {"chain:chain.hashes", f"poll-{poll_id}:poll.seal_in_chain"}
    assert problems["chain:chain.hashes"][0].startswith(f"event {seq} (poll.sealed) was changed")


def test_dropped_event_in_the_middle(
    engine: Any, session: Session, motion: tuple[World, int]
) -> None:
    world, poll_id = motion
    seq = _event(session, "poll.closed", poll_id).seq
    tamper(engine, "DELETE FROM audit_event WHERE seq = :s", s=seq)
    problems = _problems(session, world)
    assert set(problems) == {"chain:chain.sequence", "chain:chain.links"}
    assert problems["chain:chain.sequence"] == [f"event {seq} is missing"]


def test_changed_roll(engine: Any, session: Session, motion: tuple[World, int]) -> None:
    """A member struck from the frozen roll: the roll hash no longer recomputes."""
    world, poll_id = motion
    tamper(engine, "DELETE FROM roll_entry WHERE member_id = :m", m=world.member_ids[6])
    problems = _problems(session, world)
    assert f"assembly-{world.assembly_id}:roll.hash" in problems
    assert f"poll-{poll_id}:poll.roll_hash" in problems
