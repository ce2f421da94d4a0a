"""Demo bodies: the board (Vorstand), the supervisory board (Aufsichtsrat) with its audit
committee (Prüfungsausschuss), and a working group of the board with the demo member in it.

Runs right after the register's seeder: the demo board user's member chairs the board, the
demo supervisory board user's member chairs the supervisory board and its committee; further
seats go to active members of the demo register. One board term ended last year, so the body
page shows its history. The later seeders (rooms, meetings, circulars) find these seats.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlmodel import Session

from governance.accounts.models import Role
from governance.bodies import services
from governance.bodies.models import Body, BodyKind, SeatFunction, SeatOrigin
from governance.bodies.queries import body_of_kind
from governance.register.models import Member, MemberStatus


def _active(session: Session, ids: list[int]) -> list[int]:
    out = []
    for member_id in ids:
        member = session.get(Member, member_id)
        if member is not None and member.status == MemberStatus.ACTIVE and not member.exit_date:
            out.append(member_id)
    return out


def _body(session: Session, kind: BodyKind, name: str, **settings: Any) -> Body:
    return body_of_kind(session, kind) or services.create_body(
        session, kind=kind, name=name, actor=None, **settings
    )


def _seat(session: Session, body: Body, member_id: int | None, **term: Any) -> None:
    if member_id is not None:
        member = session.get(Member, member_id)
        services.add_seat(session, body=body, member=member, actor=None, **term)


def seed_demo(session: Session, ctx: Any) -> None:
    """The demo cooperative's bodies and their seats."""
    if body_of_kind(session, BodyKind.BOARD) is not None:
        return
    today = date.today()
    start, old = today - timedelta(days=730), today - timedelta(days=1500)
    others = _active(session, list(ctx.extra.get("register_member_ids", [])))
    board_user, sb_user = ctx.users.get(Role.BOARD), ctx.users.get(Role.SUPERVISORY_BOARD)
    member_user = ctx.users.get(Role.MEMBER)
    board = _body(
        session, BodyKind.BOARD, "Vorstand", notice_days=3,
        description="Der Vorstand leitet die Genossenschaft in eigener Verantwortung (§27 GenG).",
    )  # fmt: skip
    sb = _body(
        session, BodyKind.SUPERVISORY_BOARD, "Aufsichtsrat", notice_days=7,
        description="Der Aufsichtsrat überwacht die Geschäftsführung des Vorstands (§38 GenG).",
    )  # fmt: skip
    chair, fn = SeatFunction.CHAIR, SeatFunction
    _seat(session, board, getattr(board_user, "member_id", None), function=chair, starts_on=start)
    for member_id, function in zip(others[:2], (fn.DEPUTY, fn.MEMBER), strict=False):
        _seat(session, board, member_id, function=function, starts_on=start)
    if len(others) > 4:  # a former board member: the page shows the seats' history
        _seat(
            session, board, others[4], starts_on=old, ends_on=today - timedelta(days=400),
            note="Ausgeschieden auf eigenen Wunsch",
        )  # fmt: skip
    sb_chair = getattr(sb_user, "member_id", None)
    _seat(session, sb, sb_chair, function=chair, starts_on=start)
    for member_id, function in zip(others[2:4], (fn.DEPUTY, fn.MEMBER), strict=False):
        _seat(session, sb, member_id, function=function, starts_on=start)
    audit = services.create_body(
        session, kind=BodyKind.COMMITTEE, name="Prüfungsausschuss", actor=None,
        parent_id=sb.id, notice_days=5,
        description="Bereitet die Prüfung des Jahresabschlusses durch den Aufsichtsrat vor.",
    )  # fmt: skip
    _seat(session, audit, sb_chair, function=chair, starts_on=start + timedelta(days=30))
    if len(others) > 3:
        _seat(session, audit, others[3], starts_on=start + timedelta(days=30))
    group = services.create_body(
        session, kind=BodyKind.WORKING_GROUP, name="Arbeitsgruppe Photovoltaik", actor=None,
        parent_id=board.id, notice_days=3,
        description="Prüft, ob die Genossenschaft eine Photovoltaikanlage auf Haus B baut.",
    )  # fmt: skip
    _seat(
        session,
        group,
        getattr(board_user, "member_id", None),
        function=chair,
        starts_on=today - timedelta(days=60),
    )
    _seat(
        session, group, getattr(member_user, "member_id", None),
        origin=SeatOrigin.CO_OPTED, starts_on=today - timedelta(days=60),
    )  # fmt: skip
