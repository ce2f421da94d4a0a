"""The per-poll bundle for an external auditor (checked by audit/verify_bundle.py).

One JSON document: the rule and the options, the frozen roll and its hash, the mandates and
exclusions, the participation list, the sealed ballot box sorted by tracker, the tellers' paper
counts, the Merkle root (as stored on the poll, in the audit chain and in the minutes) and the
published result. Trackers are lower-case hex, as in the leaf hashes. Members appear by number.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from governance.assemblies.grants import GrantState, ProxyGrant, relative_label
from governance.assemblies.models import Assembly, RollEntry
from governance.assemblies.models_mandates import Mandate
from governance.audit.services import payload_of
from governance.auditlog import AuditEvent
from governance.ballots.models import (
    Ballot,
    PaperCount,
    Participation,
    Poll,
    PollExclusion,
    PollOption,
)
from governance.db import utcnow
from governance.errors import DomainError, NotFound
from governance.i18n import _l
from governance.register.models import Member

FORMAT = "governance.poll-bundle"
VERSION = 1

SEAL_SPEC = {
    "leaf": "sha256(utf8('v1|' + poll_id + '|' + tracker_hex + '|' + choice))"
    " (an encrypted ballot: its cipher in place of the choice)",
    "order": "leaves sorted bytewise",
    "node": "sha256(0x01 || left || right); an odd last node is carried up unchanged",
    "empty": "sha256('')",
}
ROLL_SPEC = "sha256(utf8(join('\\n', sorted(number + ':' + weight))))"
RULES = {
    "SIMPLE": "yes > no of the votes cast (yes + no); abstentions and invalid do not count",
    "THREE_QUARTERS": "yes >= 3/4 of the votes cast (yes + no)",
    "NINE_TENTHS": "yes >= 9/10 of the votes cast (yes + no)",
    "RELATIVE": "the candidates with the most votes take the seats; ties across the last seat",
}


def _poll(session: Session, poll_id: int) -> Poll:
    poll = session.get(Poll, poll_id)
    if poll is None:
        raise NotFound(_l("There is no poll %(id)d.", id=poll_id))
    if not poll.is_sealed:
        raise DomainError(_l("Only a sealed poll can be exported."))
    return poll


def _numbers(session: Session, member_ids: set[int]) -> dict[int, str]:
    rows = session.execute(select(Member.id, Member.number).where(Member.id.in_(member_ids)))
    return {int(i): str(n) for i, n in rows}


def _roll(session: Session, assembly_id: int) -> list[dict[str, Any]]:
    rows = session.execute(
        select(Member.number, RollEntry.weight)
        .join(Member, Member.id == RollEntry.member_id)
        .where(RollEntry.assembly_id == assembly_id)
        .order_by(Member.number)
    )
    return [{"member": str(n), "weight": int(w)} for n, w in rows]


def _mandates(session: Session, assembly_id: int) -> list[dict[str, Any]]:
    principal, proxy = aliased(Member), aliased(Member)
    rows = session.execute(
        select(principal.number, proxy.number, Mandate.slot)
        .join(principal, principal.id == Mandate.principal_id)
        .join(proxy, proxy.id == Mandate.proxy_id)
        .where(Mandate.assembly_id == assembly_id)
        .order_by(proxy.number, Mandate.slot)
    )
    listed = [{"principal": str(a), "proxy": str(b), "slot": int(s)} for a, b, s in rows]
    return listed + _relative_mandates(session, assembly_id)


def _relative_mandates(session: Session, assembly_id: int) -> list[dict[str, Any]]:
    """Accepted grants to relatives who are not members: their mandates (relatives.py)."""
    rows = session.execute(
        select(Member.number, ProxyGrant.holder_user_id, ProxyGrant.slot)
        .join(Member, Member.id == ProxyGrant.principal_id)
        .where(
            ProxyGrant.assembly_id == assembly_id,
            ProxyGrant.state == GrantState.ACCEPTED,
            ProxyGrant.holder_user_id.is_not(None),
        )
        .order_by(ProxyGrant.holder_user_id, ProxyGrant.slot)
    )
    return [
        {"principal": str(a), "proxy": relative_label(int(u)), "slot": int(s)} for a, u, s in rows
    ]


def _participations(session: Session, poll_id: int) -> list[dict[str, Any]]:
    rows = list(session.execute(select(Participation).where(Participation.poll_id == poll_id)))
    parts = [r[0] for r in rows]
    ids = {p.member_id for p in parts} | {p.cast_by_member_id or 0 for p in parts}
    numbers = _numbers(session, ids)
    listed = [
        {
            "member": numbers.get(p.member_id, f"#{p.member_id}"),
            "cast_by": _caster(numbers, p),
            "channel": p.channel.value,
        }
        for p in parts
    ]
    return sorted(listed, key=lambda p: p["member"])


def _caster(numbers: dict[int, str], p: Participation) -> str:
    if p.cast_by_member_id is None:
        return relative_label(int(p.cast_by_user_id or 0))
    return numbers.get(p.cast_by_member_id, f"#{p.cast_by_member_id}")


def _exclusions(session: Session, poll_id: int) -> list[str]:
    rows = session.execute(
        select(Member.number)
        .join(PollExclusion, PollExclusion.member_id == Member.id)
        .where(PollExclusion.poll_id == poll_id)
        .order_by(Member.number)
    )
    return [str(r[0]) for r in rows]


def _ballots(session: Session, poll_id: int) -> list[dict[str, str]]:
    rows = session.execute(
        select(Ballot.tracker, Ballot.choice, Ballot.cipher).where(Ballot.poll_id == poll_id)
    ).all()
    box = [
        {"tracker": bytes(t).hex(), "choice": str(c), **({"cipher": x} if x is not None else {})}
        for t, c, x in rows
    ]
    return sorted(box, key=lambda b: b["tracker"])


def _encryption(session: Session, poll: Poll) -> dict[str, Any] | None:
    """An encrypted poll's key ceremony transcript, shape, sums and partial decryptions."""
    from governance.ballots.encryption import ceremony_of, definition_for
    from governance.ballots.models import DecryptionShare
    from governance.tellers.models import Teller

    ceremony = ceremony_of(session, poll)
    assembly = session.get(Assembly, poll.assembly_id)
    if ceremony is None or assembly is None:
        return None
    tellers = session.scalars(
        select(Teller).where(Teller.ceremony_id == ceremony.id).order_by(Teller.idx)
    )
    shares = session.scalars(
        select(DecryptionShare)
        .where(DecryptionShare.poll_id == poll.id)
        .order_by(DecryptionShare.teller_idx)
    )
    return {
        "scheme": "coopvote/v1 (docs/coopvote.md)",
        "ceremony": {
            "id": ceremony.uuid,
            "n": ceremony.n,
            "t": ceremony.t,
            "fingerprint": ceremony.fingerprint,
            "public_key": ceremony.public_key,
            "key_fingerprint": ceremony.key_fingerprint,
            "tellers": [
                {
                    "index": t.idx,
                    "round1": json.loads(t.round1) if t.round1 else None,
                    "confirmed": t.confirmed_fingerprint,
                }
                for t in tellers
            ],
        },
        "assembly_uuid": assembly.uuid,
        "poll_uuid": poll.uuid,
        "definition": definition_for(session, poll),
        "sums": json.loads(poll.sums) if poll.sums else None,
        "decryptions": [{"teller": d.teller_idx, "shares": json.loads(d.shares)} for d in shares],
    }


def _paper(session: Session, poll_id: int) -> dict[str, int]:
    rows = session.execute(
        select(PaperCount.item, PaperCount.votes)
        .where(PaperCount.poll_id == poll_id)
        .order_by(PaperCount.item)
    )
    return {str(i): int(v) for i, v in rows}


def seal_event(session: Session, poll_id: int) -> AuditEvent | None:
    """The chain's record of the poll's seal (the newest, should there be several)."""
    return session.execute(
        select(AuditEvent)
        .where(
            AuditEvent.event_type == "poll.sealed",
            AuditEvent.object_type == "poll",
            AuditEvent.object_id == str(poll_id),
        )
        .order_by(AuditEvent.seq.desc())
        .limit(1)
    ).scalar_one_or_none()


def _seal(session: Session, poll: Poll) -> dict[str, Any]:
    from governance.audit.minutes_link import minutes_record

    event = seal_event(session, poll.id or 0)
    recorded = (
        None
        if event is None
        else {
            "seq": event.seq,
            "hash": event.hash,
            "merkle_root": payload_of(event).get("merkle_root"),
        }
    )
    return {
        **SEAL_SPEC,
        "merkle_root": poll.seal_root,
        "audit_event": recorded,
        "minutes": minutes_record(session, poll=poll),
    }


def _poll_data(session: Session, poll: Poll) -> dict[str, Any]:
    options = session.execute(
        select(PollOption).where(PollOption.poll_id == poll.id).order_by(PollOption.position)
    ).scalars()
    return {
        "id": poll.id,
        "assembly_id": poll.assembly_id,
        "title": poll.title,
        "kind": poll.kind.value,
        "election_mode": poll.election_mode.value if poll.election_mode else None,
        "seats": poll.seats,
        "majority": poll.majority.value,
        "weighted": poll.weighted,
        "secret": poll.secret,
        "state": poll.state.value,
        "options": [{"id": o.id, "position": o.position, "label": o.label} for o in options],
        "opened_at": poll.opened_at,
        "closed_at": poll.closed_at,
        "sealed_at": poll.sealed_at,
        "published_at": poll.published_at,
    }


def build_bundle(session: Session, *, poll_id: int) -> dict[str, Any]:
    """The bundle of a sealed poll as a dict (see the module docstring)."""
    poll = _poll(session, poll_id)
    assembly = session.get(Assembly, poll.assembly_id)
    assert assembly is not None and poll.id is not None
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": utcnow(),
        "assembly": {"id": assembly.id, "title": assembly.title, "starts_at": assembly.starts_at},
        "poll": _poll_data(session, poll),
        "rule": {"majority": poll.majority.value, "text": RULES[poll.majority.value]},
        "roll": {
            "hash": assembly.roll_hash,
            "hash_at_open": poll.roll_hash,
            "spec": ROLL_SPEC,
            "entries": _roll(session, assembly.id or 0),
        },
        "mandates": _mandates(session, assembly.id or 0),
        "exclusions": _exclusions(session, poll.id),
        "participations": _participations(session, poll.id),
        "ballots": _ballots(session, poll.id),
        "paper_counts": _paper(session, poll.id),
        "encryption": _encryption(session, poll) if poll.is_encrypted else None,
        "seal": _seal(session, poll),
        "result": json.loads(poll.result_json) if poll.result_json else None,
    }


def bundle_json(session: Session, *, poll_id: int) -> str:
    """The bundle as pretty, key-sorted JSON text (UTF-8 safe)."""
    from governance.auditlog import canonical

    data = json.loads(canonical(build_bundle(session, poll_id=poll_id)))
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
