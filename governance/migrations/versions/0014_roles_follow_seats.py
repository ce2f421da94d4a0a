"""roles follow seats (issue #15): the roles BOARD and SUPERVISORY_BOARD are no longer stored

From this revision on a user holds BOARD / SUPERVISORY_BOARD on the days they sit in the body
of that kind; `user_role` keeps MEMBER, SECRETARY and ADMIN only (CHECK ck_user_role_stored).

Upgrade: each stored BOARD / SUPERVISORY_BOARD grant becomes an APPOINTED seat of the user's
member in the body of that kind ("Vorstand" / "Aufsichtsrat", created with the model's
defaults when missing), from the day of the migration, open-ended; then the grants are deleted.
A grant is dropped with a warning line naming the user (printed to the upgrade's output) when
- the account is inactive (its grant gave no access; seating it would make a board member),
- the user is linked to no member (seats of these bodies are held by members, §9(2) GenG), or
- the member sits, or would sit from this grant, in the other of the two bodies (§37 GenG):
  seats that exist are kept, then BOARD grants are seated before SUPERVISORY_BOARD grants, so a
  user holding both keeps the board.
A grant whose member sits in that body today already needs no seat; a member with a later
term there is seated up to the day before it starts.
Written as plain SQL (no app services), for SQLite and PostgreSQL; it writes no audit events.

Downgrade drops the CHECK only: it does not turn the seats back into stored grants (the roles
then come from the stored rows only, so former grant holders must be granted again by hand).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 23:49:51.018088
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from alembic import op

from governance.migrations.helpers import recreate_triggers

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

# (role and body kind, the body's name when it must be created): board grants first.
KINDS = (("BOARD", "Vorstand"), ("SUPERVISORY_BOARD", "Aufsichtsrat"))
OTHER = {"BOARD": "SUPERVISORY_BOARD", "SUPERVISORY_BOARD": "BOARD"}
NOTE = "Aus der Rolle {role} übernommen (Umstellung 0014: Rollen folgen den Sitzen)"


def _day(name: str) -> sa.BindParameter[date]:
    return sa.bindparam(name, type_=sa.Date())


def _body_id(bind: sa.Connection, kind: str, name: str) -> int:
    """The body of this kind; created with the model's defaults when there is none."""
    find = sa.text("SELECT id FROM body WHERE kind = :k ORDER BY id LIMIT 1")
    row = bind.execute(find, {"k": kind}).first()
    if row is None:
        taken = bind.execute(sa.text("SELECT 1 FROM body WHERE name = :n"), {"n": name}).first()
        bind.execute(
            sa.text(
                "INSERT INTO body (kind, name, description, quorum_percent, notice_days, "
                "circular_rule, created_at) VALUES (:k, :n, '', 50, 7, "
                "'NO_OBJECTION_MAJORITY_OF_SEATS', CURRENT_TIMESTAMP)"
            ),
            {"k": kind, "n": f"{name} ({kind})" if taken else name},
        )
        row = bind.execute(find, {"k": kind}).first()
    assert row is not None
    return int(row[0])


def _seats_from(bind: sa.Connection, *, member_id: int, kind: str, day: date) -> list[tuple]:
    """The member's seats in the body of `kind` that cover `day` or begin later."""
    query = sa.text(
        "SELECT s.starts_on, s.ends_on FROM seat s JOIN body b ON b.id = s.body_id "
        "WHERE s.member_id = :m AND b.kind = :k AND (s.ends_on IS NULL OR s.ends_on >= :day)"
    ).bindparams(_day("day"))
    return [tuple(r) for r in bind.execute(query, {"m": member_id, "k": kind, "day": day})]


def _warn(user_id: int, role: str, why: str) -> None:
    print(f"warning: 0014: user {user_id}: the role {role} was not migrated ({why}); dropped")


def _seat_grant(bind: sa.Connection, grant: sa.Row, body_id: int, day: date) -> None:
    user_id, role, member_id, active = grant
    if not active:
        return _warn(user_id, role, "the account is inactive")
    if member_id is None:
        return _warn(user_id, role, "no member is linked: these seats are held by members")
    if _seats_from(bind, member_id=member_id, kind=OTHER[role], day=day):
        return _warn(user_id, role, f"the member sits in the {OTHER[role]} body, §37 GenG")
    mine = _seats_from(bind, member_id=member_id, kind=role, day=day)
    if any(_to_date(starts) <= day for starts, _ends in mine):
        return None  # seated today: the role follows that seat
    later = min((_to_date(starts) for starts, _ends in mine), default=None)
    bind.execute(
        sa.text(
            "INSERT INTO seat (body_id, member_id, function, origin, starts_on, ends_on, note, "
            "created_at) VALUES (:b, :m, 'MEMBER', 'APPOINTED', :day, :ends, :note, "
            "CURRENT_TIMESTAMP)"
        ).bindparams(_day("day"), _day("ends")),
        {
            "b": body_id, "m": member_id, "day": day, "note": NOTE.format(role=role),
            "ends": later - timedelta(days=1) if later else None,
        },
    )  # fmt: skip
    return None


def _to_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _migrate_grants() -> None:
    bind = op.get_bind()
    day = date.today()
    for role, name in KINDS:
        grants = bind.execute(
            sa.text(
                'SELECT r.user_id, r.role, u.member_id, u.active FROM user_role r JOIN "user" u '
                "ON u.id = r.user_id WHERE r.role = :r ORDER BY r.user_id"
            ),
            {"r": role},
        ).all()
        if grants:
            body_id = _body_id(bind, role, name)
            for grant in grants:
                _seat_grant(bind, grant, body_id, day)
    op.execute("DELETE FROM user_role WHERE role IN ('BOARD', 'SUPERVISORY_BOARD')")


def _alter_user_role(change: str) -> None:
    """Add or drop the CHECK. SQLite copies the table: the trigger of "user" that reads
    user_role would stop the copy's rename, so it is dropped first and re-created after."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute('DROP TRIGGER IF EXISTS "user_admin_not_member"')
    with op.batch_alter_table("user_role", schema=None) as batch_op:
        if change == "add":
            batch_op.create_check_constraint(
                "ck_user_role_stored", "role IN ('MEMBER', 'SECRETARY', 'ADMIN')"
            )
        else:
            batch_op.drop_constraint("ck_user_role_stored", type_="check")
    recreate_triggers(op, "user_role")
    recreate_triggers(op, "user")


def upgrade() -> None:
    _migrate_grants()
    _alter_user_role("add")


def downgrade() -> None:
    # The seats stay; the grants are not restored (see the docstring).
    _alter_user_role("drop")
