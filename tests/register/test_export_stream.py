"""The CSV export is streamed: same bytes and headers as the in-memory file it replaced, read
in chunks through a session of its own (the request's session is closed before the body is
sent), for a register of any size."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
from flask import request_finished

from governance.db import new_session
from governance.register import csv_export
from governance.register.models import (
    Member,
    MemberStatus,
    PersonKind,
    ShareTransaction,
    TransactionKind,
)

# What the in-memory export (one str, encoded at once) produced for `_small_register`, on
# SQLite and PostgreSQL alike, captured before the export was streamed.
MEMBERS_CSV = (
    b"\xef\xbb\xbfnumber;kind;last_name;first_names;firm;street;postal_code;city;country;email;"
    b"entry_date;status;notice_date;exit_date;expulsion_letter_date;death_date;shares;amount;"
    b"eligible\r\n"
    b"M-1000001;NATURAL;M\xc3\xbcller;J\xc3\xb6rg;;Hauptstra\xc3\x9fe 1;10115;Berlin;DE;"
    b"joerg@example.org;2020-01-01;ACTIVE;;;;;2;128.00;yes\r\n"
    b'M-1000002;LEGAL;;;"\'=Bau; ""eG""";;;;DE;;2021-03-01;ACTIVE;;;;;1;64.00;yes\r\n'
    b"M-1000003;NATURAL;Mustermann3;Erika;;;;;DE;;2020-01-01;EXPELLED;;2023-12-31;2023-06-01;;"
    b"3;192.00;no\r\n"
)
# The same for the ledger; created_at (the last column) is masked as "<ts>".
LEDGER_CSV = (
    b"\xef\xbb\xbfid;member_number;type;value_date;share_count;reference;reverses;comment;"
    b"created_at\r\n"
    b"1;M-1000001;SUBSCRIPTION;2020-01-01;2;TEST-M-1000001;;;<ts>\r\n"
    b"2;M-1000002;SUBSCRIPTION;2021-03-01;1;TEST-M-1000002;;;<ts>\r\n"
    b"3;M-1000003;SUBSCRIPTION;2020-01-01;3;TEST-M-1000003;;;<ts>\r\n"
)


@pytest.fixture
def board(login_as):
    # A reader of the register without a seat: a board login's own member (the board role
    # follows a member's seat) would be one more line of the exported file.
    return login_as("SECRETARY")


def _small_register(make_member) -> None:
    make_member(
        shares=2,
        last_name="Müller",
        first_names="Jörg",
        street="Hauptstraße 1",
        postal_code="10115",
        city="Berlin",
        email="joerg@example.org",
    )
    make_member(shares=1, kind=PersonKind.LEGAL, firm='=Bau; "eG"', entry_date=date(2021, 3, 1))
    make_member(
        shares=3,
        status=MemberStatus.EXPELLED,
        expulsion_letter_date=date(2023, 6, 1),
        exit_date=date(2023, 12, 31),
    )
    make_member(shares=1, entry_date=date(2025, 1, 1))  # not yet a member on the date


def _mask_created_at(body: bytes) -> bytes:
    return re.sub(rb";[0-9T:.+-]+\r\n", b";<ts>\r\n", body)


@contextmanager
def sent_responses(app) -> Iterator[list[Any]]:
    """The Response objects the app returns (the test client wraps them in its own)."""
    sent: list[Any] = []

    def receive(_sender: Any, response: Any, **_extra: Any) -> None:
        sent.append(response)

    with request_finished.connected_to(receive, app):
        yield sent


def test_small_register_streams_the_same_file(app, board, make_member):
    _small_register(make_member)
    with sent_responses(app) as sent:
        r = board.get("/register/export?at=2023-07-01")
    assert r.status_code == 200 and sent[0].is_streamed
    assert "Content-Length" not in r.headers  # the size is not known before the end
    assert r.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        r.headers["Content-Disposition"] == 'attachment; filename="member-register-2023-07-01.csv"'
    )
    assert r.data == MEMBERS_CSV, r.data
    with sent_responses(app) as sent:
        r = board.get("/register/export?what=transactions&at=2023-07-01")
    assert r.status_code == 200 and sent[0].is_streamed
    assert r.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        r.headers["Content-Disposition"]
        == 'attachment; filename="share-transactions-2023-07-01.csv"'
    )
    assert _mask_created_at(r.data) == LEDGER_CSV, r.data


def _large_register(engine, n: int) -> list[str]:
    """n members with 1–3 shares each, added in bulk; their numbers."""
    numbers = [f"M-{2000000 + i}" for i in range(n)]
    with new_session(engine) as s:
        members = [
            Member(number=no, last_name=f"Name{no}", first_names="Eva", entry_date=date(2020, 1, 1))
            for no in numbers
        ]
        s.add_all(members)
        s.flush()
        s.add_all(
            ShareTransaction(
                member_id=m.id,
                kind=TransactionKind.SUBSCRIPTION,
                value_date=date(2020, 1, 1),
                share_count=1 + i % 3,
                reference=f"BULK-{m.number}",
            )
            for i, m in enumerate(members)
        )
        s.commit()
    return numbers


def test_large_register_exports_completely_in_pieces(board, engine):
    numbers = _large_register(engine, 2500)
    r = board.get("/register/export?at=2024-01-01")
    chunks = list(r.response)
    r.close()
    assert len(chunks) == 1 + math.ceil(2500 / csv_export.CHUNK_ROWS)  # header, then rows
    lines = b"".join(chunks).decode("utf-8-sig").split("\r\n")
    assert lines[0].startswith("number;kind;") and lines[-1] == ""
    rows = [line.split(";") for line in lines[1:-1]]
    assert [row[0] for row in rows] == numbers
    assert [row[-3:] for row in rows[:3]] == [
        ["1", "64.00", "yes"],
        ["2", "128.00", "yes"],
        ["3", "192.00", "yes"],
    ]
    ledger = board.get("/register/export?what=transactions&at=2024-01-01").data
    assert len(ledger.decode("utf-8-sig").splitlines()) == 2501


def test_the_file_is_read_on_a_session_of_its_own(board, engine, make_member, monkeypatch):
    """The request's session is closed before the body is sent: the file has its own, which
    takes no write lock, reads one snapshot and is closed when the client goes away."""
    monkeypatch.setattr(csv_export, "CHUNK_ROWS", 1)
    _small_register(make_member)
    idle = engine.pool.checkedout()
    r = board.get("/register/export?at=2023-07-01")
    # The request's session is closed; the header (read by the test client to get the
    # status) needs no database: no connection is held yet.
    assert engine.pool.checkedout() == idle
    pieces = iter(r.response)
    assert next(pieces).startswith(b"\xef\xbb\xbfnumber;") and b"M-1000001" in next(pieces)
    assert engine.pool.checkedout() == idle + 1
    make_member(shares=1, last_name="Nachzügler")  # a write while the file is being sent
    rest = b"".join(pieces)
    assert b"M-1000002" in rest and b"M-1000003" in rest and "Nachzügler" not in rest.decode()
    r.close()
    assert engine.pool.checkedout() == idle
    r = board.get("/register/export?at=2023-07-01")
    pieces = iter(r.response)
    next(pieces), next(pieces)
    r.close()  # the client went away in the middle of the file
    assert engine.pool.checkedout() == idle
