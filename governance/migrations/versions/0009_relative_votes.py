"""relative votes: a relative who is not a member casts the vote of the member whose proxy they hold
(issue #17, §43(5) GenG, statute setting PROXY_RELATIVES)

`participation.cast_by_member_id` becomes optional and `cast_by_user_id` (the relative's login)
is added: a participation names exactly one caster, and a relative casts only by proxy
(`ck_participation_caster`). The trigger `participation_proxy` (literal SQL below, as in
ballots/ddl.py) refuses, while the poll is open, a vote cast for another member by anyone who
does not hold their proxy: a mandate for a member, an accepted grant for a relative.
`participation` is copied on SQLite (a table WITHOUT ROWID), its triggers re-created.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 12:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

import governance.db  # noqa: F401
from governance.migrations.helpers import recreate_triggers

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

TRIGGER_SQLITE = [
    "CREATE TRIGGER participation_proxy BEFORE INSERT ON participation WHEN (SELECT state FROM poll WHERE id = NEW.poll_id) = 'OPEN' AND (NEW.cast_by_user_id IS NOT NULL OR NEW.cast_by_member_id <> NEW.member_id) AND NOT EXISTS (SELECT 1 FROM poll p JOIN mandate m ON m.assembly_id = p.assembly_id WHERE p.id = NEW.poll_id AND m.principal_id = NEW.member_id AND m.proxy_id = NEW.cast_by_member_id) AND NOT EXISTS (SELECT 1 FROM poll p JOIN proxy_grant g ON g.assembly_id = p.assembly_id WHERE p.id = NEW.poll_id AND g.principal_id = NEW.member_id AND g.holder_user_id = NEW.cast_by_user_id AND g.state = 'ACCEPTED' AND g.slot IS NOT NULL) BEGIN SELECT RAISE(ABORT, 'a vote for another member needs their proxy (a mandate or an accepted grant)'); END",
]

TRIGGER_POSTGRESQL = [
    "CREATE OR REPLACE FUNCTION participation_proxy() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF EXISTS (SELECT 1 FROM new_rows n WHERE (SELECT state FROM poll WHERE id = n.poll_id) = 'OPEN' AND (n.cast_by_user_id IS NOT NULL OR n.cast_by_member_id <> n.member_id) AND NOT EXISTS (SELECT 1 FROM poll p JOIN mandate m ON m.assembly_id = p.assembly_id WHERE p.id = n.poll_id AND m.principal_id = n.member_id AND m.proxy_id = n.cast_by_member_id) AND NOT EXISTS (SELECT 1 FROM poll p JOIN proxy_grant g ON g.assembly_id = p.assembly_id WHERE p.id = n.poll_id AND g.principal_id = n.member_id AND g.holder_user_id = n.cast_by_user_id AND g.state = 'ACCEPTED' AND g.slot IS NOT NULL)) THEN RAISE EXCEPTION 'a vote for another member needs their proxy (a mandate or an accepted grant)'; END IF; RETURN NULL; END $$",
    "CREATE TRIGGER participation_proxy AFTER INSERT ON participation REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION participation_proxy()",
]

CASTER = (
    "(cast_by_member_id IS NULL) <> (cast_by_user_id IS NULL) "
    "AND (cast_by_user_id IS NULL OR channel = 'PROXY')"
)


def _drop_trigger() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS participation_proxy")
    else:
        op.execute("DROP TRIGGER IF EXISTS participation_proxy ON participation")
        op.execute("DROP FUNCTION IF EXISTS participation_proxy()")


def upgrade() -> None:
    with op.batch_alter_table(
        "participation", table_kwargs={"sqlite_with_rowid": False}
    ) as batch_op:
        batch_op.add_column(sa.Column("cast_by_user_id", sa.Integer(), nullable=True))
        batch_op.alter_column("cast_by_member_id", existing_type=sa.INTEGER(), nullable=True)
        batch_op.create_foreign_key(
            "fk_participation_cast_by_user",
            "user",
            ["cast_by_user_id"],
            ["id"],
            ondelete="RESTRICT",
        )
        batch_op.create_check_constraint("ck_participation_caster", CASTER)
    if op.get_bind().dialect.name == "sqlite":
        recreate_triggers(op, "participation")  # the copy lost them
    _drop_trigger()
    for statement in (
        TRIGGER_SQLITE if op.get_bind().dialect.name == "sqlite" else TRIGGER_POSTGRESQL
    ):
        op.execute(statement)


def downgrade() -> None:
    relatives = op.get_bind().execute(
        sa.text("SELECT count(*) FROM participation WHERE cast_by_user_id IS NOT NULL")
    )
    if relatives.scalar():
        # The ballot box is append-only: a vote cast by a relative cannot be taken back here.
        raise RuntimeError("votes cast by relatives are recorded: 0008 cannot be downgraded")
    _drop_trigger()
    with op.batch_alter_table(
        "participation", table_kwargs={"sqlite_with_rowid": False}
    ) as batch_op:
        batch_op.drop_constraint("ck_participation_caster", type_="check")
        batch_op.drop_constraint("fk_participation_cast_by_user", type_="foreignkey")
        batch_op.alter_column("cast_by_member_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column("cast_by_user_id")
    if op.get_bind().dialect.name == "sqlite":
        recreate_triggers(op, "participation")
        op.execute("DROP TRIGGER IF EXISTS participation_proxy")
