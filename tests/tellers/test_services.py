"""The key ceremony's services: a complete 2-of-3 ceremony, and every failure voids it naming
whose step failed."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, text

from governance import coopvote as cv
from governance.auditlog import AuditEvent
from governance.db import utcnow
from governance.errors import DomainError
from governance.tellers import services, steps
from governance.tellers.models import CeremonyState, KeyCeremony, TellerShare
from tests.tellers.conftest import CeremonyWorld


def _events(s, ceremony: KeyCeremony) -> list[str]:
    query = select(AuditEvent).where(AuditEvent.object_type == "key_ceremony")
    return [e.event_type for e in s.scalars(query.order_by(AuditEvent.seq))]


def test_a_complete_two_of_three_ceremony_ends_ready(world: CeremonyWorld) -> None:
    with world.session() as s:
        ceremony, tellers = world.start(s)
        assert ceremony.state == CeremonyState.ROUND1 and (ceremony.n, ceremony.t) == (3, 2)
        world.round1(s, ceremony, tellers)
        assert ceremony.state == CeremonyState.SHARES
        entries = {p.idx: p.entry for p in tellers}
        assert ceremony.fingerprint == cv.fingerprint(ceremony.uuid, 3, 2, entries)
        world.shares(s, ceremony, tellers)
        assert ceremony.state == CeremonyState.CONFIRM
        world.confirm(s, ceremony, tellers)
        assert ceremony.state == CeremonyState.READY
        y = cv.poll_key(entries)
        assert ceremony.public_key == y and ceremony.key_fingerprint == cv.key_fingerprint(y)
        s.commit()
        assert _events(s, ceremony) == [
            "ceremony.started",
            *["ceremony.round1"] * 3,
            "ceremony.shares",
            *["ceremony.shares_sent"] * 3,
            "ceremony.confirm",
            *["ceremony.confirmed"] * 3,
            "ceremony.ready",
        ]
        ready = s.scalars(select(AuditEvent).where(AuditEvent.event_type == "ceremony.ready")).one()
        assert json.loads(ready.payload)["key_fingerprint"] == ceremony.key_fingerprint
    # Any two key files decrypt; the server never held x_j.
    files = [p.key_file for p in tellers]
    assert all(f["Y"] == y for f in files)
    lam = {j: cv.lagrange([1, 3], j) for j in (1, 3)}
    secret = sum(lam[j] * int.from_bytes(bytes.fromhex(files[j - 1]["x"]), "little") for j in lam)
    assert cv.arith().base(secret % cv.ELL).hex() == y


def test_start_rules(world: CeremonyWorld, make_user) -> None:
    inactive = make_user(active=False)
    with world.session() as s:
        from governance.assemblies.models import Assembly

        assembly = s.get(Assembly, world.assembly_id)
        ids = [u.id for u in world.users]
        with pytest.raises(DomainError, match="threshold"):
            services.start(s, assembly=assembly, tellers=ids, t=4, actor=world.chair)
        with pytest.raises(DomainError, match="only once"):
            services.start(s, assembly=assembly, tellers=[ids[0], ids[0]], t=1, actor=world.chair)
        with pytest.raises(DomainError, match="active user account"):
            services.start(
                s, assembly=assembly, tellers=[ids[0], inactive.id], t=1, actor=world.chair
            )
        with pytest.raises(DomainError, match="between 1 and 9"):
            services.start(s, assembly=assembly, tellers=[], t=1, actor=world.chair)
        one = services.start(s, assembly=assembly, tellers=ids[:1], t=1, actor=world.chair)
        assert (one.n, one.t) == (1, 1)
        with pytest.raises(DomainError, match="under way"):
            services.start(s, assembly=assembly, tellers=ids, t=2, actor=world.chair)


def test_one_of_one_is_allowed(world: CeremonyWorld) -> None:
    with world.session() as s:
        ceremony, tellers = world.start(s, n=1, t=1)
        world.round1(s, ceremony, tellers)
        world.shares(s, ceremony, tellers)
        world.confirm(s, ceremony, tellers)
        assert ceremony.state == CeremonyState.READY


def _voided(s, ceremony: KeyCeremony) -> str:
    s.refresh(ceremony)
    assert ceremony.state == CeremonyState.VOID
    assert "ceremony.void" in _events(s, ceremony)
    return ceremony.void_reason or ""


def test_a_bad_proof_is_refused_and_voids_naming_the_teller(world: CeremonyWorld) -> None:
    with world.session() as s:
        ceremony, tellers = world.start(s)
        entry = tellers[1].round1(ceremony)
        bad = dict(
            entry,
            s=cv.scalar_hex((int.from_bytes(bytes.fromhex(entry["s"]), "little") + 1) % cv.ELL),
        )
        with pytest.raises(services.CeremonyVoided, match="proof of knowledge"):
            steps.post_round1(
                s,
                teller=world.row(s, ceremony, 2),
                ceremony_uuid=ceremony.uuid,
                entry=bad,
                now=utcnow(),
                actor=tellers[1].user,
            )
        reason = _voided(s, ceremony)
        assert "Teller 2 (Anna Teller2)" in reason or "Stimmzähler 2 (Anna Teller2)" in reason
        assert world.row(s, ceremony, 2).round1 is None


def test_an_entry_for_another_index_does_not_verify(world: CeremonyWorld) -> None:
    with world.session() as s:
        ceremony, tellers = world.start(s)
        with pytest.raises(services.CeremonyVoided, match="2"):
            steps.post_round1(
                s,
                teller=world.row(s, ceremony, 2),
                ceremony_uuid=ceremony.uuid,
                entry=tellers[0].round1(ceremony),
                now=utcnow(),
                actor=tellers[1].user,
            )
        assert "Anna Teller2" in _voided(s, ceremony)


def test_a_changed_entry_reported_by_a_page_voids(world: CeremonyWorld) -> None:
    """A teller's page finds its own entry changed: it reports, and the ceremony is void."""
    with world.session() as s:
        ceremony, tellers = world.start(s)
        world.round1(s, ceremony, tellers)
        services.report_failure(
            s,
            teller=world.row(s, ceremony, 3),
            step=services.Step.SHARES,
            reason="ceremony: teller 3's own entry was changed",
            culprit=3,
            now=utcnow(),
            actor=tellers[2].user,
        )
        reason = _voided(s, ceremony)
        assert "own entry was changed" in reason and "Anna Teller3" in reason


def test_an_entry_changed_in_the_database_voids_at_the_shares(world: CeremonyWorld) -> None:
    """Bypassing the trigger, a stored entry is swapped: the next post finds the fingerprint
    no longer matches the stored transcript."""
    with world.session() as s:
        ceremony, tellers = world.start(s)
        world.round1(s, ceremony, tellers)
        s.commit()
        other = tellers[0].round1(ceremony)
        dialect = s.get_bind().dialect.name
        for trigger in ("teller_once", "teller_steps"):
            on = " ON teller" if dialect == "postgresql" else ""
            s.execute(text(f"DROP TRIGGER {trigger}{on}"))
        s.execute(
            text("UPDATE teller SET round1 = :r WHERE ceremony_id = :c AND idx = 1"),
            {"r": cv.entry_json(other), "c": ceremony.id},
        )
        entries = {p.idx: p.entry for p in tellers}
        tellers[1].shares(ceremony, entries)
        with pytest.raises(services.CeremonyVoided, match="no longer give"):
            steps.post_shares(
                s,
                teller=world.row(s, ceremony, 2),
                ceremony_uuid=ceremony.uuid,
                fingerprint=tellers[1].fingerprint,
                boxes=[],
                now=utcnow(),
                actor=tellers[1].user,
            )
        _voided(s, ceremony)


def test_a_wrong_fingerprint_at_the_shares_is_refused_and_voids(world: CeremonyWorld) -> None:
    with world.session() as s:
        ceremony, tellers = world.start(s)
        world.round1(s, ceremony, tellers)
        entries = services.entries_of(s, ceremony_id=ceremony.id)
        boxes = tellers[0].shares(ceremony, entries)
        with pytest.raises(services.CeremonyVoided, match="differs"):
            steps.post_shares(
                s,
                teller=world.row(s, ceremony, 1),
                ceremony_uuid=ceremony.uuid,
                fingerprint="0" * 64,
                boxes=boxes,
                now=utcnow(),
                actor=tellers[0].user,
            )
        reason = _voided(s, ceremony)
        assert "Anna Teller1" in reason
        assert s.scalars(select(TellerShare)).first() is None


def test_a_wrong_fingerprint_at_the_confirmation_voids(world: CeremonyWorld) -> None:
    with world.session() as s:
        ceremony, tellers = world.start(s)
        world.round1(s, ceremony, tellers)
        world.shares(s, ceremony, tellers)
        with pytest.raises(services.CeremonyVoided, match="differs"):
            steps.confirm(
                s,
                teller=world.row(s, ceremony, 2),
                ceremony_uuid=ceremony.uuid,
                fingerprint="1" * 64,
                now=utcnow(),
                actor=tellers[1].user,
            )
        assert "Anna Teller2" in _voided(s, ceremony)


def test_a_bad_share_found_by_its_receiver_voids_naming_the_sender(world: CeremonyWorld) -> None:
    with world.session() as s:
        ceremony, tellers = world.start(s)
        world.round1(s, ceremony, tellers)
        entries = services.entries_of(s, ceremony_id=ceremony.id)
        tellers[0].coeffs[1] = (tellers[0].coeffs[1] + 1) % cv.ELL  # teller 1 cheats
        world.shares(s, ceremony, tellers)
        boxes = services.boxes_to(s, ceremony_id=ceremony.id, idx=2)
        with pytest.raises(cv.Invalid) as found:
            tellers[1].open(ceremony, entries, boxes)
        services.report_failure(
            s,
            teller=world.row(s, ceremony, 2),
            step=services.Step.CONFIRM,
            reason=str(found.value),
            culprit=1,
            now=utcnow(),
            actor=tellers[1].user,
        )
        reason = _voided(s, ceremony)
        assert "Anna Teller2" in reason and "Anna Teller1" in reason


def test_a_missing_teller_is_named_when_the_chair_voids(world: CeremonyWorld) -> None:
    with world.session() as s:
        ceremony, tellers = world.start(s)
        world.round1(s, ceremony, tellers[:2])
        services.void(s, ceremony=ceremony, actor=world.chair, reason="Kein Empfang", now=utcnow())
        reason = _voided(s, ceremony)
        assert "Kein Empfang" in reason and "Anna Teller3" in reason
        assert "Anna Teller1" not in reason
        with pytest.raises(DomainError, match="in progress"):
            services.void(s, ceremony=ceremony, actor=world.chair, reason="", now=utcnow())


def test_a_restart_is_a_new_ceremony_with_other_tellers(world: CeremonyWorld, make_user) -> None:
    replacement = make_user()
    with world.session() as s:
        first, tellers = world.start(s)
        world.round1(s, first, tellers)
        services.void(s, ceremony=first, actor=world.chair, reason="", now=utcnow())
        world.users[2] = replacement
        second, tellers = world.start(s)
        assert second.id != first.id and second.uuid != first.uuid
        world.round1(s, second, tellers)
        world.shares(s, second, tellers)
        world.confirm(s, second, tellers)
        assert second.state == CeremonyState.READY
        assert [c.id for c in services.ceremonies(s, assembly_id=world.assembly_id)] == [
            second.id,
            first.id,
        ]
        with pytest.raises(DomainError, match="ready"):
            world.start(s)


def test_posts_at_the_wrong_step_or_for_another_ceremony_are_refused(world: CeremonyWorld) -> None:
    with world.session() as s:
        ceremony, tellers = world.start(s)
        row = world.row(s, ceremony, 1)
        entry = tellers[0].round1(ceremony)
        with pytest.raises(DomainError, match="another key ceremony"):
            steps.post_round1(
                s, teller=row, ceremony_uuid="x", entry=entry, now=utcnow(), actor=None
            )
        steps.post_round1(
            s, teller=row, ceremony_uuid=ceremony.uuid, entry=entry, now=utcnow(), actor=None
        )
        with pytest.raises(DomainError, match="already in"):
            steps.post_round1(
                s, teller=row, ceremony_uuid=ceremony.uuid, entry=entry, now=utcnow(), actor=None
            )
        with pytest.raises(DomainError, match="not at this step"):
            steps.confirm(
                s,
                teller=row,
                ceremony_uuid=ceremony.uuid,
                fingerprint="0" * 64,
                now=utcnow(),
                actor=None,
            )
        assert ceremony.state == CeremonyState.ROUND1


def test_malformed_boxes_are_refused_without_voiding(world: CeremonyWorld) -> None:
    with world.session() as s:
        ceremony, tellers = world.start(s)
        world.round1(s, ceremony, tellers)
        entries = services.entries_of(s, ceremony_id=ceremony.id)
        boxes = tellers[0].shares(ceremony, entries)
        row = world.row(s, ceremony, 1)
        for wrong in (
            boxes[:1],
            [boxes[0], boxes[0]],
            [dict(boxes[0], to=1), boxes[1]],
            [dict(boxes[0], box="zz"), boxes[1]],
        ):
            with pytest.raises(DomainError, match="share"):
                steps.post_shares(
                    s,
                    teller=row,
                    ceremony_uuid=ceremony.uuid,
                    fingerprint=tellers[0].fingerprint,
                    boxes=wrong,
                    now=utcnow(),
                    actor=None,
                )
        assert ceremony.state == CeremonyState.SHARES


def test_start_is_refused_once_a_secret_poll_opened(world: CeremonyWorld, app) -> None:
    from governance.assemblies.models import Assembly, AssemblyState
    from governance.ballots.services import PollData, create_poll, open_poll

    with world.session() as s:
        assembly = s.get(Assembly, world.assembly_id)
        assembly.state = AssemblyState.IN_SESSION
        named = create_poll(
            s, assembly=assembly, data=PollData(title="Offen", secret=False), actor=world.chair
        )
        open_poll(s, poll=named, actor=world.chair, now=utcnow())
        s.flush()
        ceremony, _t = world.start(s)  # a named poll does not matter
        services.void(s, ceremony=ceremony, actor=world.chair, reason="", now=utcnow())
        poll = create_poll(s, assembly=assembly, data=PollData(title="Geheim"), actor=world.chair)
        open_poll(s, poll=poll, actor=world.chair, now=utcnow())
        with pytest.raises(DomainError, match="secret poll"):
            world.start(s)
