"""Shared test factories of the register domain (pytest plugin).

`make_member(shares=2, entry_date=date(2020, 1, 1), status=MemberStatus.ACTIVE, email=None,
number=None, **kw)` creates and commits a member through the services (shares booked as one
subscription on the entry date) and returns it detached, with `shares` loaded. For a status
other than ACTIVE the dates the database requires get defaults (override them through kw:
notice_date, exit_date, expulsion_letter_date, death_date, status_date); other kw are member
fields (last_name, first_names, kind, firm, city, ...).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask

from governance.db import new_session
from governance.register.models import Member, MemberStatus, PersonKind
from governance.register.rules import end_of_business_year
from governance.register.services import book_subscription, create_member

STATUS_FIELDS = ("notice_date", "exit_date", "expulsion_letter_date", "death_date", "status_date")


def _status_defaults(status: MemberStatus, today: date, entry: date) -> dict[str, Any]:
    """Dates that make a member of `status` consistent (as the services would set them)."""
    yesterday = max(today - timedelta(days=1), entry)
    year_end = end_of_business_year(max(today, entry))
    return {
        MemberStatus.ACTIVE: {},
        MemberStatus.INVALID: {},
        MemberStatus.CANCELLED: {"notice_date": yesterday, "exit_date": year_end},
        MemberStatus.DECEASED: {"death_date": yesterday, "exit_date": year_end},
        MemberStatus.TRANSFERRED: {"exit_date": yesterday},
        MemberStatus.LIQUIDATED: {"exit_date": year_end},
        MemberStatus.EXPELLED: {"expulsion_letter_date": yesterday, "exit_date": yesterday},
    }[status]


@pytest.fixture
def make_member(app: Flask) -> Callable[..., Member]:
    """make_member(shares=2, entry_date=..., status=..., email=..., number=None, **kw)."""
    counter = itertools.count(1)

    def _make(
        shares: int = 2,
        entry_date: date = date(2020, 1, 1),
        status: MemberStatus = MemberStatus.ACTIVE,
        email: str | None = None,
        number: str | None = None,
        **kw: Any,
    ) -> Member:
        status = MemberStatus(status)
        given = {k: kw.pop(k) for k in STATUS_FIELDS if k in kw}
        dates = {**_status_defaults(status, date.today(), entry_date), **given}
        n = next(counter)
        fields: dict[str, Any] = {"last_name": f"Mustermann{n}", "first_names": "Erika"}
        if kw.get("kind") == PersonKind.LEGAL or status == MemberStatus.LIQUIDATED:
            fields = {"kind": PersonKind.LEGAL, "firm": f"Beispiel GmbH {n}"}
        fields.update(kw)
        with new_session(app.extensions["governance.engine"]) as s:
            member = create_member(
                s, actor=None, entry_date=entry_date, number=number, email=email, **fields
            )
            if shares:
                book_subscription(
                    s,
                    member=member,
                    share_count=shares,
                    value_date=entry_date,
                    reference=f"TEST-{member.number}",
                    actor=None,
                )
            if status != MemberStatus.ACTIVE:
                member.status = status
                member.status_date = dates.get("status_date") or next(
                    (v for v in dates.values() if v), None
                )
                for name, value in dates.items():
                    setattr(member, name, value)
                s.add(member)
            s.commit()
            s.refresh(member)
            return member

    return _make
