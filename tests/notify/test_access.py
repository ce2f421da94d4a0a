"""Every logged-in user has their own notifications page; nobody else's."""

from __future__ import annotations

from tests.access import ALL_ROLES, ANON, LOGIN, Route, assert_access, assert_covers

EVERYONE = {role: (LOGIN if role == ANON else 200) for role in ALL_ROLES}
SAVED = {role: (LOGIN if role == ANON else 302) for role in ALL_ROLES}
ROUTES = [
    Route("GET", "/notifications/", EVERYONE),
    Route("POST", "/notifications/", SAVED, data={"reminder": "y"}),
]


def test_notify_access_matrix(app, login_as):
    assert_covers(app, "notify", ROUTES)
    assert_access(app, login_as, ROUTES)
