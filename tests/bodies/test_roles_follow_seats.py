"""Roles follow seats (issue #15): BOARD and SUPERVISORY_BOARD are held on the days of a seat
in the body of that kind; the administrator grants MEMBER, SECRETARY and ADMIN only; the user
loader stays one query."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import object_session

from governance.accounts import services as accounts
from governance.accounts.models import Role, User
from governance.accounts.views import load_user
from governance.assemblies.services import staff_users
from governance.bodies.models import Body, BodyKind, Seat, SeatOrigin
from governance.db import new_session
from governance.errors import DomainError
from governance.i18n import today
from governance.notify.services import board_recipients
from tests.conftest import single_body

BOARD_PAGE = "/assemblies/new"  # @role_required(Role.BOARD)
SB_PAGE = "/audit/"  # @role_required(Role.SECRETARY, Role.SUPERVISORY_BOARD)
NAV_QUESTION = re.compile(r"\s*SELECT EXISTS.*FROM seat\b", re.DOTALL)  # asked on its own
KINDS = {Role.BOARD: BodyKind.BOARD, Role.SUPERVISORY_BOARD: BodyKind.SUPERVISORY_BOARD}


@pytest.fixture
def seat_user(app, make_member, make_user):
    """seat_user(role, starts_on, ends_on): a member's login (stored role MEMBER only) with one
    seat in the body of the role's kind."""

    def _make(role: Role, starts_on: date, ends_on: date | None = None) -> User:
        member = make_member()
        user = make_user(roles=[Role.MEMBER], member_id=member.id)
        with new_session(app.extensions["governance.engine"]) as s:
            kind = KINDS[role]
            body = single_body(s, kind) or Body(kind=kind, name=kind.value)
            s.add(body)
            s.flush()
            s.add(
                Seat(
                    body_id=body.id, member_id=member.id, origin=SeatOrigin.APPOINTED,
                    starts_on=starts_on, ends_on=ends_on,
                )
            )  # fmt: skip
            s.commit()
        return user

    return _make


@pytest.mark.parametrize(
    ("role", "page"), [(Role.BOARD, BOARD_PAGE), (Role.SUPERVISORY_BOARD, SB_PAGE)]
)
def test_a_seat_gives_the_role_on_the_days_of_its_term_only(seat_user, login, role, page):
    day = today()  # the cooperative's date (Europe/Berlin), which the roles follow
    current = seat_user(role, day - timedelta(days=30))
    ended = seat_user(role, day - timedelta(days=30), ends_on=day - timedelta(days=1))
    ends_today = seat_user(role, day - timedelta(days=30), ends_on=day)
    starts_tomorrow = seat_user(role, day + timedelta(days=1))
    assert login(current).get(page).status_code == 200
    assert login(ends_today).get(page).status_code == 200  # the last day is inclusive
    assert login(ended).get(page).status_code == 403  # the term ended yesterday
    assert login(starts_tomorrow).get(page).status_code == 403  # not yet
    assert login(roles=[Role.MEMBER]).get(page).status_code == 403


def test_a_user_loaded_elsewhere_asks_for_its_seat_roles(app, seat_user, session):
    day = today()  # the cooperative's date (Europe/Berlin), which the roles follow
    board = seat_user(Role.BOARD, day - timedelta(days=3))
    former = seat_user(Role.SUPERVISORY_BOARD, day - timedelta(days=9), day - timedelta(1))
    assert session.get(User, board.id).roles == {Role.MEMBER, Role.BOARD}
    assert session.get(User, former.id).roles == {Role.MEMBER}
    assert session.get(User, board.id).stored_roles == {Role.MEMBER}


def test_the_admin_form_offers_no_seat_roles_and_the_services_refuse_them(
    app, login, make_user, session
):
    admin = login(roles=[Role.ADMIN])
    user = make_user(roles=[Role.MEMBER])
    page = admin.get(f"/admin/users/{user.id}")
    assert b'value="BOARD"' not in page.data and b'value="SUPERVISORY_BOARD"' not in page.data
    assert b"follow the seats" in page.data and b'href="/bodies/"' in page.data
    refused = admin.post(f"/admin/users/{user.id}", data={"roles": ["BOARD"], "active": "y"})
    assert refused.status_code == 200 and b"not a valid choice" in refused.data
    new = admin.post("/admin/users/new", data={"email": "b@example.org", "roles": ["BOARD"]})
    assert new.status_code == 200 and accounts.user_by_email(session, "b@example.org") is None
    for role in (Role.BOARD, Role.SUPERVISORY_BOARD):
        with pytest.raises(DomainError, match="follow the seats"):
            accounts.set_roles(session, user=session.get(User, user.id), roles=[role], actor=None)
        with pytest.raises(DomainError, match="follow the seats"):
            accounts.create_user(session, email=f"{role}@example.org", roles=[role])
    session.rollback()
    assert session.get(User, user.id).stored_roles == {Role.MEMBER}


@pytest.mark.parametrize("role", ["BOARD", "SUPERVISORY_BOARD"])
def test_the_database_refuses_a_stored_seat_role(app, make_user, role):
    user = make_user(roles=[Role.MEMBER])
    engine = app.extensions["governance.engine"]
    with pytest.raises(DBAPIError, match="ck_user_role_stored"), engine.begin() as conn:
        conn.execute(
            text("INSERT INTO user_role (user_id, role) VALUES (:u, :r)"), {"u": user.id, "r": role}
        )
    with pytest.raises(DBAPIError, match="ck_user_role_stored"), engine.begin() as conn:
        conn.execute(
            text("UPDATE user_role SET role = :r WHERE user_id = :u"), {"u": user.id, "r": role}
        )


def _statements(engine):
    seen: list[str] = []

    def note(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    return seen, lambda: event.remove(engine, "before_cursor_execute", note)


def test_the_user_loader_is_one_query_with_the_seat_roles(app, seat_user, login):
    board = seat_user(Role.BOARD, today() - timedelta(days=10))
    engine = app.extensions["governance.engine"]
    seen, stop = _statements(engine)
    try:
        with app.test_request_context():
            user = load_user(f"{board.id}:{board.security_stamp}")
            assert user is not None and user.has_role(Role.BOARD)
            assert user.roles == {Role.MEMBER, Role.BOARD}
    finally:
        stop()
    selects = [s for s in seen if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 1, selects  # the role rows are not loaded: their EXISTS are
    assert "user_role" in selects[0] and "seat" in selects[0]

    client = login(board)
    seen, stop = _statements(engine)
    try:
        assert client.get(BOARD_PAGE).status_code == 200
    finally:
        stop()
    # The user is loaded once, with the roles' EXISTS (the page's own lists of staff may load
    # role rows of their users).
    loads = [s for s in seen if "holds_member" in s]
    assert len(loads) == 1, loads


def test_the_board_of_the_mails_and_of_the_staff_lists_is_read_from_the_seats(
    seat_user, make_user, session
):

    day = today()
    board = seat_user(Role.BOARD, day - timedelta(days=5))
    sb = seat_user(Role.SUPERVISORY_BOARD, day - timedelta(days=5))
    former = seat_user(Role.BOARD, day - timedelta(days=50), day - timedelta(days=1))
    future = seat_user(Role.BOARD, day + timedelta(days=1))
    secretary = make_user(roles=[Role.SECRETARY, Role.MEMBER])
    make_user(roles=[Role.MEMBER])
    assert [r.user_id for r in board_recipients(session)] == [board.id]
    staff = {u.id for u in staff_users(session)}
    assert staff == {board.id, sb.id, secretary.id}
    assert former.id not in staff and future.id not in staff


def test_the_navs_bodies_link_is_loaded_with_the_user(app, seat_user, make_user, login):
    """Whether the user ever sat in a body comes with the loader's one query: the nav shows the
    link to those who sit or sat (a past seat too), not to others, and no page asks again."""
    day = today()
    engine = app.extensions["governance.engine"]
    former = seat_user(Role.BOARD, day - timedelta(days=50), day - timedelta(days=1))
    sitting = seat_user(Role.SUPERVISORY_BOARD, day - timedelta(days=5))
    nobody = make_user(roles=[Role.MEMBER])
    for user, shown in ((former, True), (sitting, True), (nobody, False)):
        client = login(user)
        seen, stop = _statements(engine)
        try:
            page = client.get("/")
        finally:
            stop()
        assert page.status_code == 200
        assert ('href="/bodies/"' in page.text) is shown, user.email
        asked = [s for s in seen if NAV_QUESTION.match(s.replace('"', ""))]
        assert not asked, asked  # the nav's question went with the loader's query


def test_a_loaded_users_roles_follow_a_change_of_its_rows(app, make_user):
    """The loader's roles stand in for the rows until the rows are loaded or changed: an
    administrator changing their own roles sees the change at once."""
    admin = make_user(roles=[Role.ADMIN])
    with app.test_request_context():
        user = load_user(f"{admin.id}:{admin.security_stamp}")
        assert user is not None and user.stored_roles == {Role.ADMIN}
        accounts.set_roles(
            object_session(user), user=user, roles=[Role.ADMIN, Role.SECRETARY], actor=user
        )
        assert user.stored_roles == {Role.ADMIN, Role.SECRETARY}
        assert user.has_role(Role.SECRETARY) and not user.has_role(Role.MEMBER)
