"""What the ballots domain answers for the domains below it (registered on import).

The assemblies domain declares these questions in `governance/assemblies/hooks.py`, the
backup in `governance/backup/hooks.py`; this module answers them, so that neither imports
ballots.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from governance import metrics
from governance.assemblies import hooks
from governance.backup.hooks import backup_blockers
from governance.ballots.charts import bar_chart, chart_rows
from governance.ballots.choices import Shape, request_width
from governance.ballots.encryption import ceremony_of, poll_key
from governance.ballots.models import Channel, Participation, Poll, PollOption, PollState
from governance.ballots.models_scrub import ScrubJob, ScrubState
from governance.ballots.tally import PollResult
from governance.ballots.voters import voters_of
from governance.tellers import hooks as tellers_hooks


@hooks.has_opened_poll.register
def has_opened_poll(session: Session, *, assembly_id: int) -> bool:
    """Whether any poll of the assembly has been opened (open, closed, sealed or published)."""
    query = (
        select(Poll.id).where(Poll.assembly_id == assembly_id, Poll.opened_at.is_not(None)).limit(1)
    )
    return session.execute(query).first() is not None


@hooks.has_voted.register
def has_voted(session: Session, *, poll_id: int, member_id: int) -> bool:
    """Whether the member's vote in the poll has been cast (by them or by their proxy)."""
    query = select(Participation.poll_id).where(
        Participation.poll_id == poll_id, Participation.member_id == member_id
    )
    return session.execute(query.limit(1)).first() is not None


@hooks.votes_waiting.register
def votes_waiting(session: Session, *, poll_id: int, member_id: int) -> int:
    """Votes the member may still cast in the poll: own and as a proxy, not yet cast."""
    return sum(1 for v in voters_of(session, poll_id=poll_id, member_id=member_id) if not v.done)


@hooks.open_poll.register
def open_poll(session: Session, *, assembly_id: int) -> dict[str, Any] | None:
    """The poll open right now with its turnout (participations so far) and what its ballot
    asks (for the live page's ballot), or None."""
    row = session.execute(
        select(
            Poll.id,
            Poll.title,
            Poll.kind,
            Poll.election_mode,
            Poll.seats,
            Poll.secret,
            Poll.auto_close_at,
        )
        .where(Poll.assembly_id == assembly_id, Poll.state == PollState.OPEN)
        .order_by(Poll.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    poll_id, title, kind, mode, seats, secret, closes_at = row
    turnout = session.execute(
        select(func.count()).select_from(Participation).where(Participation.poll_id == poll_id)
    ).scalar_one()
    options = session.execute(
        select(PollOption.id, PollOption.label)
        .where(PollOption.poll_id == poll_id)
        .order_by(PollOption.position)
    ).all()
    ballot = {
        "kind": kind.value,
        "mode": mode.value if mode is not None else None,
        "seats": seats,
        "secret": bool(secret),
        "options": [{"id": oid, "label": label} for oid, label in options],
        # The script pads every cast body to this width: one length whatever the choice.
        "pad_to": request_width(Shape(kind, mode, seats, tuple(oid for oid, _ in options))),
    }
    poll = session.get(Poll, poll_id) if secret else None
    if poll is not None and poll.is_encrypted:
        # Encrypted in the page (encrypted_ballot.js): one ballot per vote when weighted.
        ballot["encrypted"] = key_context(session, poll)
        ballot["weighted"] = bool(poll.weighted)
    return {
        "id": poll_id,
        "title": title,
        "turnout": int(turnout),
        "closes_at": closes_at.isoformat() if closes_at is not None else None,
        "ballot": ballot,
    }


def key_context(session: Session, poll: Poll) -> dict[str, Any]:
    """An encrypted poll's key as the browser encrypts under it (coopvote.js `ctx`), with the
    key's fingerprint to show."""
    key = poll_key(session, poll)
    ceremony = ceremony_of(session, poll)
    return {
        "ceremony": key.ceremony,
        "Y": key.Y,
        "assembly": key.assembly,
        "poll": key.poll,
        "definition": key.definition,
        "fingerprint": ceremony.key_fingerprint if ceremony is not None else None,
    }


@hooks.latest_result.register
def latest_result(session: Session, *, assembly_id: int) -> dict[str, Any] | None:
    """The result published last in the assembly (for the live page), or None."""
    row = session.execute(
        select(Poll.id, Poll.title, Poll.result_json)
        .where(Poll.assembly_id == assembly_id, Poll.state == PollState.PUBLISHED)
        .order_by(Poll.published_at.desc(), Poll.id.desc())
        .limit(1)
    ).first()
    if row is None or not row[2]:
        return None
    result = PollResult.from_json(row[2])
    return {
        "id": row[0],
        "title": row[1],
        "kind": result.kind,
        "outcome": result.outcome,
        "elected": list(result.elected),
    }


@backup_blockers.register
def polls_in_progress(session: Session) -> list[str]:
    """Polls whose rows can still be linked (open, closed and not sealed, scrub not verified)."""
    unsealed = session.execute(
        select(Poll.id, Poll.title, Poll.state)
        .where(Poll.state.in_([PollState.OPEN, PollState.CLOSED]))
        .order_by(Poll.id)
    ).all()
    unscrubbed = session.execute(
        select(Poll.id, Poll.title, ScrubJob.state)
        .join(ScrubJob, ScrubJob.poll_id == Poll.id)
        .where(ScrubJob.state != ScrubState.VERIFIED)
        .order_by(Poll.id)
    ).all()
    return [
        *(f"poll {pid} ({title!r}) is {state.value.lower()}" for pid, title, state in unsealed),
        *(
            f"the scrub of sealed poll {pid} ({title!r}) is not verified ({state.value.lower()})"
            for pid, title, state in unscrubbed
        ),
    ]


@hooks.poll_overview.register
def poll_overview(session: Session, *, assembly_id: int) -> dict[str, Any]:
    """The polls as the chair runs them: the open one with its turnout (and how many votes
    came by proxy), the sealed ones waiting for the declaration, the drafts in order."""
    polls = session.execute(
        select(Poll.id, Poll.title, Poll.state, Poll.agenda_item_id)
        .where(Poll.assembly_id == assembly_id)
        .order_by(Poll.id)
    ).all()
    current = next((p for p in reversed(polls) if p.state == PollState.OPEN), None)
    opened = None
    if current is not None:
        rows = session.execute(
            select(Participation.channel, func.count())
            .where(Participation.poll_id == current.id)
            .group_by(Participation.channel)
        ).all()
        by_channel = {Channel(c): int(n) for c, n in rows}
        opened = {
            "id": current.id,
            "title": current.title,
            "cast": sum(by_channel.values()),
            "by_proxy": by_channel.get(Channel.PROXY, 0),
        }
    return {
        "open": opened,
        "sealed": [{"id": p.id, "title": p.title} for p in polls if p.state == PollState.SEALED],
        "drafts": [
            {"id": p.id, "title": p.title, "item_id": p.agenda_item_id}
            for p in polls
            if p.state == PollState.DRAFT
        ],
    }


@hooks.result_chart.register
def result_chart(session: Session, *, poll_id: int) -> Any:
    """The published result's bar chart (inline SVG), or None."""
    poll = session.get(Poll, poll_id)
    if poll is None or poll.state != PollState.PUBLISHED or not poll.result_json:
        return None
    return bar_chart(chart_rows(PollResult.from_json(poll.result_json)), title=poll.title)


def _vote_metrics(session: Session, _now: Any) -> list[Any]:
    """For /metrics: votes cast (participations) so far, and the polls open now."""
    from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

    cast = CounterMetricFamily("governance_votes_cast", "Votes cast (own and by proxy), all polls")
    cast.add_metric([], int(session.scalar(select(func.count()).select_from(Participation)) or 0))
    open_now = GaugeMetricFamily("governance_polls_open", "Polls open for votes now")
    open_now.add_metric(
        [],
        int(
            session.scalar(
                select(func.count()).select_from(Poll).where(Poll.state == PollState.OPEN)
            )
            or 0
        ),
    )
    return [cast, open_now]


metrics.register("votes", _vote_metrics)


@tellers_hooks.secret_poll_opened.register
def secret_poll_opened(session: Session, *, assembly_id: int) -> bool:
    """Whether a secret poll of the assembly has been opened (its key must be ready before)."""
    query = select(Poll.id).where(
        Poll.assembly_id == assembly_id, Poll.secret.is_(True), Poll.opened_at.is_not(None)
    )
    return session.execute(query.limit(1)).first() is not None
