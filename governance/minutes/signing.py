"""Signatures and publication of the minutes (§47(2), §47(4) GenG).

The chair and at least one other board member present approve in the app, each over the
SHA-256 of the exact PDF bytes of the current draft. A supervisory board member then publishes
those bytes as an immutable version; a correction is a new version referencing the previous one
with a reason. Members are notified through the mail outbox.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer
from sqlmodel import Session

from governance.accounts.models import Role, User
from governance.assemblies import body_meetings
from governance.assemblies.models import Assembly, AssemblyState, Attendance
from governance.auditlog import record_event
from governance.bodies.queries import seat_of
from governance.errors import DomainError
from governance.i18n import _l
from governance.minutes import hooks
from governance.minutes.completeness import check
from governance.minutes.document import board_members_present
from governance.minutes.models import Approval, Capacity, Minutes, MinutesVersion, RenderJob
from governance.minutes.rendering import CoopSettings, current_render, document

SIGNABLE_STATES = (AssemblyState.CLOSED, AssemblyState.MINUTES_PUBLISHED)


def _body_capacity(session: Session, *, assembly: Assembly, user: Any) -> Capacity | None:
    """At a body's meeting: CHAIR for the body's chair on the meeting's day (without one, the
    meeting's chair), BOARD (co-signer) for another seat of the body who was present."""
    chair = body_meetings.chair_user(session, assembly=assembly, body_first=True)
    if chair is not None and chair.id == user.id:
        return Capacity.CHAIR
    day = assembly.starts_at.date()
    seat = seat_of(session, user=user, body_id=assembly.body_id or 0, day=day)
    member_id = getattr(user, "member_id", None)
    if seat is None or member_id is None:
        return None
    present = session.execute(
        select(Attendance.id).where(
            Attendance.assembly_id == assembly.id, Attendance.member_id == member_id
        )
    ).first()
    return Capacity.BOARD if present is not None else None


def capacity_of(session: Session, *, assembly: Assembly, user: Any) -> Capacity | None:
    """CHAIR for the chair; BOARD for another board member who was present; else None. At a
    body's meeting the body's chair and another seat present sign."""
    if not getattr(user, "is_authenticated", False):
        return None
    if assembly.of_body:
        return _body_capacity(session, assembly=assembly, user=user)
    if assembly.chair_user_id is not None and user.id == assembly.chair_user_id:
        return Capacity.CHAIR
    if user.has_role(Role.BOARD):
        present = board_members_present(session, assembly_id=assembly.id or 0)
        if any(u.id == user.id for u in present):
            return Capacity.BOARD
    return None


def approvals_of(
    session: Session, *, minutes: Minutes, render: RenderJob | None
) -> list[tuple[Approval, User]]:
    """The approvals that count: given for this revision over exactly these PDF bytes."""
    if render is None:
        return []
    rows = session.execute(
        select(Approval, User)
        .join(User, User.id == Approval.user_id)
        .where(
            Approval.minutes_id == minutes.id,
            Approval.revision == minutes.revision,
            Approval.pdf_sha256 == render.pdf_sha256,
        )
        .order_by(Approval.approved_at, Approval.id)
    ).all()
    return [(a, u) for a, u in rows]


def all_approvals(session: Session, *, minutes: Minutes) -> list[tuple[Approval, User]]:
    """Every approval ever given for these minutes (older ones no longer count)."""
    rows = session.execute(
        select(Approval, User)
        .join(User, User.id == Approval.user_id)
        .where(Approval.minutes_id == minutes.id)
        .order_by(Approval.approved_at.desc(), Approval.id.desc())
    ).all()
    return [(a, u) for a, u in rows]


def signatures_complete(approvals: list[tuple[Approval, User]]) -> bool:
    """The chair and at least one other board member approved (§47(2) GenG)."""
    chair = {a.user_id for a, _u in approvals if a.capacity == Capacity.CHAIR}
    board = {a.user_id for a, _u in approvals if a.capacity == Capacity.BOARD}
    return bool(chair) and bool(board - chair)


def _ready(session: Session, minutes: Minutes, coop: CoopSettings) -> tuple[Assembly, RenderJob]:
    """The assembly and the current rendering, or the reason they cannot be signed yet."""
    assembly = session.get(Assembly, minutes.assembly_id)
    assert assembly is not None
    if assembly.state not in SIGNABLE_STATES:
        raise DomainError(_l("The minutes can be signed once the assembly is closed."))
    doc = document(session, minutes=minutes, coop=coop)
    missing = check(doc)
    if missing:
        raise DomainError(
            _l("The minutes are incomplete: %(list)s", list="; ".join(m.message for m in missing))
        )
    render = current_render(session, minutes=minutes, doc=doc)
    if render is None:
        raise DomainError(_l("Render the current draft first; the last PDF is out of date."))
    return assembly, render


def approve(
    session: Session, *, minutes: Minutes, user: Any, expected_sha256: str, coop: CoopSettings
) -> Approval:
    """Sign the current PDF in the app: who, when, and the SHA-256 of the exact bytes."""
    assembly, render = _ready(session, minutes, coop)
    if render.pdf_sha256 != expected_sha256:
        raise DomainError(
            _l("The PDF changed since you opened it; read the new one and approve again.")
        )
    capacity = capacity_of(session, assembly=assembly, user=user)
    if capacity is None:
        raise DomainError(
            _l("Only the chair and board members present at the assembly sign the minutes.")
        )
    approval = Approval(
        minutes_id=minutes.id or 0,
        render_id=render.id or 0,
        user_id=user.id,
        capacity=capacity,
        revision=minutes.revision,
        pdf_sha256=render.pdf_sha256 or "",
    )
    try:
        with session.begin_nested():
            session.add(approval)
            session.flush()
    except IntegrityError:
        raise DomainError(_l("You have approved this PDF already.")) from None
    _audit(
        session,
        minutes,
        "minutes.approved",
        user,
        capacity=capacity,
        pdf_sha256=approval.pdf_sha256,
    )
    return approval


def _audit(session: Session, minutes: Minutes, event_type: str, actor: Any, **payload: Any) -> None:
    record_event(
        session,
        event_type=event_type,
        actor=actor,
        object_type="minutes",
        object_id=minutes.id,
        assembly_id=minutes.assembly_id,
        payload={"revision": minutes.revision, **payload},
    )


def versions_of(session: Session, *, assembly_id: int) -> list[MinutesVersion]:
    """The published versions, newest first (without their bytes)."""
    return list(
        session.scalars(
            select(MinutesVersion)
            .options(defer(MinutesVersion.pdf))  # type: ignore[arg-type]
            .where(MinutesVersion.assembly_id == assembly_id)
            .order_by(MinutesVersion.number.desc())
        )
    )


def version(session: Session, *, assembly_id: int, number: int) -> MinutesVersion | None:
    """One published version with its bytes."""
    return session.scalar(
        select(MinutesVersion).where(
            MinutesVersion.assembly_id == assembly_id, MinutesVersion.number == number
        )
    )


def publish(
    session: Session, *, minutes: Minutes, user: Any, reason: str, coop: CoopSettings
) -> MinutesVersion:
    """Publish the signed PDF as the next version; the first moves the assembly on."""
    assembly, render = _ready(session, minutes, coop)
    if assembly.of_body and not assembly.can_manage(user):
        raise DomainError(_l("The chair of the body publishes the minutes of its meetings."))
    if not assembly.of_body and not user.has_role(Role.SUPERVISORY_BOARD):
        raise DomainError(_l("The supervisory board publishes the minutes."))
    if not signatures_complete(approvals_of(session, minutes=minutes, render=render)):
        raise DomainError(
            _l("The chair and at least one other board member present must approve first.")
        )
    data = render.pdf or b""
    if hashlib.sha256(data).hexdigest() != render.pdf_sha256:
        raise DomainError(_l("The stored PDF does not match its checksum; render it again."))
    previous = (versions_of(session, assembly_id=assembly.id or 0) or [None])[0]
    reason = reason.strip()
    _check_correction(previous, render, reason)
    version_row = MinutesVersion(
        minutes_id=minutes.id or 0,
        assembly_id=assembly.id or 0,
        number=(previous.number + 1) if previous else 1,
        previous_id=previous.id if previous else None,
        reason=reason if previous else "",
        render_id=render.id or 0,
        pdf=data,
        pdf_sha256=render.pdf_sha256 or "",
        page_count=render.page_count or 1,
        published_by_id=user.id,
    )
    session.add(version_row)
    if assembly.state == AssemblyState.CLOSED:
        assembly.transition(AssemblyState.MINUTES_PUBLISHED)
        session.add(assembly)
    session.flush()
    _audit(
        session, minutes, "minutes.published", user,
        version=version_row.number, pdf_sha256=version_row.pdf_sha256, reason=version_row.reason,
    )  # fmt: skip
    hooks.minutes_published.send(version_row, session=session)
    return version_row


def _check_correction(previous: MinutesVersion | None, render: RenderJob, reason: str) -> None:
    if previous is None:
        return
    if previous.pdf_sha256 == render.pdf_sha256:
        raise DomainError(_l("This PDF is published already."))
    if len(reason) < 3:
        raise DomainError(_l("Say why the published minutes are corrected."), field="reason")
