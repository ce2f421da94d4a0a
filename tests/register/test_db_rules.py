"""Every rule of the share ledger holds in the database itself: raw SQL, no Python checks.

Each test runs on SQLite and on PostgreSQL (the `app` fixture is parametrized).
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

CREATED = "2024-01-01 00:00:00"


def insert_tx(
    conn: Any,
    member_id: int,
    kind: str,
    value_date: str,
    count: int,
    *,
    reference: str = "REF-000001",
    reverses_id: int | None = None,
    tx_id: int | None = None,
) -> int:
    """Insert a booking by raw SQL; returns its id."""
    params = {
        "member_id": member_id,
        "kind": kind,
        "value_date": value_date,
        "count": count,
        "reference": reference,
        "reverses_id": reverses_id,
        "created_at": CREATED,
    }
    cols = "member_id, kind, value_date, share_count, reference, reverses_id, comment, created_at"
    vals = ":member_id, :kind, :value_date, :count, :reference, :reverses_id, '', :created_at"
    if tx_id is not None:
        cols, vals, params["id"] = "id, " + cols, ":id, " + vals, tx_id
    stmt = f"INSERT INTO share_transaction ({cols}) VALUES ({vals}) RETURNING id"
    return int(conn.execute(text(stmt), params).scalar_one())


def rejected(engine: Any, sql_or_fn: Any, params: dict[str, Any] | None = None) -> None:
    """The statement (or callable taking a connection) fails and changes nothing."""
    with pytest.raises(DBAPIError), engine.begin() as conn:
        if callable(sql_or_fn):
            sql_or_fn(conn)
        else:
            conn.execute(text(sql_or_fn), params or {})


def shares_of(engine: Any, member_id: int) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                text("SELECT shares FROM member WHERE id = :id"), {"id": member_id}
            ).scalar_one()
        )


@pytest.fixture
def member(make_member: Any) -> Any:
    return make_member(shares=3)


def test_trigger_keeps_the_total(engine, member):
    with engine.begin() as conn:
        insert_tx(conn, member.id, "SUBSCRIPTION", "2021-01-01", 2)
        insert_tx(conn, member.id, "CANCELLATION", "2022-01-01", -4)
    assert shares_of(engine, member.id) == 1


def test_zero_count_rejected(engine, member):
    rejected(engine, lambda c: insert_tx(c, member.id, "REVERSAL", "2021-01-01", 0))
    rejected(engine, lambda c: insert_tx(c, member.id, "SUBSCRIPTION", "2021-01-01", 0))


def test_sign_by_type(engine, member):
    rejected(engine, lambda c: insert_tx(c, member.id, "SUBSCRIPTION", "2021-01-01", -1))
    rejected(engine, lambda c: insert_tx(c, member.id, "CANCELLATION", "2021-01-01", 1))
    rejected(engine, lambda c: insert_tx(c, member.id, "GIFT", "2021-01-01", 1))


def test_reference_length(engine, member):
    rejected(
        engine,
        lambda c: insert_tx(c, member.id, "SUBSCRIPTION", "2021-01-01", 1, reference="ABCDE"),
    )
    rejected(
        engine,
        lambda c: insert_tx(c, member.id, "SUBSCRIPTION", "2021-01-01", 1, reference="X" * 49),
    )


def test_total_never_negative(engine, member):
    rejected(engine, lambda c: insert_tx(c, member.id, "CANCELLATION", "2021-01-01", -4))
    assert shares_of(engine, member.id) == 3


def test_total_never_negative_at_an_earlier_value_date(engine, make_member):
    m = make_member(shares=0)
    with engine.begin() as conn:
        insert_tx(conn, m.id, "SUBSCRIPTION", "2022-06-01", 2)
    # 2 at the end, but -2 between 2022-01-01 and 2022-06-01: refused.
    rejected(engine, lambda c: insert_tx(c, m.id, "CANCELLATION", "2022-01-01", -2))
    assert shares_of(engine, m.id) == 2


def test_reversal_needs_a_reference(engine, member):
    rejected(engine, lambda c: insert_tx(c, member.id, "REVERSAL", "2021-01-01", -1))


def test_only_reversals_reference(engine, member):
    def go(conn: Any) -> None:
        first = insert_tx(conn, member.id, "SUBSCRIPTION", "2021-01-01", 1)
        insert_tx(conn, member.id, "SUBSCRIPTION", "2021-01-01", 1, reverses_id=first)

    rejected(engine, go)


def test_reversal_is_exact_negative(engine, member):
    with engine.begin() as conn:
        tx = insert_tx(conn, member.id, "SUBSCRIPTION", "2021-01-01", 2)
    rejected(
        engine, lambda c: insert_tx(c, member.id, "REVERSAL", "2021-01-01", -1, reverses_id=tx)
    )
    rejected(engine, lambda c: insert_tx(c, member.id, "REVERSAL", "2021-01-01", 2, reverses_id=tx))
    with engine.begin() as conn:
        insert_tx(conn, member.id, "REVERSAL", "2021-01-01", -2, reverses_id=tx)
    assert shares_of(engine, member.id) == 3


def test_at_most_one_reversal(engine, member):
    with engine.begin() as conn:
        tx = insert_tx(conn, member.id, "SUBSCRIPTION", "2021-01-01", 2)
        insert_tx(conn, member.id, "REVERSAL", "2021-01-01", -2, reverses_id=tx)
    rejected(
        engine, lambda c: insert_tx(c, member.id, "REVERSAL", "2021-02-01", -2, reverses_id=tx)
    )


def test_reversal_of_same_member_only(engine, member, make_member):
    other = make_member(shares=5)
    with engine.begin() as conn:
        tx = insert_tx(conn, other.id, "SUBSCRIPTION", "2021-01-01", 2)
    rejected(
        engine, lambda c: insert_tx(c, member.id, "REVERSAL", "2021-01-01", -2, reverses_id=tx)
    )


def test_reversal_of_a_reversal_refused(engine, member):
    with engine.begin() as conn:
        tx = insert_tx(conn, member.id, "CANCELLATION", "2021-01-01", -1)
        rev = insert_tx(conn, member.id, "REVERSAL", "2021-01-01", 1, reverses_id=tx)
    rejected(
        engine, lambda c: insert_tx(c, member.id, "REVERSAL", "2021-01-01", -1, reverses_id=rev)
    )


def test_reversal_must_reverse_an_earlier_transaction(engine, member):
    with engine.begin() as conn:
        later = insert_tx(conn, member.id, "SUBSCRIPTION", "2021-01-01", 1, tx_id=1000)
    # A lower id than the transaction it claims to reverse, or itself: refused.
    rejected(
        engine,
        lambda c: insert_tx(
            c, member.id, "REVERSAL", "2021-01-01", -1, reverses_id=later, tx_id=999
        ),
    )
    rejected(
        engine,
        lambda c: insert_tx(
            c, member.id, "REVERSAL", "2021-01-01", 1, reverses_id=1001, tx_id=1001
        ),
    )


def test_reversal_not_value_dated_before_original(engine, member):
    with engine.begin() as conn:
        tx = insert_tx(conn, member.id, "SUBSCRIPTION", "2021-06-01", 1)
    rejected(
        engine, lambda c: insert_tx(c, member.id, "REVERSAL", "2021-05-31", -1, reverses_id=tx)
    )


def test_reversal_cannot_make_total_negative(engine, make_member):
    m = make_member(shares=0)
    with engine.begin() as conn:
        sub = insert_tx(conn, m.id, "SUBSCRIPTION", "2021-01-01", 2)
        insert_tx(conn, m.id, "CANCELLATION", "2021-06-01", -2)
    rejected(engine, lambda c: insert_tx(c, m.id, "REVERSAL", "2021-01-01", -2, reverses_id=sub))


def test_only_the_comment_may_change(engine, member):
    with engine.begin() as conn:
        tx = insert_tx(conn, member.id, "SUBSCRIPTION", "2021-01-01", 1)
        conn.execute(text("UPDATE share_transaction SET comment = 'ok' WHERE id = :id"), {"id": tx})
    for assignment in (
        "share_count = 5",
        "value_date = '2020-06-01'",
        "reference = 'OTHER-REF'",
        "kind = 'CANCELLATION', share_count = -1",
        "comment = 'x', share_count = 2",
    ):
        rejected(engine, f"UPDATE share_transaction SET {assignment} WHERE id = :id", {"id": tx})


def test_no_delete(engine, member):
    with engine.begin() as conn:
        tx = insert_tx(conn, member.id, "SUBSCRIPTION", "2021-01-01", 1)
    rejected(engine, "DELETE FROM share_transaction WHERE id = :id", {"id": tx})
    rejected(engine, "DELETE FROM share_transaction")


def test_member_total_cannot_be_set_by_hand(engine, member):
    rejected(engine, "UPDATE member SET shares = 10 WHERE id = :id", {"id": member.id})
    rejected(engine, "UPDATE member SET shares = -1 WHERE id = :id", {"id": member.id})
    assert shares_of(engine, member.id) == 3


def test_member_insert_with_shares_refused(engine):
    rejected(
        engine,
        "INSERT INTO member (number, kind, last_name, first_names, firm, sort_name, street, "
        "postal_code, city, country, entry_date, status, shares, note, created_at) VALUES "
        "('M-1999999', 'NATURAL', 'X', '', '', 'x', '', '', '', 'DE', '2020-01-01', 'ACTIVE', "
        "5, '', :c)",
        {"c": CREATED},
    )


def test_member_with_ledger_cannot_be_deleted(engine, member):
    rejected(engine, "DELETE FROM member WHERE id = :id", {"id": member.id})


@pytest.mark.parametrize(
    ("assignment", "why"),
    [
        ("status = 'EXPELLED', exit_date = '2030-01-01'", "expulsion needs the letter date"),
        ("status = 'CANCELLED'", "a notice needs dates"),
        ("status = 'DECEASED', exit_date = '2030-01-01'", "death needs the date"),
        ("exit_date = '2019-12-31'", "exit before entry"),
        ("number = 'X-1'", "number format"),
    ],
)
def test_member_status_consistency(engine, member, assignment, why):
    rejected(engine, f"UPDATE member SET {assignment} WHERE id = :id", {"id": member.id})


def test_concurrent_cancellations_cannot_overdraw(engine, make_member):
    """Two transactions each cancelling all shares: the second waits and is refused."""
    m = make_member(shares=2)
    outcome: list[str] = []

    def second() -> None:
        try:
            with engine.begin() as conn:
                insert_tx(conn, m.id, "CANCELLATION", "2021-01-01", -2, reference="SECOND-1")
            outcome.append("committed")
        except DBAPIError:
            outcome.append("refused")

    with engine.begin() as conn:
        insert_tx(conn, m.id, "CANCELLATION", "2021-01-01", -2, reference="FIRST-01")
        worker = threading.Thread(target=second)
        worker.start()
        time.sleep(0.5)  # the second transaction now waits for the member (or write) lock
    worker.join(timeout=30)
    assert outcome == ["refused"]
    assert shares_of(engine, m.id) == 0
