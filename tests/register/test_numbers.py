"""Member numbers: a number taken between allocation and insert is re-allocated, never a 500."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from governance.accounts.models import Role
from governance.db import new_session
from governance.errors import DomainError
from governance.register import services
from governance.register.models import Member

D = date(2021, 1, 1)
FORM = {"kind": "NATURAL", "last_name": "Neumann", "country": "DE", "entry_date": "2024-01-01"}


def stale_allocator(monkeypatch, number: str, times: int) -> None:
    """Let the allocator return `number` (as if read before a concurrent insert) `times` times."""
    real, calls = services.next_member_number, iter(range(times))

    def allocate(session) -> str:
        return number if next(calls, None) is not None else real(session)

    monkeypatch.setattr(services, "next_member_number", allocate)


def numbers(engine) -> list[str]:
    with new_session(engine) as s:
        return list(s.execute(select(Member.number).order_by(Member.number)).scalars())


def test_a_number_taken_meanwhile_is_allocated_again(session, monkeypatch):
    services.create_member(session, actor=None, entry_date=D, last_name="Erste")
    stale_allocator(monkeypatch, "M-1000001", times=1)
    member = services.create_member(session, actor=None, entry_date=D, last_name="Zweite")
    assert member.number == "M-1000002"
    session.commit()


def test_a_given_number_taken_meanwhile_is_a_field_error(session, monkeypatch):
    services.create_member(session, actor=None, entry_date=D, last_name="A", number="M-1000100")
    # The pre-check does not see the concurrent insert; the unique index does.
    monkeypatch.setattr(services, "_member_number", lambda session, given: given)
    with pytest.raises(DomainError) as info:
        services.create_member(session, actor=None, entry_date=D, last_name="B", number="M-1000100")
    assert info.value.field == "number"
    assert session.execute(select(Member.number)).scalars().all() == ["M-1000100"]


def test_view_retries_and_gives_up_with_a_message(
    login, make_user, engine, make_member, monkeypatch
):
    first = make_member()
    board = login(make_user(roles=[Role.BOARD], member_id=first.id))  # seated: the role
    stale_allocator(monkeypatch, "M-1000001", times=1)
    assert board.post("/register/members/new", data=FORM).status_code == 302
    assert numbers(engine) == ["M-1000001", "M-1000002"]
    stale_allocator(monkeypatch, "M-1000001", times=services.NUMBER_ATTEMPTS)
    r = board.post("/register/members/new", data=FORM, follow_redirects=True)
    assert r.status_code == 200
    assert "Another member was added at the same moment" in r.get_data(as_text=True)
    assert numbers(engine) == ["M-1000001", "M-1000002"]


def blocked_on_lock(engine, timeout: float = 10.0) -> bool:
    """Whether another backend of this database waits for a lock (within `timeout`)."""
    deadline = time.monotonic() + timeout
    with engine.connect() as conn:
        while time.monotonic() < deadline:
            waiting = conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
                )
            ).scalar_one()
            if waiting:
                return True
            conn.rollback()
            time.sleep(0.05)
    return False


def in_thread(fn: Callable[[], str]) -> tuple[threading.Thread, list[object]]:
    result: list[object] = []

    def run() -> None:
        try:
            result.append(fn())
        except Exception as exc:  # handed to the test thread
            result.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, result


def test_two_creates_at_the_same_moment_on_postgresql(backend, engine):
    if backend != "postgresql":
        pytest.skip("SQLite serializes writers (BEGIN IMMEDIATE): no race")
    first = new_session(engine)
    services.create_member(first, actor=None, entry_date=D, last_name="Erste")  # not committed

    def second() -> str:
        with new_session(engine) as s:
            number = services.create_member(s, actor=None, entry_date=D, last_name="Zweite").number
            s.commit()
            return number

    thread, result = in_thread(second)
    try:
        assert blocked_on_lock(engine), "the second insert should wait for the first"
    finally:
        first.commit()
        first.close()
        thread.join(30)
    assert not isinstance(result[0], IntegrityError), result[0]
    assert result == ["M-1000002"]
    assert numbers(engine) == ["M-1000001", "M-1000002"]
