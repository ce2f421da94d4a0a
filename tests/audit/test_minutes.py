"""The seal root in the published minutes: compared by the audit and shipped in the bundle."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from governance.accounts.models import Role
from governance.audit.export import bundle_json
from governance.audit.verify import Status, verify
from governance.ballots.models import Ballot
from governance.db import utcnow
from governance.minutes.models import Minutes, MinutesVersion, RenderJob, RenderStatus
from tests.audit.conftest import failed, poll_of
from tests.audit.tamper import tamper
from tests.audit.test_export import _write, run_verifier
from tests.factories_ballots import World


def _pdf(text: str) -> bytes:
    """A PDF stating `text` the way the minutes print a root (it may wrap)."""
    from weasyprint import HTML

    return HTML(string=f"<p>Seal root (Merkle root of the ballot box): {text}</p>").write_pdf()


def publish_minutes(
    session: Session, *, assembly_id: int, text: str, pdf: bytes | None = None
) -> None:
    """Rows as the minutes' publication leaves them: draft, finished rendering, version 1
    (stating `text`, or these bytes as they were stored)."""
    pdf = _pdf(text) if pdf is None else pdf
    sha = hashlib.sha256(pdf).hexdigest()
    minutes = Minutes(assembly_id=assembly_id)
    session.add(minutes)
    session.flush()
    job = RenderJob(
        minutes_id=minutes.id,
        revision=1,
        status=RenderStatus.DONE,
        pdf=pdf,
        pdf_sha256=sha,
        source_sha256=sha,
        page_count=1,
        finished_at=utcnow(),
    )
    session.add(job)
    session.flush()
    session.add(
        MinutesVersion(
            minutes_id=minutes.id,
            assembly_id=assembly_id,
            number=1,
            render_id=job.id,
            pdf=pdf,
            pdf_sha256=sha,
            page_count=1,
        )
    )
    session.commit()


def _minutes_check(session: Session, world: World, poll_id: int) -> Any:
    report = verify(session, assembly_id=world.assembly_id)
    section = next(s for s in report.sections if s.key == f"poll-{poll_id}")
    return next(c for c in section.checks if c.code == "poll.seal_in_minutes")


def test_minutes_with_the_root_pass(
    session: Session, motion: tuple[World, int], tmp_path: Path
) -> None:
    world, poll_id = motion
    root = poll_of(session, poll_id).seal_root
    publish_minutes(session, assembly_id=world.assembly_id, text=root)
    assert _minutes_check(session, world, poll_id).status == Status.PASS
    bundle = json.loads(bundle_json(session, poll_id=poll_id))
    assert bundle["seal"]["minutes"] == {"version": 1, "root": root}
    assert run_verifier(_write(tmp_path, bundle)).returncode == 0


def test_minutes_with_another_root_fail(
    session: Session, motion: tuple[World, int], tmp_path: Path
) -> None:
    world, poll_id = motion
    publish_minutes(session, assembly_id=world.assembly_id, text="ab" * 32)
    problems = failed(verify(session, assembly_id=world.assembly_id))
    assert list(problems) == [f"poll-{poll_id}:poll.seal_in_minutes"]
    assert problems[f"poll-{poll_id}:poll.seal_in_minutes"][0].startswith(
        "minutes version 1 do not state the root"
    )
    done = run_verifier(_write(tmp_path, bundle_json(session, poll_id=poll_id)))
    assert done.returncode == 1 and "published minutes (version 1)" in done.stdout


def test_box_changed_after_the_minutes(
    engine: Any, session: Session, motion: tuple[World, int]
) -> None:
    world, poll_id = motion
    publish_minutes(
        session, assembly_id=world.assembly_id, text=poll_of(session, poll_id).seal_root
    )
    tracker = session.execute(
        select(Ballot.tracker).where(Ballot.poll_id == poll_id, Ballot.choice == "NO")
    ).scalar_one()
    tamper(engine, "UPDATE ballot SET choice = 'YES' WHERE tracker = :t", t=bytes(tracker))
    session.rollback()
    problems = failed(verify(session, assembly_id=world.assembly_id))
    assert f"poll-{poll_id}:poll.seal_in_minutes" in problems
    assert f"poll-{poll_id}:poll.merkle_root" in problems


def test_minutes_that_are_no_pdf_fail_the_check_and_the_page_still_shows(
    session: Session, motion: tuple[World, int], login: Any
) -> None:
    """Damaged or replaced minutes bytes are a finding of the audit, not an error page."""
    world, poll_id = motion
    publish_minutes(session, assembly_id=world.assembly_id, text="", pdf=b"%PDF-1.4 no pdf")
    problems = failed(verify(session, assembly_id=world.assembly_id))
    assert problems[f"poll-{poll_id}:poll.seal_in_minutes"] == [
        "minutes version 1 cannot be read as a PDF"
    ]
    assert json.loads(bundle_json(session, poll_id=poll_id))["seal"]["minutes"]["root"] is None
    page = login(roles=[Role.SECRETARY]).get(f"/audit/verify?assembly={world.assembly_id}")
    assert page.status_code == 200 and "cannot be read as a PDF" in page.get_data(as_text=True)
