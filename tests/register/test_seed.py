"""The demo register."""

from __future__ import annotations

from sqlalchemy import func, select

from governance.accounts.models import Role, User
from governance.demo import seed
from governance.register.models import Member, MemberStatus, ShareTransaction, TransactionKind


def test_demo_register(app, session):
    seed(session, only_if_empty=False, config=app.config)
    session.flush()
    total = session.execute(select(func.count()).select_from(Member)).scalar_one()
    assert 300 <= total <= 310
    counts = dict(
        session.execute(select(Member.status, func.count()).group_by(Member.status)).all()
    )
    for status in (
        MemberStatus.CANCELLED,
        MemberStatus.DECEASED,
        MemberStatus.EXPELLED,
        MemberStatus.TRANSFERRED,
        MemberStatus.LIQUIDATED,
    ):
        assert counts.get(status, 0) >= 1, status
    assert counts[MemberStatus.ACTIVE] > 250
    kinds = set(session.execute(select(ShareTransaction.kind)).scalars())
    assert kinds == set(TransactionKind)
    linked = {
        u.email: u.member_id
        for u in session.execute(select(User).where(User.member_id.is_not(None))).scalars()
    }
    assert {"mitglied@demo.example", "vorstand@demo.example"} <= set(linked)
    member_user = next(
        u for u in session.execute(select(User)).scalars() if u.roles == {Role.MEMBER}
    )
    assert member_user.member_id is not None
