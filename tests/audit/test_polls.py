"""The audit of real polls: every check of ballots.md passes on an untouched poll."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from governance.audit.verify import Status, verify
from tests.audit.conftest import failed
from tests.factories_ballots import World, cast

POLL_CHECKS = {
    "poll.roll_hash",
    "poll.counts",
    "poll.on_roll",
    "poll.mandates",
    "poll.choices",
    "poll.paper",
    "poll.merkle_root",
    "poll.seal_in_chain",
    "poll.tally",
    "poll.result_in_chain",
    "poll.seal_in_minutes",
    "poll.scrub",
    "poll.expelled",
}


def _codes(report: Any, key: str, status: Status) -> set[str]:
    section = next(s for s in report.sections if s.key == key)
    return {c.code for c in section.checks if c.status == status}


def test_published_motion_passes_every_check(session: Session, motion: tuple[World, int]) -> None:
    world, poll_id = motion
    report = verify(session, assembly_id=world.assembly_id)
    assert report.ok, failed(report)
    assert [s.key for s in report.sections] == [
        "chain",
        f"assembly-{world.assembly_id}",
        f"poll-{poll_id}",
    ]
    assert _codes(report, f"poll-{poll_id}", Status.PASS) == POLL_CHECKS - {"poll.seal_in_minutes"}
    assert _codes(report, f"poll-{poll_id}", Status.SKIP) == {"poll.seal_in_minutes"}
    assert (
        _codes(report, f"assembly-{world.assembly_id}", Status.PASS)
        == {
            "roll.hash",
            "mandates.limit",
        }
        or _codes(report, f"assembly-{world.assembly_id}", Status.FAIL) == set()
    )


def test_published_election_passes(session: Session, election: tuple[World, int]) -> None:
    world, _poll_id = election
    report = verify(session, assembly_id=world.assembly_id)
    assert report.ok, failed(report)


def test_open_poll_skips_what_comes_later(
    session: Session, vote_world: Any, make_poll: Any
) -> None:
    world = vote_world(members=3)
    poll = make_poll(world)
    cast(world, poll.id, 0, "YES")
    report = verify(session, assembly_id=world.assembly_id)
    assert report.ok, failed(report)
    skipped = _codes(report, f"poll-{poll.id}", Status.SKIP)
    assert {"poll.seal", "poll.result_in_chain", "poll.seal_in_minutes"} <= skipped


def test_verify_without_assembly_covers_every_assembly(
    session: Session, motion: tuple[World, int], election: tuple[World, int]
) -> None:
    keys = {s.key for s in verify(session).sections}
    assert {f"poll-{motion[1]}", f"poll-{election[1]}"} <= keys
