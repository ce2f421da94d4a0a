"""Demo papers in the bodies' rooms: the supervisory board's audit reports (a paper in two
versions in the folder "Prüfberichte"), the board's business plan and the audit committee's
audit plan.

Runs after governance.bodies.seed (which creates the bodies and their seats); should that
not have run, the board and the supervisory board with the demo users' seats are created
here, idempotently, so the rooms have somebody to work in.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from governance.accounts.models import Role
from governance.bodies import rooms
from governance.bodies.models import Body, BodyKind, Seat, SeatFunction, SeatOrigin
from governance.bodies.models_rooms import RoomFolder
from governance.bodies.queries import body_of_kind, seat_of
from governance.uploads import max_upload_bytes


def demo_pdf(*lines: str) -> bytes:
    """A small valid one-page PDF with `lines` of text (Helvetica, WinAnsi)."""
    text = "".join(
        f"BT /F1 12 Tf 72 {760 - 18 * i} Td ({_escape(line)}) Tj ET\n"
        for i, line in enumerate(lines)
    ).encode("cp1252")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text + b"endstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _escape(line: str) -> str:
    return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _body(session: Session, kind: BodyKind, name: str) -> Body:
    body = body_of_kind(session, kind)
    if body is None:
        body = Body(kind=kind, name=name)
        session.add(body)
        session.flush()
    return body


def _seat(session: Session, body: Body, user: Any, today: date) -> None:
    if user is None or user.member_id is None:
        return
    if seat_of(session, user=user, body_id=int(body.id or 0), day=today) is None:
        seat = Seat(
            body_id=body.id,
            member_id=user.member_id,
            function=SeatFunction.CHAIR,
            origin=SeatOrigin.APPOINTED,
            starts_on=today - timedelta(days=400),
        )
        session.add(seat)
        session.flush()


def seed_demo(session: Session, ctx: Any) -> None:
    """Put the demo papers into the board's and the supervisory board's rooms."""
    today = date.today()
    board = _body(session, BodyKind.BOARD, "Vorstand")
    supervisory = _body(session, BodyKind.SUPERVISORY_BOARD, "Aufsichtsrat")
    _seat(session, board, ctx.users.get(Role.BOARD), today)
    _seat(session, supervisory, ctx.users.get(Role.SUPERVISORY_BOARD), today)
    exists = select(RoomFolder.id).where(RoomFolder.body_id == supervisory.id)
    if session.execute(exists).first() is not None:
        return

    def upload(name: str, *lines: str) -> rooms.Upload:
        return rooms.Upload(
            filename=name,
            data=demo_pdf(*lines),
            upload_dir=ctx.config["UPLOAD_DIR"],
            max_bytes=max_upload_bytes(ctx.config),
        )

    sb_user = ctx.users.get(Role.SUPERVISORY_BOARD)
    folder = rooms.create_folder(
        session,
        body=supervisory,
        parent=None,
        name="Prüfberichte",
        description="Berichte des Prüfungsverbands und der Abschlussprüfung",
        actor=sb_user,
    )
    year = today.year - 1
    report = rooms.add_paper(
        session,
        body=supervisory,
        folder=folder,
        title=f"Prüfbericht {year}",
        description="Bericht über die gesetzliche Prüfung nach § 53 GenG",
        upload=upload(f"pruefbericht-{year}-entwurf.pdf", f"Prüfbericht {year}", "Entwurf"),
        actor=sb_user,
    )
    rooms.add_version(
        session,
        file=report,
        upload=upload(f"pruefbericht-{year}.pdf", f"Prüfbericht {year}", "Endfassung"),
        note="Endfassung nach der Schlussbesprechung",
        actor=sb_user,
    )
    rooms.add_paper(
        session,
        body=board,
        folder=None,
        title=f"Wirtschaftsplan {today.year}",
        description="Entwurf für die Sitzung mit dem Aufsichtsrat",
        upload=upload(f"wirtschaftsplan-{today.year}.pdf", f"Wirtschaftsplan {today.year}"),
        actor=ctx.users.get(Role.BOARD),
    )
    committee = (
        session.execute(
            select(Body)
            .where(Body.kind == BodyKind.COMMITTEE, Body.parent_id == supervisory.id)
            .order_by(Body.id)
        )
        .scalars()
        .first()
    )
    if committee is not None:
        rooms.add_paper(
            session,
            body=committee,
            folder=None,
            title=f"Prüfungsplan {today.year}",
            description="Schwerpunkte der Prüfung, zur Beratung im Ausschuss",
            upload=upload(f"pruefungsplan-{today.year}.pdf", f"Prüfungsplan {today.year}"),
            actor=sb_user,
        )
