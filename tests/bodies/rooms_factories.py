"""Factories for the rooms' tests: bodies, seats and people who sit in them, papers.

`make_body(kind)`, `make_seat(body, member=/user=, starts_on=, ends_on=)`, `seated(body, ...)`
(a new member with a login and a seat), `make_paper(body, versions=[(bytes, uploaded_at)])`
(a paper with versions stored as the service stores them, at chosen moments).
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import pytest
from flask import Flask

from governance.bodies import rooms
from governance.bodies.models import Body, BodyKind, Seat
from governance.bodies.models_rooms import RoomFile, RoomFileVersion
from governance.db import new_session, utcnow
from governance.uploads import stored_path
from tests.bodies.factories import add_body, add_seat

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PDF2 = b"%PDF-1.4\n% second version\ntrailer<<>>\n%%EOF\n"


def _engine(app: Flask) -> Any:
    return app.extensions["governance.engine"]


@pytest.fixture
def make_body(app: Flask) -> Callable[..., Body]:
    names = itertools.count(1)

    def _make(kind: BodyKind = BodyKind.COMMITTEE, name: str | None = None) -> Body:
        return add_body(_engine(app), kind, name=name or f"{kind.value.title()} {next(names)}")

    return _make


@pytest.fixture
def make_seat(app: Flask) -> Callable[..., Seat]:
    def _make(
        body: Body,
        *,
        member: Any = None,
        user: Any = None,
        starts_on: date | None = None,
        ends_on: date | None = None,
    ) -> Seat:
        return add_seat(
            _engine(app), body, member_id=getattr(member, "id", None),
            user_id=getattr(user, "id", None), starts_on=starts_on, ends_on=ends_on,
        )  # fmt: skip

    return _make


@pytest.fixture
def seated(
    make_member: Callable[..., Any], make_user: Callable[..., Any], make_seat: Callable[..., Seat]
) -> Callable[..., Any]:
    """seated(body, ends_on=None, starts_on=None): a member with a login, sitting in `body`."""

    def _make(body: Body, **term: Any) -> Any:
        member = make_member()
        make_seat(body, member=member, **term)
        return make_user(member_id=member.id)

    return _make


@pytest.fixture
def make_paper(app: Flask) -> Callable[..., RoomFile]:
    """make_paper(body, versions=[(data, uploaded_at), ...]): stored like the service does."""
    counter = itertools.count(1)

    def _make(
        body: Body,
        versions: list[tuple[bytes, datetime]] | None = None,
        folder_id: int | None = None,
    ) -> RoomFile:
        with new_session(_engine(app)) as s:
            file = RoomFile(body_id=body.id, folder_id=folder_id, title=f"Paper {next(counter)}")
            s.add(file)
            s.flush()
            for number, (data, moment) in enumerate(versions or [(PDF, utcnow())], start=1):
                stored = f"test{file.id}v{number}x{next(counter)}"
                path = stored_path(app.config["UPLOAD_DIR"], rooms.SUBDIR, stored)
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
                s.add(
                    RoomFileVersion(
                        file_id=file.id,
                        number=number,
                        filename=f"paper-{number}.pdf",
                        stored_name=stored,
                        content_type="application/pdf",
                        size=len(data),
                        sha256=hashlib.sha256(data).hexdigest(),
                        uploaded_at=moment,
                    )
                )
                s.flush()
            s.commit()
            s.refresh(file)
            return file

    return _make
