"""Every route of the minutes blueprint, as every role (tests/access.py)."""

from __future__ import annotations

from sqlalchemy import select

from governance.accounts.models import Role
from governance.db import new_session
from governance.minutes import services
from governance.minutes.models import RenderJob
from governance.register.models import Member
from tests.access import Route, allow, assert_access, assert_covers

STAFF = (Role.BOARD, Role.SUPERVISORY_BOARD, Role.SECRETARY)
EVERYONE = tuple(Role)
MEMBERS = (Role.MEMBER, *STAFF)


def _objection(engine, held) -> int:
    with new_session(engine) as s:
        minutes = services.minutes_of(s, assembly_id=held.assembly_id)
        number = s.get(Member, held.member_ids[0]).number
        data = services.ObjectionData(number, "Widerspruch")
        objection = services.add_objection(
            s, minutes=minutes, item_id=held.item_ids[1], data=data, actor=held.secretary
        )
        s.commit()
        return objection.id


def routes(engine, held) -> list[Route]:
    aid, item = held.assembly_id, held.item_ids[1]
    base = f"/assemblies/{aid}/minutes"
    with new_session(engine) as s:
        render_id = s.scalar(select(RenderJob.id).limit(1))
    objection = _objection(engine, held)
    return [
        Route("GET", "/minutes", allow(*EVERYONE)),
        Route("GET", base, allow(*STAFF)),
        Route("POST", f"{base}/start", allow(Role.SECRETARY, ok=302)),
        Route("GET", f"{base}/general", allow(Role.SECRETARY)),
        Route("GET", f"{base}/items/{item}", allow(Role.SECRETARY)),
        Route("POST", f"{base}/items/{item}/objections", allow(Role.SECRETARY, ok=400)),
        Route("POST", f"{base}/objections/{objection}/delete", allow(Role.SECRETARY, ok=302)),
        Route("POST", f"{base}/render", allow(Role.SECRETARY, ok=302)),
        Route("GET", f"{base}/renders/{render_id}.pdf", allow(*STAFF)),
        Route("POST", f"{base}/approve", allow(Role.BOARD, ok=302)),
        Route("GET", f"{base}/publish", allow(Role.SUPERVISORY_BOARD)),
        # Every member (§47(4)) and the staff; an administrator without another role sees no
        # assembly (the gate), so none of its minutes.
        Route("GET", f"{base}/versions", allow(*MEMBERS)),
        Route("GET", f"{base}/versions/1.pdf", allow(*MEMBERS)),
    ]


def test_access_matrix(app, engine, login_as, published):
    held, _version = published()
    table = routes(engine, held)
    assert_covers(app, "minutes", table)
    assert_access(app, login_as, table)


def test_unknown_objects_answer_404(app, login, published):
    held, _version = published()
    client = login(held.secretary)
    base = f"/assemblies/{held.assembly_id}/minutes"
    assert client.get(f"{base}/versions/2.pdf").status_code == 404
    assert client.get(f"{base}/renders/999999.pdf").status_code == 404
    assert client.get(f"{base}/items/999999").status_code == 404
    assert client.get("/assemblies/999999/minutes").status_code == 404


def test_the_chair_without_a_staff_role_sees_and_signs(app, login, published):
    held, _version = published()
    chair = login(held.chair)  # a MEMBER user appointed chair
    assert chair.get(f"/assemblies/{held.assembly_id}/minutes").status_code == 200
    assert chair.get(f"/assemblies/{held.assembly_id}/minutes/general").status_code == 403
