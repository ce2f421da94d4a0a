"""The notify domain's answers to the events of the domains below: each becomes a mailing and
one notification per recipient (governance/notify/services.py), in the event's transaction.

Only the assemblies every member may follow (general and representative assembly) tell their
members anything: the meetings of the board and the committees stay closed (`Assembly.can_see`).
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from governance.accounts import hooks as accounts_hooks
from governance.assemblies import hooks as assemblies_hooks
from governance.assemblies.documents import NoticeKind
from governance.assemblies.models import MEMBER_BODIES, Assembly, AssemblyState
from governance.ballots import hooks as ballots_hooks
from governance.bodies import hooks_offers
from governance.bodies.models import Body
from governance.db import utcnow
from governance.minutes import hooks as minutes_hooks
from governance.notify import services
from governance.notify.models import KIND_LABELS, Kind, MailState, Notification
from governance.proposals import hooks as proposals_hooks
from governance.proposals.models import ProposalState, SubmitterKind


def _open_to_members(session: Session, assembly_id: int | None) -> Assembly | None:
    assembly = session.get(Assembly, assembly_id) if assembly_id else None
    if assembly is None or assembly.body not in MEMBER_BODIES:
        return None
    return assembly


def _to_roll(
    session: Session, assembly: Assembly, kind: Kind, title: str, object_id: int | None = None
) -> int:
    return services.announce(
        session,
        kind=kind,
        title=title,
        recipients=services.roll_recipients(session, assembly_id=assembly.id),
        assembly_id=assembly.id,
        object_id=object_id,
        now=utcnow(),
    )


@assemblies_hooks.notices_queued.connect
def _notices(assembly: Assembly, *, session: Session, kind: NoticeKind, **kw: Any) -> None:
    """The invitation or supplement is mailed by convening itself: on the start page too."""
    services.announce(
        session,
        kind=Kind.INVITATION if kind == NoticeKind.INVITATION else Kind.SUPPLEMENT,
        title=assembly.title,
        recipients=services.members_recipients(session, kw["member_ids"]),
        assembly_id=assembly.id,
        state=MailState.MAILED,
        mailing_id=kw["mailing_id"],
        now=utcnow(),
    )


@assemblies_hooks.assembly_opened.connect
def _opened(assembly: Assembly, *, session: Session, **_kw: Any) -> None:
    if assembly.is_remote and _open_to_members(session, assembly.id):
        _to_roll(session, assembly, Kind.STARTED, assembly.title)


@assemblies_hooks.attachment_added.connect
def _attachment(attachment: Any, *, session: Session, assembly_id: int, **_kw: Any) -> None:
    assembly = _open_to_members(session, assembly_id)
    if assembly is not None and assembly.state in (
        AssemblyState.CONVENED,
        AssemblyState.IN_SESSION,
    ):
        _to_roll(session, assembly, Kind.DOCUMENTS, attachment.filename, attachment.id)


def _submitter(session: Session, proposal: Any) -> list[services.Recipient]:
    if proposal.submitter_kind == SubmitterKind.MEMBER and proposal.member_id:
        return services.members_recipients(session, [proposal.member_id])
    if proposal.submitted_by_id:
        return [services.Recipient(None, proposal.submitted_by_id)]
    return []


@proposals_hooks.proposal_submitted.connect
def _submitted(proposal: Any, *, session: Session, **_kw: Any) -> None:
    now = utcnow()
    common = {"title": proposal.title, "assembly_id": proposal.assembly_id, "now": now}
    common["object_id"] = proposal.id
    mine = _submitter(session, proposal)
    services.announce(session, kind=Kind.PROPOSAL_RECEIVED, recipients=mine, **common)
    board = [r for r in services.board_recipients(session) if r.user_id not in _users(mine)]
    services.announce(session, kind=Kind.PROPOSAL_NEW, recipients=board, **common)


def _users(recipients: list[services.Recipient]) -> set[int | None]:
    return {r.user_id for r in recipients}


@proposals_hooks.proposal_decided.connect
def _decided(proposal: Any, *, session: Session, previous: ProposalState, **_kw: Any) -> None:
    """Admitted onto the agenda, or not admitted (rejected, referred) with the note why."""
    if previous != ProposalState.SUBMITTED or proposal.state == ProposalState.WITHDRAWN:
        return
    services.announce(
        session,
        kind=Kind.PROPOSAL_DECIDED,
        title=proposal.title,
        recipients=_submitter(session, proposal),
        assembly_id=proposal.assembly_id,
        object_id=proposal.id,
        now=utcnow(),
    )


@ballots_hooks.poll_published.connect
def _published(poll: Any, *, session: Session, **_kw: Any) -> None:
    assembly = _open_to_members(session, poll.assembly_id)
    if assembly is not None:
        _to_roll(session, assembly, Kind.RESULTS, poll.title, poll.id)


@minutes_hooks.minutes_published.connect
def _minutes(version: Any, *, session: Session, **_kw: Any) -> None:
    assembly = _open_to_members(session, version.assembly_id)
    if assembly is not None:
        _to_roll(session, assembly, Kind.MINUTES, assembly.title, version.id)


@hooks_offers.seat_offered.connect
def _seat_offered(offer: Any, *, session: Session, **_kw: Any) -> None:
    """The elected member is offered a seat: only they are told, and they must be."""
    body = session.get(Body, offer.body_id)
    services.announce(
        session,
        kind=Kind.SEAT_OFFERED,
        title=body.name if body is not None else offer.candidate,
        recipients=services.members_recipients(session, [offer.member_id]),
        object_id=offer.id,
        now=utcnow(),
    )


@accounts_hooks.recent_notifications.register
def _recent(session: Session, *, user: Any, limit: int = 8) -> list[dict[str, Any]]:
    return [
        {
            "label": KIND_LABELS[n.kind],
            "title": n.title,
            "created_at": n.created_at,
            "endpoint": link[0],
            "values": link[1],
        }
        for n in services.recent(session, user=user, limit=limit)
        for link in [target(n)]
    ]


def target(n: Notification) -> tuple[str, dict[str, int]]:
    """The page a notification points to: (endpoint, its arguments)."""
    if n.kind in (Kind.PROPOSAL_RECEIVED, Kind.PROPOSAL_DECIDED, Kind.PROPOSAL_NEW):
        return "proposals.detail", {"proposal_id": n.object_id or 0}
    if n.kind == Kind.RESULTS:
        return "ballots.results", {"poll_id": n.object_id or 0}
    if n.kind == Kind.MINUTES:
        return "minutes.versions", {"assembly_id": n.assembly_id or 0}
    if n.kind == Kind.SEAT_OFFERED:
        return "bodies.my_offers", {}
    if n.kind == Kind.STARTED:
        return "assemblies.live", {"assembly_id": n.assembly_id or 0}
    return "assemblies.detail", {"assembly_id": n.assembly_id or 0}
