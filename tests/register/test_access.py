"""Every register route in the access matrix; members see only themselves."""

from __future__ import annotations

from datetime import date

from governance.accounts.models import Role
from tests.access import LOGGED_IN, Route, allow, assert_access, assert_covers

READERS = (Role.BOARD, Role.SUPERVISORY_BOARD, Role.SECRETARY)
EVERYONE = allow(*LOGGED_IN)


def routes() -> list[Route]:
    r = allow(*READERS)
    w = allow(Role.BOARD)
    return [
        Route("GET", "/register/", r),
        Route("GET", "/register/?q=muster&status=ACTIVE&eligible_at=2024-01-01&sort=shares", r),
        Route("GET", "/register/members/1", r),
        Route("GET", "/register/export?at=2024-01-01", r),
        Route("GET", "/register/export?what=transactions", r),
        Route("GET", "/register/members/new", w),
        Route("POST", "/register/members/new", w),  # invalid: the form again
        Route("GET", "/register/members/1/edit", w),
        Route("POST", "/register/members/1/edit", w),
        Route("GET", "/register/members/1/subscribe", w),
        Route("POST", "/register/members/1/subscribe", w),
        Route("GET", "/register/members/1/cancel-shares", w),
        Route("POST", "/register/members/1/cancel-shares", w),
        Route("GET", "/register/transactions/1/reverse", w),
        Route("POST", "/register/transactions/1/reverse", w),
        Route("GET", "/register/transactions/1/comment", w),
        Route("POST", "/register/transactions/1/comment", allow(Role.BOARD, ok=302)),
        *[
            Route(method, f"/register/members/1/exit/{event}", w)
            for event in ("notice", "death", "transfer", "liquidation", "expulsion")
            for method in ("GET", "POST")
        ],
        Route("POST", "/register/members/1/invite", allow(Role.BOARD, ok=302)),
        Route("GET", "/register/import", w),
        Route("POST", "/register/import", w),
        Route("GET", "/my-membership", EVERYONE),
        Route("GET", "/register/link/not-a-token", allow(*LOGGED_IN, ok=400)),
        Route("POST", "/register/link/not-a-token", allow(*LOGGED_IN, ok=400)),
    ]


def test_access_matrix(app, login_as, make_member):
    make_member(shares=2)
    assert_access(app, login_as, routes())


def test_matrix_covers_every_route(app):
    assert_covers(app, "register", routes())


def test_unknown_objects_are_404(login_as, make_member):
    client = login_as("BOARD")
    assert client.get("/register/members/999").status_code == 404
    assert client.get("/register/transactions/999/reverse").status_code == 404
    make_member()
    assert client.get("/register/members/1/exit/emigration").status_code == 404


def test_member_sees_only_themselves(login, make_member, make_user):
    mine = make_member(shares=3, last_name="Eigen", email="me@example.org")
    other = make_member(shares=7, last_name="Fremd", email="other@example.org")
    client = login(make_user(roles=[Role.MEMBER], member_id=mine.id))
    page = client.get("/my-membership").get_data(as_text=True)
    assert mine.number in page and "Eigen" in page
    assert other.number not in page and "Fremd" not in page
    for url in (
        f"/register/members/{other.id}",
        f"/register/members/{mine.id}",
        "/register/?q=Fremd",
        f"/register/export?at={date.today().isoformat()}",
        "/register/transactions/2/reverse",
    ):
        assert client.get(url).status_code == 403, url


def test_unlinked_user_sees_no_membership(login_as):
    page = login_as("MEMBER").get("/my-membership").get_data(as_text=True)
    assert 'id="not-linked"' in page
