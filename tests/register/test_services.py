"""Register services: members, bookings, audit events, accounts, eligibility queries."""

from __future__ import annotations

import json
from datetime import date

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from governance.accounts.models import Role, User
from governance.auditlog import AuditEvent
from governance.errors import DomainError
from governance.register import links, services
from governance.register.models import Member, MemberStatus, PersonKind, TransactionKind
from governance.register.queries import MemberFilter, history_of, member_page, shares_held

D = date(2021, 1, 1)


def refused(fn, *args, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as info:
        fn(*args, **kwargs)
    return info.value


def msg(err: DomainError) -> str:
    """The error's message (outside a request the locale must be forced)."""
    with force_locale("en"):
        return str(err.message)


def events(session, event_type: str) -> list[AuditEvent]:
    stmt = select(AuditEvent).where(AuditEvent.event_type == event_type)
    return list(session.execute(stmt).scalars())


def test_create_member_assigns_numbers_and_audits(session):
    a = services.create_member(session, actor=None, entry_date=D, last_name="Müller")
    b = services.create_member(session, actor=None, entry_date=D, last_name="Özdemir")
    assert (a.number, b.number) == ("M-1000001", "M-1000002")
    assert a.sort_name == "muller" and a.shares == 0
    payload = json.loads(events(session, "member.created")[0].payload)
    assert payload["after"]["last_name"] == "Müller"
    assert history_of(session, a.id)[0].event_type == "member.created"


def test_create_member_rules(session):
    services.create_member(session, actor=None, entry_date=D, last_name="A", number="M-1000100")
    err = refused(
        services.create_member,
        session,
        actor=None,
        entry_date=D,
        last_name="B",
        number="M-1000100",
    )
    assert err.field == "number"
    assert (
        refused(
            services.create_member, session, actor=None, entry_date=D, last_name="B", number="X-1"
        ).field
        == "number"
    )
    assert refused(services.create_member, session, actor=None, entry_date=D).field == "last_name"
    legal = services.create_member(
        session, actor=None, entry_date=D, kind=PersonKind.LEGAL, firm="Kita e.V."
    )
    assert legal.display_name == "Kita e.V." and legal.number == "M-1000101"


def test_update_member_records_before_and_after(session):
    m = services.create_member(session, actor=None, entry_date=D, last_name="Alt", city="Ulm")
    services.update_member(session, member=m, actor=None, last_name="Neu", city="Ulm")
    payload = json.loads(events(session, "member.updated")[0].payload)
    assert payload["before"] == {"last_name": "Alt"} and payload["after"] == {"last_name": "Neu"}
    assert m.sort_name == "neu"
    services.update_member(session, member=m, actor=None, city="Ulm")
    assert len(events(session, "member.updated")) == 1  # no change, no event


def test_entry_date_cannot_move_after_bookings(session):
    m = services.create_member(session, actor=None, entry_date=D, last_name="X")
    services.book_subscription(
        session, member=m, share_count=1, value_date=D, reference="REF-0001", actor=None
    )
    err = refused(
        services.update_member, session, member=m, actor=None, entry_date=date(2021, 2, 1)
    )
    assert err.field == "entry_date"


def test_bookings_keep_the_total(session):
    m = services.create_member(session, actor=None, entry_date=D, last_name="X")
    sub = services.book_subscription(
        session, member=m, share_count=5, value_date=D, reference="REF-0001", actor=None
    )
    services.book_cancellation(
        session,
        member=m,
        share_count=2,
        value_date=date(2021, 12, 31),
        reference="KUEND-01",
        actor=None,
    )
    assert m.shares == 3
    assert shares_held(session, member_id=m.id, at=date(2021, 6, 1)) == 5
    assert shares_held(session, member_id=m.id, at=date(2021, 12, 31)) == 3
    err = refused(services.book_reversal, session, original=sub, reference="STORNO-1", actor=None)
    assert "fewer than zero" in msg(err)
    payload = json.loads(events(session, "share.subscription")[0].payload)
    assert payload["share_count"] == 5 and payload["shares_after"] == 5


def test_booking_errors_name_their_field(session):
    m = services.create_member(session, actor=None, entry_date=D, last_name="X")
    book = services.book_subscription
    assert (
        refused(
            book, session, member=m, share_count=1, value_date=D, reference="short", actor=None
        ).field
        == "reference"
    )
    assert (
        refused(
            book, session, member=m, share_count=0, value_date=D, reference="REF-0001", actor=None
        ).field
        == "share_count"
    )
    assert (
        refused(
            book,
            session,
            member=m,
            share_count=1,
            value_date=date(2020, 1, 1),
            reference="REF-0001",
            actor=None,
        ).field
        == "value_date"
    )
    assert (
        refused(
            services.book_cancellation,
            session,
            member=m,
            share_count=1,
            value_date=D,
            reference="REF-0001",
            actor=None,
        ).field
        == "share_count"
    )


def test_reversal_once_and_exact(session):
    m = services.create_member(session, actor=None, entry_date=D, last_name="X")
    sub = services.book_subscription(
        session, member=m, share_count=2, value_date=D, reference="REF-0001", actor=None
    )
    rev = services.book_reversal(session, original=sub, reference="STORNO-1", actor=None)
    assert (rev.kind, rev.share_count, rev.reverses_id) == (TransactionKind.REVERSAL, -2, sub.id)
    assert rev.value_date == sub.value_date and m.shares == 0
    again = refused(services.book_reversal, session, original=sub, reference="STORNO-2", actor=None)
    assert "reversed already" in msg(again)


def test_comment_may_change_and_is_audited(session):
    m = services.create_member(session, actor=None, entry_date=D, last_name="X")
    tx = services.book_subscription(
        session, member=m, share_count=1, value_date=D, reference="REF-0001", actor=None
    )
    services.set_transaction_comment(session, transaction=tx, comment=" bezahlt ", actor=None)
    session.flush()
    assert tx.comment == "bezahlt"
    payload = json.loads(events(session, "share.comment_changed")[0].payload)
    assert payload == {
        "number": m.number,
        "transaction_id": tx.id,
        "before": "",
        "after": "bezahlt",
    }


def test_subscription_needs_membership_at_value_date(session, make_member):
    left = make_member(status=MemberStatus.TRANSFERRED, exit_date=date(2022, 1, 1))
    m = session.get(Member, left.id)
    err = refused(
        services.book_subscription,
        session,
        member=m,
        share_count=1,
        value_date=date(2022, 1, 2),
        reference="REF-0001",
        actor=None,
    )
    assert err.field == "value_date"


def test_invite_creates_a_member_account(session, make_member):
    m = session.get(Member, make_member(email="Erika@Example.org").id)
    user = services.invite_member(session, member=m, actor=None, today=date.today())
    assert user.email == "erika@example.org" and user.member_id == m.id
    assert user.roles == {Role.MEMBER}
    again = services.invite_member(session, member=m, actor=None, today=date.today())
    assert again.id == user.id
    assert len(events(session, "member.invited")) == 2


def test_invite_asks_an_existing_account_and_links_it_once_confirmed(
    app, session, make_member, make_user
):
    # (a board login has a member already: its role follows the member's seat)
    existing = make_user(roles=[Role.SECRETARY], email="vorstand@example.org")
    m = session.get(Member, make_member(email="vorstand@example.org").id)
    user = services.invite_member(session, member=m, actor=None, today=date.today())
    assert user.id == existing.id and user.member_id is None  # not linked by the board
    assert user.roles == {Role.SECRETARY} and len(events(session, "member.link_requested")) == 1
    token = links.link_token(app.secret_key, member=m, user=user)
    linked = links.confirm_link(session, app.secret_key, token=token, user=user, max_age=60)
    assert linked.id == m.id and user.member_id == m.id
    assert user.roles == {Role.SECRETARY, Role.MEMBER}


def test_invite_refusals(session, make_member, make_user):
    ids = [
        make_member().id,
        make_member(status=MemberStatus.EXPELLED, email="x@example.org").id,
        make_member(email="taken@example.org").id,
    ]
    make_user(email="taken@example.org", member_id=ids[2])
    ids.append(make_member(email="taken@example.org").id)
    no_mail, gone, _other, m = (session.get(Member, i) for i in ids)
    today = date.today()
    err = refused(services.invite_member, session, member=no_mail, actor=None, today=today)
    assert err.field == "email"
    refused(services.invite_member, session, member=gone, actor=None, today=today)
    refused(services.invite_member, session, member=m, actor=None, today=today)
    assert session.execute(select(User).where(User.member_id == m.id)).first() is None


def test_eligible_members(session, make_member):
    day = date(2024, 6, 1)
    ok = make_member(shares=1, entry_date=date(2020, 1, 1))
    make_member(shares=0)  # no shares
    make_member(shares=2, entry_date=date(2024, 6, 2))  # enters after the day
    notice = make_member(
        status=MemberStatus.CANCELLED, notice_date=date(2024, 1, 5), exit_date=date(2024, 12, 31)
    )
    make_member(
        status=MemberStatus.CANCELLED, notice_date=date(2023, 1, 5), exit_date=date(2023, 12, 31)
    )
    make_member(
        status=MemberStatus.EXPELLED,
        expulsion_letter_date=date(2024, 6, 1),
        exit_date=date(2024, 12, 31),
    )
    late_letter = make_member(
        status=MemberStatus.EXPELLED,
        expulsion_letter_date=date(2024, 6, 2),
        exit_date=date(2024, 12, 31),
    )
    make_member(
        status=MemberStatus.DECEASED, death_date=date(2024, 5, 1), exit_date=date(2024, 12, 31)
    )
    make_member(status=MemberStatus.INVALID)
    rows = services.eligible_members(session, at=day, min_shares=1)
    assert [(m.id, held) for m, held in rows] == [(ok.id, 1), (notice.id, 2), (late_letter.id, 2)]
    assert [m.id for m, _ in services.eligible_members(session, at=day, min_shares=2)] == [
        notice.id,
        late_letter.id,
    ]


def test_eligible_members_counts_shares_at_the_date(session, make_member):
    m = session.get(Member, make_member(shares=1).id)
    services.book_cancellation(
        session,
        member=m,
        share_count=1,
        value_date=date(2024, 12, 31),
        reference="KUEND-01",
        actor=None,
    )
    assert m.shares == 0
    assert [
        held for _m, held in services.eligible_members(session, at=date(2024, 12, 30), min_shares=1)
    ] == [1]
    assert services.eligible_members(session, at=date(2024, 12, 31), min_shares=1) == []


def test_member_page_search_filter_sort(session, make_member):
    make_member(last_name="Müller", first_names="Hans", shares=3)
    make_member(last_name="Schmidt-Müller", first_names="Eva", shares=1)
    make_member(last_name="Meier", first_names="Jo", shares=5, status=MemberStatus.CANCELLED)
    names = lambda page: [m.last_name for m, _held in page.items]  # noqa: E731
    assert names(member_page(session, MemberFilter(query="muller"))) == ["Müller", "Schmidt-Müller"]
    assert names(member_page(session, MemberFilter(query="hans MÜLLER"))) == ["Müller"]
    assert names(member_page(session, MemberFilter(query="M-1000003"))) == ["Meier"]
    assert names(member_page(session, MemberFilter(status=MemberStatus.CANCELLED))) == ["Meier"]
    by_shares = member_page(session, MemberFilter(sort="shares", descending=True))
    assert names(by_shares) == ["Meier", "Müller", "Schmidt-Müller"]
    page = member_page(session, MemberFilter(per_page=2, page=2))
    assert (page.total, page.pages, page.number, names(page)) == (3, 2, 2, ["Schmidt-Müller"])
    eligible = member_page(session, MemberFilter(eligible_at=date.today(), min_shares=2))
    assert [(m.last_name, held) for m, held in eligible.items] == [("Meier", 5), ("Müller", 3)]
    assert member_page(session, MemberFilter(query="50%_x")).total == 0
