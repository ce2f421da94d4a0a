"""CSV import (all or nothing, every bad line named, encodings, dry run) and export."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from decimal import Decimal

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from governance.auditlog import AuditEvent
from governance.errors import DomainError
from governance.register.csv_export import export_members, export_transactions
from governance.register.csv_import import ImportRejected, import_csv
from governance.register.models import Member, MemberStatus, ShareTransaction

MEMBERS = (
    "number,last_name,first_names,street,postal_code,city,email,entry_date,shares\n"
    "M-1000010,Müller,Hans,Hauptstraße 1,10115,Berlin,hans@example.org,2020-01-15,3\n"
    ",Schulz,Eva,Gartenweg 2,50667,Köln,,15.02.2021,1\n"
    ",Özdemir,Ayşe,,,,ayse@example.org,2022-03-01,0\n"
)


def count(session, model) -> int:
    return session.execute(select(func.count()).select_from(model)).scalar_one()


def rejected(session, data: bytes, **kw) -> list[tuple[int, str]]:
    with pytest.raises(ImportRejected) as info:
        import_csv(session, data=data, actor=None, **kw)
    with force_locale("en"):
        return [(e.line, str(e.message)) for e in info.value.result.errors]


def test_members_import(session):
    data = MEMBERS.encode()
    result = import_csv(session, data=data, actor=None, filename="members.csv")
    assert (result.kind, result.members, result.transactions, result.imported) == (
        "members",
        3,
        2,
        True,
    )
    members = session.execute(select(Member).order_by(Member.number)).scalars().all()
    assert [(m.number, m.last_name, m.shares) for m in members] == [
        ("M-1000010", "Müller", 3),
        ("M-1000011", "Schulz", 1),
        ("M-1000012", "Özdemir", 0),
    ]
    assert members[1].entry_date == date(2021, 2, 15) and members[1].sort_name == "schulz eva"
    tx = session.execute(select(ShareTransaction).order_by(ShareTransaction.id)).scalars().first()
    assert (tx.value_date, tx.reference) == (date(2020, 1, 15), "IMPORT M-1000010")
    event = session.execute(
        select(AuditEvent).where(AuditEvent.event_type == "register.imported")
    ).scalar_one()
    payload = json.loads(event.payload)
    assert payload["file_sha256"] == hashlib.sha256(data).hexdigest()
    assert payload["members_created"] == 3 and payload["numbers"] == ["M-1000010", "M-1000012"]


def test_one_bad_line_imports_nothing_and_names_the_line(session):
    bad = MEMBERS.replace("15.02.2021", "31.02.2021")
    assert rejected(session, bad.encode()) == [(3, "Date of entry is not a date: “31.02.2021”.")]
    assert count(session, Member) == 0 and count(session, ShareTransaction) == 0
    fixed = import_csv(session, data=MEMBERS.encode(), actor=None)
    assert fixed.members == 3 and count(session, Member) == 3


def test_every_bad_row_is_listed(session, make_member):
    make_member(number="M-1000001")
    data = (
        "number;last_name;email;entry_date;shares;status\n"
        "M-1000001;Taken;;2020-01-01;1;\n"  # exists already
        ";Mail;not-an-address;2020-01-01;1;\n"
        ";;;2020-01-01;1;\n"  # no surname
        "M-1000005;Twice;;2020-01-01;1;\n"
        "M-1000005;Twice;;2020-01-01;-1;\n"  # duplicate number, negative shares
        ";Gone;;2020-01-01;1;CANCELLED\n"  # a notice needs its dates
        ";Fine;;2020-01-01;1;\n"
    )
    errors = rejected(session, data.encode())
    assert [line for line, _msg in errors] == [2, 3, 4, 6, 6, 7]
    assert "exists already" in errors[0][1] and "email" in errors[1][1]
    assert "surname" in errors[2][1] and "line 5" in errors[4][1]
    assert count(session, Member) == 1


def test_line_numbers_count_physical_lines(session):
    data = 'last_name,note,entry_date\n"Multi","a note\nover two lines",2020-01-01\nBroken,,2020-13-01\n'
    assert [line for line, _msg in rejected(session, data.encode())] == [4]


@pytest.mark.parametrize(
    ("encoding", "text"),
    [
        ("utf-8", "Nachname;Vorname;Eintrittsdatum;Anteile;Ort\nMüller;Jörg;01.02.2020;2;Köln\n"),
        (
            "utf-8-sig",
            "last_name,first_names,entry_date,shares,city\nMüller,Jörg,2020-02-01,2,Köln\n",
        ),
        (
            "cp1252",
            "Nachname;Vorname;Eintrittsdatum;Anteile;Ort\r\nMüller;Jörg;01.02.2020;2;Köln\r\n",
        ),
        (
            "cp1252",
            "Name\tVorname\tEintritt\tGeschäftsanteile\tStadt\nMüller\tJörg\t1.2.2020\t2\tKöln\n",
        ),
    ],
)
def test_encodings_and_delimiters(session, encoding, text):
    result = import_csv(session, data=text.encode(encoding), actor=None)
    assert result.encoding == encoding
    m = session.execute(select(Member)).scalar_one()
    assert (m.last_name, m.first_names, m.city, m.shares) == ("Müller", "Jörg", "Köln", 2)
    assert m.entry_date == date(2020, 2, 1)


def test_undecodable_file_or_unknown_column_refused(session):
    for data in (
        b"last_name,entry_date\n\x81\x8d,2020-01-01\n",
        b"last_name,shoe size,entry_date\nX,42,2020-01-01\n",
        b"",
    ):
        with pytest.raises(DomainError):
            import_csv(session, data=data, actor=None)
    assert rejected(session, b"last_name,city\nX,Ulm\n") == [
        (1, "The column Date of entry is missing.")
    ]


def test_dry_run_writes_nothing(session):
    result = import_csv(session, data=MEMBERS.encode(), actor=None, dry_run=True)
    assert (result.ok, result.imported, result.members) == (True, False, 3)
    assert count(session, Member) == 0 and count(session, AuditEvent) == 0


def test_transactions_import(session, make_member):
    a = make_member(shares=2, entry_date=date(2020, 1, 1))
    b = make_member(shares=1, entry_date=date(2020, 1, 1))
    first_tx = session.execute(
        select(ShareTransaction.id).where(ShareTransaction.member_id == b.id)
    ).scalar_one()
    data = (
        "member_number;type;value_date;share_count;reference;comment;reverses\n"
        f"{a.number};SUBSCRIPTION;2021-01-01;3;AUFST-2021;;\n"
        f"{a.number};Kündigung;31.12.2021;2;KUEND-2021;Kündigung zum Jahresende;\n"
        f"{b.number};REVERSAL;2021-05-01;;STORNO-0001;Fehlbuchung;{first_tx}\n"
    )
    result = import_csv(session, data=data.encode(), actor=None)
    assert (result.kind, result.transactions) == ("transactions", 3)
    session.expire_all()
    assert session.get(Member, a.id).shares == 3 and session.get(Member, b.id).shares == 0


def test_transactions_validated_against_the_ledger(session, make_member):
    a = make_member(shares=1, entry_date=date(2020, 1, 1))
    data = (
        "member_number,type,value_date,share_count,reference\n"
        f"{a.number},CANCELLATION,2021-01-01,-1,KUEND-0001\n"
        f"{a.number},CANCELLATION,2021-06-01,1,KUEND-0002\n"  # nothing left to cancel
        "M-1999999,SUBSCRIPTION,2021-01-01,1,REF-00001\n"
        f"{a.number},SUBSCRIPTION,2019-01-01,1,REF-00001\n"  # before entry
        f"{a.number},GIFT,2021-01-01,1,REF-00001\n"
        f"{a.number},SUBSCRIPTION,2021-01-01,1,short\n"
    )
    assert [line for line, _m in rejected(session, data.encode())] == [3, 4, 5, 6, 7]
    assert count(session, ShareTransaction) == 1


def test_export_members_as_at_a_date(session, make_member):
    make_member(shares=2, entry_date=date(2020, 1, 1), last_name="=Formel")
    make_member(shares=1, entry_date=date(2025, 1, 1))  # not yet a member
    make_member(
        shares=3,
        status=MemberStatus.EXPELLED,
        expulsion_letter_date=date(2023, 6, 1),
        exit_date=date(2023, 12, 31),
    )
    text = export_members(session, at=date(2023, 7, 1), share_value=Decimal("64.00"), min_shares=1)
    lines = text.removeprefix("\ufeff").splitlines()
    assert lines[0].startswith("number;kind;last_name")
    assert len(lines) == 3
    assert lines[1].startswith("M-1000001;NATURAL;'=Formel;") and lines[1].endswith(";2;128.00;yes")
    assert lines[2].endswith(";3;192.00;no")
    ledger = export_transactions(session, until=date(2023, 7, 1))
    assert len(ledger.splitlines()) == 3


def test_exported_register_reads_back(session, make_member):
    make_member(shares=2, entry_date=date(2020, 1, 1), email="a@example.org")
    text = export_members(session, at=date(2024, 1, 1), share_value=Decimal("64"), min_shares=1)
    # Into the same register every number is taken: the only complaint.
    errors = rejected(session, text.encode("utf-8"))
    assert len(errors) == 1 and "exists already" in errors[0][1]
