"""Demo meetings of the bodies: a past supervisory board meeting with its minutes, an
upcoming board meeting and an upcoming meeting of the supervisory board's audit committee
(run after the bodies' seeder, which creates the bodies and seats).

The seeder finds the board and the supervisory board (`body_of_kind`); where the bodies'
seeder has not created them, it creates them and seats the demo board and supervisory board
users' members as chairs, with two register members each, idempotently (a body that has
seats keeps them).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlmodel import Session

from governance.accounts.models import Role, User
from governance.assemblies import agenda, attendance, body_meetings, convening, services
from governance.assemblies.models import Assembly, AssemblyForm
from governance.assemblies.models_agenda import ItemKind
from governance.assemblies.roll import roll_members
from governance.bodies.models import Body, BodyKind, Seat, SeatFunction, SeatOrigin
from governance.bodies.queries import body_of_kind, seats_on
from governance.minutes.services import start_minutes, update_general

BERLIN = ZoneInfo("Europe/Berlin")
NAMES = {BodyKind.BOARD: "Vorstand", BodyKind.SUPERVISORY_BOARD: "Aufsichtsrat"}
PREAMBLE = (
    "Der Vorsitzende eröffnet die Sitzung, stellt die ordnungsgemäße Einladung und die "
    "Beschlussfähigkeit fest."
)
BOARD_ITEMS = (
    ("Eröffnung, Beschlussfähigkeit", ItemKind.INFORMATION),
    ("Bericht des Vorstands zum Quartal", ItemKind.DISCUSSION),
    ("Zustimmung zur Auftragsvergabe Dachsanierung", ItemKind.RESOLUTION),
)
COMMITTEE_ITEMS = (
    ("Eröffnung, Beschlussfähigkeit", ItemKind.INFORMATION),
    ("Prüfungsplan des Prüfungsverbands", ItemKind.DISCUSSION),
    ("Empfehlung an den Aufsichtsrat zum Jahresabschluss", ItemKind.RESOLUTION),
)


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=BERLIN).astimezone(UTC)


def _body(session: Session, kind: BodyKind) -> Body:
    body = body_of_kind(session, kind)
    if body is None:
        body = Body(kind=kind, name=NAMES[kind])
        session.add(body)
        session.flush()
    return body


def _seat(session: Session, body: Body, member_id: int, function: SeatFunction, day: date) -> None:
    session.add(
        Seat(
            body_id=body.id,
            member_id=member_id,
            function=function,
            origin=SeatOrigin.APPOINTED,
            starts_on=day,
            note="Demo",
        )
    )


def _ensure_seats(session: Session, ctx: Any, today: date) -> tuple[Body, Body]:
    """The board and the supervisory board, each with seats today."""
    board, sb = _body(session, BodyKind.BOARD), _body(session, BodyKind.SUPERVISORY_BOARD)
    others = list(ctx.extra.get("register_member_ids", []))
    start = today - timedelta(days=730)
    for body, role, extra in (
        (board, Role.BOARD, others[:2]),
        (sb, Role.SUPERVISORY_BOARD, others[2:4]),
    ):
        if seats_on(session, body_id=body.id or 0, day=today):
            continue
        user = ctx.users.get(role)
        if user is not None and user.member_id is not None:
            _seat(session, body, user.member_id, SeatFunction.CHAIR, start)
        for member_id in extra:
            _seat(session, body, member_id, SeatFunction.MEMBER, start)
    session.flush()
    return board, sb


def _meeting(
    session: Session,
    *,
    body: Body,
    title: str,
    starts: datetime,
    chair: User | None,
    ctx: Any,
    items: tuple[tuple[str, ItemKind], ...] = BOARD_ITEMS,
) -> Assembly:
    data = services.AssemblyData(
        title=title,
        starts_at=starts,
        body=body_meetings.KIND_OF[BodyKind(body.kind)],
        body_id=body.id,
        form=AssemblyForm.HYBRID,
        place="Geschäftsstelle, Hauptstraße 1, Berlin",
        chair_user_id=getattr(chair, "id", None),
    )
    assembly = services.create_assembly(
        session, data=data, actor=chair, now=starts - timedelta(days=30)
    )
    for title_, kind in items:
        agenda.add_item(session, assembly=assembly, title=title_, kind=kind, actor=chair)
    return assembly


def _convene(session: Session, assembly: Assembly, chair: User | None, now: datetime) -> None:
    convening.convene(
        session,
        assembly=assembly,
        actor=chair,
        now=now,
        today=now.astimezone(BERLIN).date(),
        settings=convening.ConveningSettings(),
        render=lambda _m, _l: convening.Notice(
            subject=f"Einladung: {assembly.title}",
            text=f"Sie sind zur Sitzung „{assembly.title}“ eingeladen.",
        ),
        make_link=lambda _user: "",
    )


def _past_sb_meeting(session: Session, sb: Body, ctx: Any, today: date) -> Assembly:
    chair = ctx.users.get(Role.SUPERVISORY_BOARD)
    starts = _at(today - timedelta(days=14), 17)
    assembly = _meeting(
        session, body=sb, title="Sitzung des Aufsichtsrats", starts=starts, chair=chair, ctx=ctx
    )
    _convene(session, assembly, chair, starts - timedelta(days=sb.notice_days + 3))
    services.open_session(session, assembly=assembly, actor=chair, now=starts)
    for _entry, member in roll_members(session, assembly_id=assembly.id or 0):
        attendance.check_in(session, assembly=assembly, member=member, actor=chair, now=starts)
    services.close_session(session, assembly=assembly, actor=chair, now=starts + timedelta(hours=2))
    minutes = start_minutes(session, assembly=assembly, actor=chair)
    update_general(session, minutes=minutes, preamble=PREAMBLE, closing="", actor=chair)
    return assembly


def seed_demo(session: Session, ctx: Any) -> None:
    """A past supervisory board meeting with minutes, an upcoming board meeting (convened)."""
    today = datetime.now(BERLIN).date()
    board, sb = _ensure_seats(session, ctx, today)
    past = _past_sb_meeting(session, sb, ctx, today)
    chair = ctx.users.get(Role.BOARD)
    upcoming = _meeting(
        session,
        body=board,
        title="Sitzung des Vorstands",
        starts=_at(today + timedelta(days=board.notice_days + 3), 9),
        chair=chair,
        ctx=ctx,
    )
    _convene(session, upcoming, chair, datetime.now(UTC))
    ctx.extra["body_meeting_ids"] = {"supervisory_board": past.id, "board": upcoming.id}
    committee = _committee(session, parent=sb)
    if committee is not None and seats_on(session, body_id=committee.id or 0, day=today):
        sb_chair = ctx.users.get(Role.SUPERVISORY_BOARD)
        audit = _meeting(
            session,
            body=committee,
            title="Sitzung des Prüfungsausschusses",
            starts=_at(today + timedelta(days=committee.notice_days + 2), 16),
            chair=sb_chair,
            ctx=ctx,
            items=COMMITTEE_ITEMS,
        )
        _convene(session, audit, sb_chair, datetime.now(UTC))
        ctx.extra["body_meeting_ids"]["committee"] = audit.id


def _committee(session: Session, *, parent: Body) -> Body | None:
    """The supervisory board's first committee (the bodies' seeder's audit committee)."""
    query = (
        select(Body)
        .where(Body.kind == BodyKind.COMMITTEE, Body.parent_id == parent.id)
        .order_by(Body.id)
    )
    return session.execute(query).scalars().first()
