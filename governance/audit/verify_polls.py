"""The audit of one assembly: its frozen roll, its mandates and each of its polls.

The per-poll rules come from `governance.ballots.verify.verify_poll`; this module names them,
adds what only the audit can compare (the published result against the chain, the seal root
against the published minutes) and turns a not-yet-sealed poll's seal check into a skip.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from governance.assemblies.models import Assembly
from governance.assemblies.models_mandates import Mandate
from governance.audit.checks import Check, Section, check
from governance.audit.services import payload_of
from governance.auditlog import AuditEvent
from governance.ballots.models import Poll, PollState
from governance.ballots.models_scrub import ScrubState
from governance.ballots.scrub import describe, job_of
from governance.errors import NotFound
from governance.i18n import _l, enum_label, format_moment

LABELS: dict[str, Any] = {
    "roll_hash": _l("The poll's roll hash equals the frozen roll"),
    "counts": _l("count(participation) equals count(ballot)"),
    "on_roll": _l("Every participation is on the roll and not excluded"),
    "expelled": _l("Nobody expelled when the poll opened took part (§68(2) GenG)"),
    "mandates": _l("Every proxy cast has a mandate; no proxy casts for more than two"),
    "choices": _l("Every choice is valid for the poll"),
    "paper": _l("The tellers' paper count equals the votes handed in in the room"),
    "named": _l("The named votes match the ballot box"),
    "seal": _l("The ballot box is sealed"),
    "merkle_root": _l("The Merkle root recomputes from the ballot box"),
    "seal_in_chain": _l("The audit chain records the same Merkle root"),
    "tally": _l("The tally recomputes to the published result"),
}


def _assemblies(session: Session, assembly_id: int | None) -> list[Assembly]:
    if assembly_id is not None:
        assembly = session.get(Assembly, assembly_id)
        if assembly is None:
            raise NotFound(_l("There is no assembly %(id)d.", id=assembly_id))
        return [assembly]
    with_polls = select(Poll.assembly_id).where(Poll.state != PollState.DRAFT)
    stmt = (
        select(Assembly)
        .where(Assembly.roll_hash.is_not(None) | Assembly.id.in_(with_polls))
        .order_by(Assembly.id)
    )
    return list(session.execute(stmt).scalars())


def _recorded_roll_hash(session: Session, assembly_id: int) -> str | None:
    """The newest roll hash the chain records for the assembly (freeze or correction)."""
    stmt = (
        select(AuditEvent)
        .where(AuditEvent.assembly_id == assembly_id, AuditEvent.object_type == "assembly")
        .order_by(AuditEvent.seq.desc())
    )
    for event in session.execute(stmt).scalars():
        payload = payload_of(event)
        for key in ("hash_after", "roll_hash"):
            if isinstance(payload.get(key), str):
                return str(payload[key])
    return None


def roll_checks(session: Session, assembly: Assembly) -> list[Check]:
    """The roll hash recomputes from the frozen roll and equals the one in the chain."""
    from governance.assemblies.services import roll_hash

    label = _l("The roll hash matches the frozen roll and the audit chain")
    if assembly.roll_hash is None:
        return [check("roll.hash", label, [_l("the roll is not frozen yet")], skip=True)]
    diffs: list[Any] = []
    recomputed = roll_hash(session, assembly_id=assembly.id)
    if recomputed != assembly.roll_hash:
        diffs.append(
            _l("recorded %(a)s, recomputed from the roll %(b)s", a=assembly.roll_hash, b=recomputed)
        )
    in_chain = _recorded_roll_hash(session, assembly.id or 0)
    if in_chain is None:
        diffs.append(_l("the audit chain records no roll hash for this assembly"))
    elif in_chain != assembly.roll_hash:
        diffs.append(
            _l(
                "the audit chain records %(a)s, the assembly %(b)s",
                a=in_chain,
                b=assembly.roll_hash,
            )
        )
    return [check("roll.hash", label, diffs, note=assembly.roll_hash)]


def mandate_checks(session: Session, assembly: Assembly) -> list[Check]:
    """No proxy holds more than two mandates (§43(5))."""
    rows = session.execute(
        select(Mandate.proxy_id, func.count())
        .where(Mandate.assembly_id == assembly.id)
        .group_by(Mandate.proxy_id)
        .having(func.count() > 2)
    ).all()
    diffs = [_l("member %(m)d holds %(n)d mandates", m=m, n=n) for m, n in rows]
    return [check("mandates.limit", _l("No proxy holds more than two mandates"), diffs)]


def _adopt(poll: Poll, items: Iterable[Any]) -> list[Check]:
    """The ballots domain's checks as audit checks (a pending seal is skipped, not failed)."""
    adopted = []
    for item in items:
        label = LABELS.get(item.name, item.name)
        code = f"poll.{item.name}"
        if item.name == "seal" and poll.state in (PollState.OPEN, PollState.CLOSED):
            adopted.append(check(code, label, [item.detail], skip=True))
        else:
            adopted.append(check(code, label, [] if item.ok else [item.detail], note=item.detail))
    return adopted


def _published_event(session: Session, poll: Poll) -> AuditEvent | None:
    return session.execute(
        select(AuditEvent)
        .where(
            AuditEvent.event_type == "poll.published",
            AuditEvent.object_type == "poll",
            AuditEvent.object_id == str(poll.id),
        )
        .order_by(AuditEvent.seq.desc())
        .limit(1)
    ).scalar_one_or_none()


def result_in_chain(session: Session, poll: Poll) -> Check:
    """The result and root stored on the poll are the ones the chain recorded at publication."""
    label = _l("The published result and root equal the audit chain's record")
    if poll.state != PollState.PUBLISHED:
        return check("poll.result_in_chain", label, [_l("not published yet")], skip=True)
    event = _published_event(session, poll)
    if event is None:
        return check("poll.result_in_chain", label, [_l("the chain records no publication")])
    payload, diffs = payload_of(event), []
    stored = json.loads(poll.result_json or "null")
    if payload.get("result") != stored:
        keys = sorted(k for k in stored or {} if (payload.get("result") or {}).get(k) != stored[k])
        diffs.append(_l("the stored result differs from the chain's in: %(k)s", k=", ".join(keys)))
    if payload.get("seal_root") != poll.seal_root:
        diffs.append(
            _l(
                "the chain records root %(a)s, the poll %(b)s",
                a=payload.get("seal_root"),
                b=poll.seal_root,
            )
        )
    return check("poll.result_in_chain", label, diffs, note=_l("event %(n)d", n=event.seq))


def scrub_check(session: Session, poll: Poll) -> Check:
    """A sealed poll's scrub is verified, and the chain records when."""
    label = _l("The sealed ballot box was scrubbed and the scrub verified")
    if not poll.is_sealed:
        return check("poll.scrub", label, [_l("not sealed yet")], skip=True)
    job = job_of(session, poll_id=poll.id or 0)
    if job is None:
        return check("poll.scrub", label, [_l("no scrub was queued with the seal")])
    if job.state != ScrubState.VERIFIED:
        waits = describe(job) or _l("the scrub worker")
        return check("poll.scrub", label, [_l("not verified yet, waiting for: %(w)s", w=waits)])
    recorded = session.scalar(
        select(func.count()).where(
            AuditEvent.event_type == "poll.scrub_verified",
            AuditEvent.object_type == "poll",
            AuditEvent.object_id == str(poll.id),
        )
    )
    if not recorded:
        return check("poll.scrub", label, [_l("the chain records no verified scrub")])
    return check("poll.scrub", label, [], note=format_moment(job.verified_at))


def encryption_check(session: Session, poll: Poll) -> Check:
    """An encrypted poll, checked as the external verifier checks its bundle (one code path):
    the key ceremony, every ballot's proofs and tracker, the sums and the tellers' decryptions."""
    from governance.audit import verify_bundle
    from governance.audit.export import build_bundle
    from governance.auditlog import canonical

    label = _l(
        "Encrypted ballots: key ceremony, every ballot's proofs, the sums and the decryptions"
    )
    if not poll.is_sealed:
        return check("poll.encryption", label, [_l("checked once the poll is sealed")], skip=True)
    bundle = json.loads(canonical(build_bundle(session, poll_id=poll.id or 0)))
    report = verify_bundle.Report()
    counts = verify_bundle.check_encrypted(bundle, report)
    failed = [line.strip() for line in report.lines if not line.startswith("[ OK ]")]
    if counts is None and poll.result_json is None:
        # Sealed, not yet decrypted: fewer than t partial decryptions is the expected state.
        pending = [x for x in failed if "t tellers decrypted" in x or "verified partial" in x]
        if pending and len(pending) == len(failed):
            return check("poll.encryption", label, [_l("waiting for the tellers")], skip=True)
    note = _l("decrypted counts %(c)s", c=counts) if counts is not None else ""
    return check("poll.encryption", label, failed, note=note)


def poll_section(session: Session, poll: Poll) -> Section:
    """Every check of one poll."""
    from governance.audit.minutes_link import minutes_check
    from governance.ballots.verify import verify_poll

    checks = _adopt(poll, verify_poll(session, poll=poll))
    if poll.is_sealed and poll.result_json is None:
        checks.append(check("poll.tally", LABELS["tally"], [_l("not published yet")], skip=True))
    if poll.is_encrypted:
        checks.append(encryption_check(session, poll))
    checks += [result_in_chain(session, poll), minutes_check(session, poll=poll)]
    checks.append(scrub_check(session, poll))
    title = _l("Poll %(id)d: %(t)s (%(s)s)", id=poll.id, t=poll.title, s=enum_label(poll.state))
    return Section(key=f"poll-{poll.id}", title=title, checks=checks, poll_id=poll.id)


def _polls(session: Session, assembly_id: int) -> list[Poll]:
    stmt = (
        select(Poll)
        .where(Poll.assembly_id == assembly_id, Poll.state != PollState.DRAFT)
        .order_by(Poll.id)
    )
    return list(session.execute(stmt).scalars())


def assembly_sections(session: Session, *, assembly_id: int | None) -> list[Section]:
    """One section for each assembly's roll and mandates, one for each of its polls."""
    sections: list[Section] = []
    for assembly in _assemblies(session, assembly_id):
        title = _l(
            "Assembly %(id)d: %(t)s – voter roll and mandates", id=assembly.id, t=assembly.title
        )
        checks = roll_checks(session, assembly) + mandate_checks(session, assembly)
        sections.append(Section(key=f"assembly-{assembly.id}", title=title, checks=checks))
        sections.extend(poll_section(session, poll) for poll in _polls(session, assembly.id or 0))
    return sections
