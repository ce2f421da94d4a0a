"""Access matrix of every accounts route: route × role → status."""

from __future__ import annotations

from governance.accounts.models import Role
from tests.access import (
    ALL_ROLES,
    ANON,
    LOGGED_IN,
    LOGIN,
    Route,
    allow,
    assert_access,
    assert_covers,
)

EVERYONE_LOGGED_IN = LOGGED_IN


def _same(status: int) -> dict[str, int | str]:
    return dict.fromkeys(ALL_ROLES, status)


def _routes(user_id: int) -> list[Route]:
    admin_only = allow(Role.ADMIN)
    logged_in = allow(*EVERYONE_LOGGED_IN)
    return [
        Route("GET", "/", logged_in),
        Route("GET", "/healthz", _same(200)),
        Route("GET", "/readyz", _same(200)),
        Route("GET", "/login", {**_same(302), ANON: 200}),
        Route("POST", "/login", _same(200)),  # empty form: shown again with errors
        Route("GET", "/login/link", _same(200)),
        Route("POST", "/login/link", _same(200)),
        Route("GET", "/login/link/not-a-token", _same(400)),
        Route("POST", "/login/link/not-a-token", _same(400)),
        Route("GET", "/login/invitation/not-a-token", _same(400)),
        Route("POST", "/login/invitation/not-a-token", _same(400)),
        Route("GET", "/password/reset", _same(200)),
        Route("POST", "/password/reset", _same(200)),
        Route("GET", "/password/reset/not-a-token", _same(400)),
        Route("POST", "/password/reset/not-a-token", _same(400)),
        Route("GET", "/account/password", logged_in),
        Route("POST", "/account/password", logged_in),
        Route("POST", "/lang/en", _same(302)),
        Route("POST", "/lang/xx", _same(404)),
        Route("GET", "/admin/users", admin_only),
        Route("GET", "/admin/users/new", admin_only),
        Route("POST", "/admin/users/new", admin_only),
        Route("GET", f"/admin/users/{user_id}", admin_only),
        Route("POST", f"/admin/users/{user_id}", admin_only),
        Route("GET", "/admin/users/999999", allow(Role.ADMIN, ok=404)),
        Route("POST", "/logout", _same(LOGIN)),  # last: it ends the sessions
    ]


def test_accounts_access_matrix(app, login_as, make_user):
    target = make_user(roles=[Role.MEMBER])
    routes = _routes(target.id)
    assert_covers(app, "accounts", routes)
    assert_access(app, login_as, routes)


def test_role_required_accepts_any_of_several_roles(app, login):
    from flask import Blueprint

    from governance.security import role_required

    bp = Blueprint("probe", __name__)

    @bp.route("/probe")
    @role_required(Role.BOARD, Role.SUPERVISORY_BOARD)
    def probe() -> str:
        return "ok"

    app.register_blueprint(bp)
    assert login(roles=[Role.BOARD]).get("/probe").status_code == 200
    assert login(roles=[Role.SUPERVISORY_BOARD, Role.MEMBER]).get("/probe").status_code == 200
    assert login(roles=[Role.MEMBER, Role.SECRETARY]).get("/probe").status_code == 403
    assert app.test_client().get("/probe").status_code == 302
