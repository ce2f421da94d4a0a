"""Helpers of the minutes tests: a started draft, rendering, signing and publishing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlmodel import Session

from governance.db import new_session
from governance.minutes import rendering, services, signing
from governance.minutes.models import Minutes, MinutesVersion, RenderJob
from governance.minutes.pdf import render_minutes
from tests.factories_minutes import HeldAssembly

COOP = rendering.CoopSettings(name="Beispiel eG", seat="Berlin")


def start(session: Session, held: HeldAssembly) -> Minutes:
    from governance.assemblies.models import Assembly

    assembly = session.get(Assembly, held.assembly_id)
    return services.start_minutes(session, assembly=assembly, actor=held.secretary)


def render(session: Session, minutes: Minutes) -> RenderJob:
    return rendering.render_now(
        session, minutes=minutes, actor=None, coop=COOP, render=render_minutes
    )


def sign(session: Session, minutes: Minutes, held: HeldAssembly, job: RenderJob) -> None:
    for user in (held.chair, held.board):
        signing.approve(
            session, minutes=minutes, user=user, expected_sha256=job.pdf_sha256, coop=COOP
        )


@pytest.fixture
def published(
    app: Flask, make_held_assembly: Callable[..., HeldAssembly]
) -> Callable[..., tuple[HeldAssembly, MinutesVersion]]:
    """published(**kw): a held assembly whose minutes are signed and published (version 1)."""

    def _make(**kw: Any) -> tuple[HeldAssembly, MinutesVersion]:
        held = make_held_assembly(**kw)
        with new_session(app.extensions["governance.engine"]) as s:
            minutes = start(s, held)
            job = render(s, minutes)
            sign(s, minutes, held, job)
            version = signing.publish(
                s, minutes=minutes, user=held.supervisor, reason="", coop=COOP
            )
            s.commit()
            return held, version

    return _make
