"""The secretary's audit of one poll (ballots.md, "What the secretary's audit checks").

`verify_poll` returns one Check per rule; a failed check says what differs. The audit chain
itself (hashes, sequence) is verified by the audit domain, which builds on this.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from governance.assemblies.grants import GrantState, ProxyGrant, relative_label
from governance.assemblies.models import Assembly, Channel, RollEntry
from governance.assemblies.models_mandates import Mandate
from governance.auditlog import AuditEvent
from governance.ballots import choices as ch
from governance.ballots.models import Ballot, NamedVote, Participation, Poll, PollExclusion
from governance.ballots.paper import room_votes
from governance.ballots.seal import box_root
from governance.ballots.shape import shape_of
from governance.ballots.tally import ballot_counts, compute_result, paper_counts
from governance.i18n import _l, enum_label, ngettext
from governance.register.models import Member

SHOW = 5  # how many offending rows a detail names


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: Any  # a text in the reader's language (lazily translated)


def verify_poll(session: Session, *, poll: Poll) -> list[Check]:
    """Every check of the poll; all `ok` means the box, the count and the seal agree."""
    checks = [
        _check_roll_hash(session, poll),
        _check_counts(session, poll),
        _check_on_roll(session, poll),
        _check_expelled(session, poll),
        _check_mandates(session, poll),
        _check_choices(session, poll),
        _check_paper(session, poll),
    ]
    if not poll.secret:
        checks.append(_check_named(session, poll))
    if poll.is_sealed:
        checks += [_check_seal(session, poll), _check_seal_in_chain(session, poll)]
    else:
        checks.append(
            Check(
                "seal",
                False,
                _l("the poll is “%(s)s”, not sealed yet", s=enum_label(poll.state)),
            )
        )
    if poll.result_json is not None:
        checks.append(_check_tally(session, poll))
    return checks


def _check_roll_hash(session: Session, poll: Poll) -> Check:
    from governance.assemblies.services import roll_hash

    assembly = session.get(Assembly, poll.assembly_id)
    recomputed = roll_hash(session, assembly_id=poll.assembly_id)
    frozen = assembly.roll_hash if assembly else None
    ok = poll.roll_hash == frozen == recomputed
    return Check(
        "roll_hash",
        ok,
        _l("poll %(p)s, assembly %(a)s, roll now %(r)s", p=poll.roll_hash, a=frozen, r=recomputed),
    )


def _vote_weight(poll: Poll) -> Any:
    return RollEntry.weight if poll.weighted else 1


def _participation_votes(session: Session, poll: Poll, channels: tuple[Channel, ...]) -> int:
    total = session.scalar(
        select(func.coalesce(func.sum(_vote_weight(poll)), 0))
        .select_from(Participation)
        .join(
            RollEntry,
            (RollEntry.member_id == Participation.member_id)
            & (RollEntry.assembly_id == poll.assembly_id),
            isouter=True,
        )
        .where(Participation.poll_id == poll.id, Participation.channel.in_(channels))
    )
    return int(total or 0)


def _check_counts(session: Session, poll: Poll) -> Check:
    votes = _participation_votes(session, poll, (Channel.ONLINE, Channel.PROXY))
    ballots = int(session.scalar(select(func.count()).where(Ballot.poll_id == poll.id)) or 0)
    if ballots == votes:
        return Check(
            "counts", True, _l("%(b)d ballots, %(v)d votes cast online", b=ballots, v=votes)
        )
    diff = ballots - votes
    if diff > 0:
        what = ngettext("%(num)d ballot more", "%(num)d ballots more", diff)
    else:
        what = ngettext("%(num)d ballot missing", "%(num)d ballots missing", -diff)
    return Check(
        "counts",
        False,
        _l("%(what)s: %(b)d ballots, %(v)d votes cast online", what=what, b=ballots, v=votes),
    )


def _check_on_roll(session: Session, poll: Poll) -> Check:
    on_roll = select(RollEntry.member_id).where(RollEntry.assembly_id == poll.assembly_id)
    excluded = select(PollExclusion.member_id).where(PollExclusion.poll_id == poll.id)
    bad = session.scalars(
        select(Participation.member_id).where(
            Participation.poll_id == poll.id,
            Participation.member_id.not_in(on_roll)
            | Participation.member_id.in_(excluded)
            | Participation.cast_by_member_id.in_(excluded),
        )
    ).all()
    if not bad:
        return Check("on_roll", True, _l("every participant is on the roll and not excluded"))
    return Check(
        "on_roll", False, _l("not on the roll or excluded: members %(m)s", m=sorted(bad)[:SHOW])
    )


def _check_expelled(session: Session, poll: Poll) -> Check:
    """§68(2) GenG: nobody expelled by a letter sent on or before the day the poll opened took
    part in it, in person or as proxy (a later expulsion leaves a vote cast before it)."""
    if poll.opened_at is None:
        return Check("expelled", True, _l("the poll has not been opened"))
    day = poll.opened_at.date()
    expelled = select(Member.id).where(Member.expulsion_letter_date <= day)
    bad = session.scalars(
        select(Participation.member_id).where(
            Participation.poll_id == poll.id,
            Participation.member_id.in_(expelled) | Participation.cast_by_member_id.in_(expelled),
        )
    ).all()
    if not bad:
        return Check("expelled", True, _l("no participant was expelled when the poll opened"))
    return Check(
        "expelled",
        False,
        _l("expelled before the poll opened (§68(2)): members %(m)s", m=sorted(bad)[:SHOW]),
    )


def _proxy_casts(session: Session, poll: Poll) -> list[Any]:
    """(member, caster, mandate or grant id) of every vote cast for another member: by a
    member holding a mandate, or by a relative (caster "relative-<login>") holding an
    accepted grant (relatives.py); the id is None where none is found."""
    by_member = session.execute(
        select(Participation.member_id, Participation.cast_by_member_id, Mandate.id)
        .join(
            Mandate,
            (Mandate.assembly_id == poll.assembly_id)
            & (Mandate.principal_id == Participation.member_id)
            & (Mandate.proxy_id == Participation.cast_by_member_id),
            isouter=True,
        )
        .where(
            Participation.poll_id == poll.id,
            Participation.member_id != Participation.cast_by_member_id,
        )
    ).all()
    by_relative = session.execute(
        select(Participation.member_id, Participation.cast_by_user_id, ProxyGrant.id)
        .join(
            ProxyGrant,
            (ProxyGrant.assembly_id == poll.assembly_id)
            & (ProxyGrant.principal_id == Participation.member_id)
            & (ProxyGrant.holder_user_id == Participation.cast_by_user_id)
            & (ProxyGrant.state == GrantState.ACCEPTED),
            isouter=True,
        )
        .where(Participation.poll_id == poll.id, Participation.cast_by_user_id.is_not(None))
    ).all()
    return [*by_member, *((m, relative_label(u), g) for m, u, g in by_relative)]


def _check_mandates(session: Session, poll: Poll) -> Check:
    rows = _proxy_casts(session, poll)
    missing = [(m, p) for m, p, mandate in rows if mandate is None]
    per_proxy = Counter(p for _m, p, _x in rows)
    over = sorted(p for p, n in per_proxy.items() if n > 2)
    if missing or over:
        return Check(
            "mandates",
            False,
            _l(
                "proxy casts without mandate (member, proxy): %(m)s; proxies over two: %(o)s",
                m=missing[:SHOW],
                o=over[:SHOW],
            ),
        )
    return Check(
        "mandates",
        True,
        ngettext(
            "%(num)d proxy cast, with a mandate",
            "%(num)d proxy casts, each with a mandate",
            len(rows),
        ),
    )


def _check_choices(session: Session, poll: Poll) -> Check:
    if poll.is_encrypted:
        # The proofs of every ballot are checked by the audit (audit/verify_polls.py) and at
        # the seal; here: no encrypted poll's ballot holds a plaintext choice.
        plain = session.scalars(
            select(Ballot.tracker).where(
                Ballot.poll_id == poll.id, (Ballot.choice != "") | Ballot.cipher.is_(None)
            )
        ).all()
        if not plain:
            return Check(
                "choices", True, "every ballot is encrypted, none holds a plaintext choice"
            )
        names = [bytes(t).hex() for t in plain[:SHOW]]
        return Check("choices", False, f"ballots with a plaintext choice: {names}")
    shape, _options = shape_of(session, poll)
    bad = [c for c in ballot_counts(session, poll_id=poll.id or 0) if not ch.is_valid(shape, c)]
    if not bad:
        return Check("choices", True, _l("every ballot holds a valid choice"))
    trackers = session.scalars(
        select(Ballot.tracker).where(Ballot.poll_id == poll.id, Ballot.choice.in_(bad))
    ).all()
    names = [bytes(t).hex() for t in trackers[:SHOW]]
    return Check(
        "choices", False, _l("invalid choices %(c)s in ballots %(b)s", c=repr(bad[:SHOW]), b=names)
    )


def _check_paper(session: Session, poll: Poll) -> Check:
    shape, _options = shape_of(session, poll)
    counted = ch.paper_ballots(shape, paper_counts(session, poll_id=poll.id or 0))
    expected = room_votes(session, poll=poll)
    ok = counted == expected or (not poll.is_sealed and counted == 0)
    return Check(
        "paper",
        ok,
        _l("paper ballots counted: %(c)d, votes in the room: %(e)d", c=counted, e=expected),
    )


def _check_named(session: Session, poll: Poll) -> Check:
    weight = _vote_weight(poll)
    named = session.execute(
        select(NamedVote.choice, func.sum(weight))
        .select_from(NamedVote)
        .join(
            RollEntry,
            (RollEntry.member_id == NamedVote.member_id)
            & (RollEntry.assembly_id == poll.assembly_id),
            isouter=True,
        )
        .where(NamedVote.poll_id == poll.id)
        .group_by(NamedVote.choice)
    ).all()
    listed = {c: int(n) for c, n in named}
    counted = ballot_counts(session, poll_id=poll.id or 0)
    ok = listed == counted
    return Check("named", ok, _l("named list %(l)s, ballot box %(c)s", l=listed, c=counted))


def _check_seal(session: Session, poll: Poll) -> Check:
    root = box_root(session, poll_id=poll.id or 0)
    if root == poll.seal_root:
        return Check("merkle_root", True, _l("the box recomputes to the sealed root %(r)s", r=root))
    return Check(
        "merkle_root",
        False,
        _l(
            "the box recomputes to %(r)s, the sealed root is %(s)s: "
            "a ballot was changed, added or removed after sealing",
            r=root,
            s=poll.seal_root,
        ),
    )


def _check_seal_in_chain(session: Session, poll: Poll) -> Check:
    payloads = session.scalars(
        select(AuditEvent.payload).where(
            AuditEvent.event_type == "poll.sealed",
            AuditEvent.object_type == "poll",
            AuditEvent.object_id == str(poll.id),
        )
    ).all()
    roots = [json.loads(p).get("merkle_root") for p in payloads]
    ok = roots == [poll.seal_root]
    return Check(
        "seal_in_chain",
        ok,
        _l("audit chain records %(r)s, poll holds %(s)s", r=roots, s=poll.seal_root),
    )


def _check_tally(session: Session, poll: Poll) -> Check:
    published = json.loads(poll.result_json or "{}")
    now = asdict(compute_result(session, poll=poll))
    diffs = [
        str(_l("%(k)s: published %(p)s, now %(n)s", k=k, p=repr(published.get(k)), n=repr(now[k])))
        for k in sorted(now)
        if published.get(k) != now[k]
    ]
    if not diffs:
        return Check("tally", True, _l("the count recomputes to the published result"))
    return Check("tally", False, "; ".join(diffs[:SHOW]))
