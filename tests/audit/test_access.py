"""Access matrix of every audit route: SECRETARY reads and records, SUPERVISORY_BOARD reads."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from governance.accounts.models import Role
from governance.auditlog import record_event
from tests.access import Route, allow, assert_access, assert_covers
from tests.factories_ballots import World

READERS = (Role.SECRETARY, Role.SUPERVISORY_BOARD)


def _routes(assembly_id: int, poll_id: int) -> list[Route]:
    read = allow(*READERS)
    return [
        Route("GET", "/audit/", read),
        Route("GET", "/audit/?event_type=user.login&page=2", read),
        Route("GET", "/audit/events/1", read),
        Route("GET", "/audit/verify", read),
        Route("GET", f"/audit/verify?assembly={assembly_id}", read),
        Route("POST", "/audit/verify", allow(Role.SECRETARY, ok=302)),
        Route("GET", "/audit/assemblies", read),
        Route("GET", f"/audit/assemblies/{assembly_id}", read),
        Route("GET", f"/audit/polls/{poll_id}/bundle.json", read),
        Route("GET", "/audit/verify_bundle.py", read),
        Route("GET", "/audit/coopvote.py", read),
    ]


def test_access_matrix(
    app: Any, login_as: Any, session: Session, motion: tuple[World, int]
) -> None:
    world, poll_id = motion
    record_event(session, event_type="test.event", actor=None)
    session.commit()
    routes = _routes(world.assembly_id, poll_id)
    assert_covers(app, "audit", routes)
    assert_access(app, login_as, routes)


def test_missing_objects_are_404(login: Any) -> None:
    client = login(roles=[Role.SECRETARY])
    for url in ("/audit/events/999", "/audit/assemblies/999", "/audit/polls/999/bundle.json"):
        assert client.get(url).status_code == 404, url


def test_bundle_of_an_unsealed_poll_is_refused(login: Any, vote_world: Any, make_poll: Any) -> None:
    world = vote_world(members=2)
    poll = make_poll(world)
    response = login(roles=[Role.SECRETARY]).get(f"/audit/polls/{poll.id}/bundle.json")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/audit/assemblies/{world.assembly_id}")
