"""Register pages: list, member page, forms with their errors, invitation, import, export."""

from __future__ import annotations

import io
import re
from datetime import date
from urllib.parse import urlsplit

import pytest
from sqlalchemy import event, select

from governance.accounts.models import Role, User
from governance.db import new_session
from governance.mail import OutboxMessage
from governance.register.models import Member, MemberStatus, ShareTransaction


@pytest.fixture
def board(login, make_member, make_user):
    """The board's login: member 1 (M-1000001, no shares, so never eligible and no booking),
    seated on the board (the role follows the seat); the tests' members start with 2."""
    return login(make_user(roles=[Role.BOARD], member_id=make_member(shares=0).id))


def load(engine, model, ident):
    with new_session(engine) as s:
        return s.get(model, ident)


def text(response) -> str:
    return response.get_data(as_text=True)


def test_list_search_filter_sort_paginate(board, make_member):
    for i in range(55):
        make_member(shares=1 + i % 3, last_name=f"Name{i:02d}")
    make_member(last_name="Müller", first_names="Jörg", shares=9)
    page = text(board.get("/register/?q=muller"))
    assert "Müller, Jörg" in page and "Name01" not in page and "1 member found" in page
    first = text(board.get("/register/?sort=number"))
    rows = re.compile(r'href="/register/members/\d+"')
    assert len(rows.findall(first)) == 50 and 'rel="next"' in first
    second = text(board.get("/register/?sort=number&page=2"))
    assert len(rows.findall(second)) == 7 and "Müller" in second
    top = text(board.get("/register/?sort=shares&desc=y"))
    assert rows.findall(top)[0] == 'href="/register/members/57"' and "Name00" not in top
    eligible = text(board.get("/register/?eligible_at=2019-06-01"))
    assert "0 members found" in eligible
    assert "56 members found" in text(board.get("/register/?status=ACTIVE&eligible_at=2024-01-01"))
    assert "0 members found" in text(board.get("/register/?status=EXPELLED"))
    assert board.get("/register/?status=NOPE&eligible_at=kaputt&sort=x&page=999").status_code == 200


def test_list_has_no_n_plus_one(app, board, engine, make_member):
    def statements(url: str) -> int:
        seen: list[str] = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert board.get(url).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(seen)

    make_member()
    few = statements("/register/?eligible_at=2024-01-01")
    for _ in range(30):
        make_member()
    assert statements("/register/?eligible_at=2024-01-01") == few <= 8


def test_member_page_shows_ledger_and_history(board, make_member):
    m = make_member(shares=4, last_name="Ledger")
    page = text(board.get(f"/register/members/{m.id}"))
    assert "TEST-" + m.number in page and "+4" in page
    assert "member added" in page and "shares subscribed" in page
    assert 'id="shares-today">4<' in page and "256.00" in page


def test_readers_see_no_write_buttons(login_as, make_member):
    m = make_member()
    page = text(login_as("SUPERVISORY_BOARD").get(f"/register/members/{m.id}"))
    assert "/subscribe" not in page and "/edit" not in page and "/invite" not in page


def test_create_and_edit_member(board, engine):
    bad = board.post("/register/members/new", data={"kind": "NATURAL", "entry_date": "2024-01-01"})
    assert bad.status_code == 200 and "needs a surname" in text(bad)
    r = board.post(
        "/register/members/new",
        data={
            "kind": "NATURAL",
            "last_name": " Neumann ",
            "first_names": "Nina",
            "country": "de",
            "email": "Nina@Example.org",
            "entry_date": "2024-01-01",
        },
    )
    assert r.status_code == 302
    m = load(engine, Member, 2)
    assert (m.number, m.last_name, m.email, m.country) == (
        "M-1000002",
        "Neumann",
        "nina@example.org",
        "DE",
    )
    r = board.post(
        "/register/members/2/edit",
        data={"kind": "LEGAL", "firm": "", "country": "DE", "entry_date": "2024-01-01"},
    )
    assert "needs a firm name" in text(r)
    r = board.post(
        "/register/members/2/edit",
        data={
            "kind": "NATURAL",
            "last_name": "Altmann",
            "country": "DE",
            "entry_date": "2024-01-01",
        },
    )
    assert r.status_code == 302 and load(engine, Member, 2).last_name == "Altmann"


def test_booking_forms(board, engine, make_member):
    m = make_member(shares=2, entry_date=date(2020, 1, 1))
    url = f"/register/members/{m.id}"
    r = board.post(
        f"{url}/subscribe",
        data={"share_count": "3", "value_date": "2021-01-01", "reference": "abc"},
    )
    assert r.status_code == 200 and "between 6 and 48" in text(r)
    r = board.post(
        f"{url}/subscribe",
        data={"share_count": "3", "value_date": "2021-01-01", "reference": "AUFST-2021"},
    )
    assert r.status_code == 302 and load(engine, Member, m.id).shares == 5
    r = board.post(
        f"{url}/cancel-shares",
        data={"share_count": "9", "value_date": "2022-12-31", "reference": "KUEND-2022"},
    )
    assert r.status_code == 200 and "fewer than zero" in text(r)
    r = board.post(
        f"{url}/cancel-shares",
        data={"share_count": "1", "value_date": "2022-12-31", "reference": "KUEND-2022"},
    )
    assert r.status_code == 302 and load(engine, Member, m.id).shares == 4


def test_reverse_and_comment(board, engine, make_member):
    m = make_member(shares=2)
    r = board.post("/register/transactions/1/reverse", data={"reference": "STORNO-01"})
    assert r.status_code == 302 and load(engine, Member, m.id).shares == 0
    r = board.post("/register/transactions/1/reverse", data={"reference": "STORNO-02"})
    assert r.status_code == 200 and "reversed already" in text(r)
    r = board.post("/register/transactions/2/comment", data={"comment": "Fehlbuchung"})
    assert r.status_code == 302 and load(engine, ShareTransaction, 2).comment == "Fehlbuchung"
    page = text(board.get(f"/register/members/{m.id}"))
    assert "reversed" in page and "Fehlbuchung" in page


def test_exit_events(board, engine, make_member):
    m = make_member(shares=1, entry_date=date(2020, 1, 1))
    taker = make_member(shares=1, entry_date=date(2020, 1, 1))
    r = board.post(f"/register/members/{m.id}/exit/notice", data={"notice_date": "2024-09-30"})
    assert r.status_code == 302
    m1 = load(engine, Member, m.id)
    assert (m1.status, m1.exit_date) == (MemberStatus.CANCELLED, date(2024, 12, 31))
    r = board.post(
        f"/register/members/{m.id}/exit/transfer",
        data={"transfer_date": "2024-10-01", "to_number": "M-1999999", "reference": "UEBERTR-1"},
    )
    assert r.status_code == 200 and "No member with this number" in text(r)
    r = board.post(
        f"/register/members/{m.id}/exit/transfer",
        data={"transfer_date": "2024-10-01", "to_number": taker.number, "reference": "UEBERTR-1"},
    )
    assert r.status_code == 302 and load(engine, Member, taker.id).shares == 2
    r = board.post(f"/register/members/{m.id}/exit/expulsion", data={"letter_date": "2024-09-30"})
    assert r.status_code == 200 and "cannot become" in text(r)
    r = board.post(f"/register/members/{taker.id}/exit/death", data={"death_date": "2019-01-01"})
    assert r.status_code == 200 and "before the member" in text(r)


def test_invitation_sends_a_working_login_link(app, board, client, engine, make_member):
    m = make_member(email="neu@example.org", last_name="Neu")
    assert board.post(f"/register/members/{m.id}/invite").status_code == 302
    with new_session(engine) as s:
        user = s.execute(select(User).where(User.member_id == m.id)).scalar_one()
        assert user.roles == {Role.MEMBER}
        mail = s.execute(
            select(OutboxMessage).where(OutboxMessage.to_addr == user.email)
        ).scalar_one()
    link = re.search(r"https?://\S+/login/link/\S+", mail.body_text).group(0)
    assert link.startswith(app.config["BASE_URL"])  # never the request's Host header
    path = urlsplit(link).path
    assert client.post(path).status_code == 302
    page = text(client.get("/my-membership"))
    assert m.number in page and "Neu" in page


def test_invitation_without_email_explains(board, make_member):
    m = make_member()
    r = board.post(f"/register/members/{m.id}/invite", follow_redirects=True)
    assert "has no email address" in text(r)


def upload(client, data: bytes, dry_run: bool):
    form = {"file": (io.BytesIO(data), "members.csv")}
    if dry_run:
        form["dry_run"] = "y"
    return client.post("/register/import", data=form, content_type="multipart/form-data")


def test_import_page(board, engine):
    good = "last_name;entry_date;shares\nMeier;2020-01-01;2\nSchulz;2020-02-01;1\n"
    bad = good.replace("2020-02-01", "gestern") + "Kunz;2020-03-01;x\n"
    r = upload(board, bad.encode("cp1252"), dry_run=False)
    page = text(r)
    assert "Nothing imported: 2 problems" in page and "Line 3:" in page and "Line 4:" in page
    assert load(engine, Member, 2) is None
    r = upload(board, good.encode(), dry_run=True)
    assert "Would be imported: 2 members" in text(r) and load(engine, Member, 2) is None
    r = upload(board, good.encode(), dry_run=False)
    assert "Imported: 2 members and 2 share transactions" in text(r)
    assert load(engine, Member, 3).shares == 1
    assert "unknown column" in text(upload(board, b"foo\nbar\n", dry_run=False))


def test_export_download(board, make_member):
    make_member(shares=2, last_name="Export")
    r = board.get("/register/export?at=2024-01-01")
    assert (
        r.mimetype == "text/csv"
        and "member-register-2024-01-01.csv" in r.headers["Content-Disposition"]
    )
    body = r.data.decode("utf-8-sig")
    assert "Export" in body and ";2;128.00;yes" in body
    ledger = board.get("/register/export?what=transactions&at=2024-01-01").data.decode("utf-8-sig")
    assert ledger.splitlines()[1].split(";")[2] == "SUBSCRIPTION"


def test_my_membership_shows_value(login, make_member, make_user):
    m = make_member(shares=3, status=MemberStatus.CANCELLED)
    page = text(login(make_user(member_id=m.id)).get("/my-membership"))
    assert "€192.00" in page and "notice given" in page and 'class="badge ok"' in page
