"""The access matrix helper: route × role → status, used by every domain's tests.

Roles are Role values, ANON (not logged in) or RELATIVE: a login without a member and without
a role, holding the accepted proxies of the members a test names in the `relative_grants`
fixture (a relative who is not a member, assemblies/relatives.py; with none named, a login that
holds nothing). Expected statuses: an int, or LOGIN for a redirect to the login page. Every
mismatch is collected and reported in one table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import Flask

from governance.accounts.models import Role

ANON = "ANON"
RELATIVE = "RELATIVE"
LOGIN = "LOGIN"
ALL_ROLES: tuple[str, ...] = (ANON, *[r.value for r in Role], RELATIVE)
# Every kind of logged-in user: for the pages open to any login (home, account, notifications).
LOGGED_IN: tuple[str, ...] = ALL_ROLES[1:]


@dataclass(frozen=True)
class Route:
    method: str
    url: str
    expected: Mapping[str, int | str]  # role -> status; missing roles use `default`
    default: int | str = 403
    data: Mapping[str, Any] | None = None


def allow(*roles: Role | str, ok: int = 200, others: int | str = 403) -> dict[str, int | str]:
    """Expected statuses: `ok` for `roles`, LOGIN for anonymous, `others` for the rest."""
    wanted = {r.value if isinstance(r, Role) else r for r in roles}
    return {
        role: (ok if role in wanted else (LOGIN if role == ANON else others)) for role in ALL_ROLES
    }


def _status(response: Any) -> int | str:
    if response.status_code in (301, 302, 303) and "/login" in response.headers.get("Location", ""):
        return LOGIN
    return int(response.status_code)


def assert_access(
    app: Flask,
    login_as: Callable[[str], Any],
    routes: Iterable[Route],
) -> None:
    """Request every route as every role; fail with the list of mismatches."""
    clients = {role: (app.test_client() if role == ANON else login_as(role)) for role in ALL_ROLES}
    problems = []
    for route in routes:
        for role in ALL_ROLES:
            expected = route.expected.get(role, route.default)
            response = clients[role].open(route.url, method=route.method, data=route.data or {})
            got = _status(response)
            if got != expected:
                problems.append(
                    f"{route.method} {route.url} as {role}: expected {expected}, got {got}"
                )
    assert not problems, "access matrix mismatches:\n" + "\n".join(problems)


def assert_covers(
    app: Flask, blueprint: str, routes: Iterable[Route], *, ignore: Iterable[str] = ()
) -> None:
    """Every endpoint of `blueprint` appears in `routes` (matched through the URL map)."""
    adapter = app.url_map.bind("localhost")
    covered = set()
    for route in routes:
        path = route.url.split("?", 1)[0]
        endpoint, _args = adapter.match(path, method=route.method)
        covered.add(endpoint)
    endpoints = {
        r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith(blueprint + ".")
    }
    missing = sorted(endpoints - covered - set(ignore))
    assert not missing, f"routes missing from the access matrix: {missing}"
