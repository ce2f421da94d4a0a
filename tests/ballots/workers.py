"""Code run in separate processes by the concurrency tests (importable for 'spawn')."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Actor:
    """The acting user as the services see it."""

    id: int
    member_id: int


def cast_in_process(
    url: str, poll_id: int, member_id: int, actor: Actor, barrier: Any, results: Any
) -> None:
    """Wait for every process, then cast once; report 'ok', 'already' or the error."""
    import governance.models  # noqa: F401  (complete metadata)
    from governance.ballots.casting import cast_vote
    from governance.db import make_engine, new_session, utcnow
    from governance.errors import DomainError

    engine = make_engine(url)
    try:
        with new_session(engine) as session:
            session.connection()  # connect before the start line
            session.rollback()
            barrier.wait(timeout=60)
            try:
                cast_vote(
                    session,
                    poll_id=poll_id,
                    member_id=member_id,
                    actor=actor,
                    choice="YES",
                    now=utcnow(),
                )
                session.commit()
                results.put("ok")
            except DomainError:
                session.rollback()
                results.put("already")
    except Exception as exc:  # reported to the test, which fails on it
        results.put(f"error: {type(exc).__name__}: {exc}")
    finally:
        engine.dispose()
