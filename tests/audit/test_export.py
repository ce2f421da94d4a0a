"""The auditor's bundle and the standalone verifier (governance/audit/verify_bundle.py, stdlib only)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import Session

from governance.audit.export import build_bundle, bundle_json
from governance.ballots.models import Ballot
from governance.errors import DomainError, NotFound
from tests.audit.tamper import tamper
from tests.factories_ballots import World

VERIFIER = Path(__file__).resolve().parents[2] / "governance" / "audit" / "verify_bundle.py"


def run_verifier(path: Path) -> subprocess.CompletedProcess[str]:
    """Run the verifier as an auditor would: isolated, without site-packages (stdlib only)."""
    return subprocess.run(
        [sys.executable, "-I", "-S", str(VERIFIER), str(path)],
        capture_output=True,
        text=True,
        check=False,
        cwd=path.parent,
    )


def _write(tmp_path: Path, data: Any, name: str = "bundle.json") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def test_bundle_content(session: Session, motion: tuple[World, int]) -> None:
    poll_id = motion[1]
    bundle = build_bundle(session, poll_id=poll_id)
    trackers = [b["tracker"] for b in bundle["ballots"]]
    assert trackers == sorted(trackers) and len(trackers) == 4
    assert [p["channel"] for p in bundle["participations"]].count("PROXY") == 1
    assert [p["channel"] for p in bundle["participations"]].count("ROOM") == 1
    assert bundle["seal"]["merkle_root"] == bundle["seal"]["audit_event"]["merkle_root"]
    assert bundle["roll"]["hash"] and len(bundle["roll"]["entries"]) == 7
    assert bundle["rule"]["majority"] == "THREE_QUARTERS"
    assert bundle["result"]["outcome"] == "ADOPTED"
    assert bundle["paper_counts"]["YES"] == 1


def test_verifier_confirms_a_real_poll(
    session: Session, motion: tuple[World, int], tmp_path: Path
) -> None:
    done = run_verifier(_write(tmp_path, bundle_json(session, poll_id=motion[1])))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "[FAIL]" not in done.stdout and "RESULT: all checks passed" in done.stdout


def test_verifier_confirms_an_election(
    session: Session, election: tuple[World, int], tmp_path: Path
) -> None:
    done = run_verifier(_write(tmp_path, bundle_json(session, poll_id=election[1])))
    assert done.returncode == 0, done.stdout + done.stderr


def test_verifier_rejects_one_changed_ballot(
    session: Session, motion: tuple[World, int], tmp_path: Path
) -> None:
    bundle = json.loads(bundle_json(session, poll_id=motion[1]))
    ballot = next(b for b in bundle["ballots"] if b["choice"] == "NO")
    ballot["choice"] = "YES"
    done = run_verifier(_write(tmp_path, bundle))
    assert done.returncode == 1, done.stdout
    assert "[FAIL] Merkle root recomputes" in done.stdout
    assert "[FAIL] tally recomputes to the published result" in done.stdout
    assert "result.counts.NO: published 1, recomputed 0" in done.stdout
    assert "RESULT: 2 check(s) FAILED" in done.stdout


def test_verifier_rejects_a_removed_ballot(
    session: Session, motion: tuple[World, int], tmp_path: Path
) -> None:
    bundle = json.loads(bundle_json(session, poll_id=motion[1]))
    bundle["ballots"].pop()
    done = run_verifier(_write(tmp_path, bundle))
    assert done.returncode == 1
    assert "[FAIL] participations and ballots match in number" in done.stdout


def test_verifier_rejects_a_proxy_without_mandate(
    session: Session, motion: tuple[World, int], tmp_path: Path
) -> None:
    bundle = json.loads(bundle_json(session, poll_id=motion[1]))
    bundle["mandates"] = []
    done = run_verifier(_write(tmp_path, bundle))
    assert done.returncode == 1
    assert "[FAIL] every proxy cast has a mandate" in done.stdout


def test_verifier_rejects_an_export_of_a_tampered_database(
    engine: Any, session: Session, motion: tuple[World, int], tmp_path: Path
) -> None:
    tracker = session.execute(
        select(Ballot.tracker).where(Ballot.poll_id == motion[1], Ballot.choice == "NO")
    ).scalar_one()
    tamper(engine, "UPDATE ballot SET choice = 'YES' WHERE tracker = :t", t=bytes(tracker))
    session.rollback()
    done = run_verifier(_write(tmp_path, bundle_json(session, poll_id=motion[1])))
    assert done.returncode == 1 and "[FAIL] Merkle root recomputes" in done.stdout


def test_verifier_refuses_an_unreadable_bundle(tmp_path: Path) -> None:
    assert run_verifier(_write(tmp_path, "{not json")).returncode == 2
    done = run_verifier(
        _write(
            tmp_path,
            {
                "format": "other",
                "poll": {"id": 1, "title": "x", "kind": "MOTION"},
                "rule": {"majority": "SIMPLE"},
            },
        )
    )
    assert done.returncode == 1 and "bundle format" in done.stdout


def test_only_sealed_polls_are_exported(session: Session, vote_world: Any, make_poll: Any) -> None:
    poll = make_poll(vote_world(members=2))
    with pytest.raises(DomainError):
        build_bundle(session, poll_id=poll.id)
    with pytest.raises(NotFound):
        build_bundle(session, poll_id=99999)


def test_download_and_cli_export_agree(
    app: Any, login: Any, session: Session, motion: tuple[World, int], tmp_path: Path
) -> None:
    from governance.accounts.models import Role

    poll_id = motion[1]
    response = login(roles=[Role.SUPERVISORY_BOARD]).get(f"/audit/polls/{poll_id}/bundle.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    target = tmp_path / "cli.json"
    result = app.test_cli_runner().invoke(args=["audit", "export", str(poll_id), "-o", str(target)])
    assert result.exit_code == 0, result.output
    downloaded, exported = response.get_json(), json.loads(target.read_text(encoding="utf-8"))
    downloaded.pop("exported_at"), exported.pop("exported_at")
    assert downloaded == exported
    assert run_verifier(target).returncode == 0


def test_verifier_confirms_weighted_and_per_candidate_polls(
    session: Session, vote_world: Any, make_poll: Any, tmp_path: Path
) -> None:
    """Multiple votes (§43(3) setting) and yes/no/abstain per candidate recompute too."""
    from governance.ballots.services import options_of
    from tests.audit.conftest import finish
    from tests.factories_ballots import cast

    world = vote_world(members=3, weights=[3, 1, 2])
    motion = make_poll(world, title="Gewinnverwendung", multiple_votes=True)
    for i, choice in enumerate(["YES", "NO", "ABSTAIN"]):
        cast(world, motion.id, i, choice)
    finish(world, motion.id)
    election = make_poll(
        world,
        title="Vorstand",
        kind="ELECTION",
        seats=1,
        election_mode="YES_NO_ABSTAIN_PER_CANDIDATE",
        candidates=["A", "B"],
    )
    with world.session() as s:
        a, b = (o.id for o in options_of(s, poll_id=election.id))
    for i, choice in enumerate([f"{a}=Y;{b}=N", f"{a}=N;{b}=Y", "ABSTAIN"]):
        cast(world, election.id, i, choice)
    finish(world, election.id)
    for poll_id in (motion.id, election.id):
        bundle = json.loads(bundle_json(session, poll_id=poll_id))
        done = run_verifier(_write(tmp_path, bundle, f"{poll_id}.json"))
        assert done.returncode == 0, done.stdout
    assert json.loads(bundle_json(session, poll_id=motion.id))["result"]["counts"]["YES"] == 3
