"""Proxies to relatives (§43(5) GenG, statute setting PROXY_RELATIVES): a member's proxy may
name a relative or spouse who is not a member, with name, address, relationship and a login of
their own (an account without a member); the accepted grant takes one of the holder's two
slots. `proxy_grant.holder_id` becomes optional; the checks say which holder a grant has, and
triggers (literal SQL below, as in assemblies/ddl.py) keep the holder a non-member and the
member's proxy single. `proxy_grant` is copied on SQLite (it had no triggers before).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 08:00:23
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

import governance.db  # noqa: F401

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TRIGGERS_SQLITE = [
    "CREATE TRIGGER proxy_grant_relative BEFORE INSERT ON proxy_grant WHEN EXISTS (SELECT 1 FROM \"user\" u WHERE u.id = NEW.holder_user_id AND u.member_id IS NOT NULL) BEGIN SELECT RAISE(ABORT, 'a relative holding a proxy is not a member'); END",
    "CREATE TRIGGER proxy_grant_relative_update BEFORE UPDATE ON proxy_grant WHEN EXISTS (SELECT 1 FROM \"user\" u WHERE u.id = NEW.holder_user_id AND u.member_id IS NOT NULL) BEGIN SELECT RAISE(ABORT, 'a relative holding a proxy is not a member'); END",
    "CREATE TRIGGER proxy_grant_one_proxy BEFORE INSERT ON proxy_grant WHEN NEW.slot IS NOT NULL AND EXISTS (SELECT 1 FROM mandate m WHERE m.assembly_id = NEW.assembly_id AND m.principal_id = NEW.principal_id) BEGIN SELECT RAISE(ABORT, 'the member has given a proxy for this assembly already'); END",
    "CREATE TRIGGER proxy_grant_one_proxy_update BEFORE UPDATE ON proxy_grant WHEN NEW.slot IS NOT NULL AND EXISTS (SELECT 1 FROM mandate m WHERE m.assembly_id = NEW.assembly_id AND m.principal_id = NEW.principal_id) BEGIN SELECT RAISE(ABORT, 'the member has given a proxy for this assembly already'); END",
    "CREATE TRIGGER mandate_not_relative BEFORE INSERT ON mandate WHEN EXISTS (SELECT 1 FROM proxy_grant g WHERE g.assembly_id = NEW.assembly_id AND g.principal_id = NEW.principal_id AND g.slot IS NOT NULL) BEGIN SELECT RAISE(ABORT, 'the member has given a proxy for this assembly already'); END",
    "CREATE TRIGGER user_not_relative_holder BEFORE UPDATE OF member_id ON \"user\" WHEN NEW.member_id IS NOT NULL AND EXISTS (SELECT 1 FROM proxy_grant g WHERE g.holder_user_id = NEW.id AND g.state IN ('GRANTED', 'ACCEPTED')) BEGIN SELECT RAISE(ABORT, 'a relative holding a proxy is not a member'); END",
]

TRIGGERS_POSTGRESQL = [
    "CREATE OR REPLACE FUNCTION proxy_relative() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF TG_TABLE_NAME = 'proxy_grant' THEN IF EXISTS (SELECT 1 FROM \"user\" u WHERE u.id = NEW.holder_user_id AND u.member_id IS NOT NULL) THEN RAISE EXCEPTION 'a relative holding a proxy is not a member'; END IF; IF NEW.slot IS NOT NULL AND EXISTS (SELECT 1 FROM mandate m WHERE m.assembly_id = NEW.assembly_id AND m.principal_id = NEW.principal_id) THEN RAISE EXCEPTION 'the member has given a proxy for this assembly already'; END IF; ELSIF TG_TABLE_NAME = 'mandate' THEN IF EXISTS (SELECT 1 FROM proxy_grant g WHERE g.assembly_id = NEW.assembly_id AND g.principal_id = NEW.principal_id AND g.slot IS NOT NULL) THEN RAISE EXCEPTION 'the member has given a proxy for this assembly already'; END IF; ELSIF NEW.member_id IS NOT NULL AND EXISTS (SELECT 1 FROM proxy_grant g WHERE g.holder_user_id = NEW.id AND g.state IN ('GRANTED', 'ACCEPTED')) THEN RAISE EXCEPTION 'a relative holding a proxy is not a member'; END IF; RETURN NEW; END $$",
    "CREATE TRIGGER proxy_grant_relative BEFORE INSERT OR UPDATE ON proxy_grant FOR EACH ROW EXECUTE FUNCTION proxy_relative()",
    "CREATE TRIGGER mandate_not_relative BEFORE INSERT ON mandate FOR EACH ROW EXECUTE FUNCTION proxy_relative()",
    'CREATE TRIGGER user_not_relative_holder BEFORE UPDATE OF member_id ON "user" FOR EACH ROW EXECUTE FUNCTION proxy_relative()',
]


RELATIONSHIP = sa.Enum(
    "SPOUSE",
    "PARTNER",
    "PARENT",
    "CHILD",
    "SIBLING",
    name="proxy_relationship",
    native_enum=False,
    create_constraint=True,
    length=32,
)


def upgrade() -> None:
    with op.batch_alter_table("proxy_grant", recreate="always") as batch_op:
        batch_op.add_column(sa.Column("holder_user_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("holder_name", sa.String(length=200), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("holder_email", sa.String(length=254), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("relationship", RELATIONSHIP, nullable=True))
        batch_op.add_column(sa.Column("slot", sa.Integer(), nullable=True))
        batch_op.alter_column("holder_id", existing_type=sa.INTEGER(), nullable=True)
        batch_op.create_unique_constraint(
            "uq_grant_relative_slot", ["assembly_id", "holder_user_id", "slot"]
        )
        batch_op.create_foreign_key(
            "fk_grant_holder_user", "user", ["holder_user_id"], ["id"], ondelete="RESTRICT"
        )
        batch_op.drop_constraint("ck_grant_accepted_mandate", type_="check")
        batch_op.create_check_constraint(
            "ck_grant_accepted_mandate",
            "(state = 'ACCEPTED' AND holder_id IS NOT NULL) = (mandate_id IS NOT NULL)",
        )
        batch_op.create_check_constraint(
            "ck_grant_holder",
            "(holder_id IS NULL) = (holder_user_id IS NOT NULL) "
            "AND (holder_user_id IS NULL) = (relationship IS NULL) "
            "AND (holder_user_id IS NULL OR (holder_name <> '' AND holder_email <> ''))",
        )
        batch_op.create_check_constraint(
            "ck_grant_relative_slot",
            "(state = 'ACCEPTED' AND holder_user_id IS NOT NULL) = (slot IS NOT NULL) "
            "AND (slot IS NULL OR slot IN (1, 2))",
        )
    dialect = op.get_bind().dialect.name
    for statement in TRIGGERS_SQLITE if dialect == "sqlite" else TRIGGERS_POSTGRESQL:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in TRIGGERS_SQLITE:
            op.execute(f"DROP TRIGGER IF EXISTS {statement.split()[2]}")
    else:
        for name, table in (
            ("proxy_grant_relative", "proxy_grant"),
            ("mandate_not_relative", "mandate"),
            ("user_not_relative_holder", "user"),
        ):
            op.execute(f'DROP TRIGGER IF EXISTS {name} ON "{table}"')
        op.execute("DROP FUNCTION IF EXISTS proxy_relative()")
    op.execute("DELETE FROM proxy_grant WHERE holder_id IS NULL")
    with op.batch_alter_table("proxy_grant", recreate="always") as batch_op:
        for name in (
            "ck_grant_relative_slot",
            "ck_grant_holder",
            "ck_grant_accepted_mandate",
            "proxy_relationship",
        ):
            batch_op.drop_constraint(name, type_="check")
        batch_op.create_check_constraint(
            "ck_grant_accepted_mandate", "(state = 'ACCEPTED') = (mandate_id IS NOT NULL)"
        )
        batch_op.drop_constraint("fk_grant_holder_user", type_="foreignkey")
        batch_op.drop_constraint("uq_grant_relative_slot", type_="unique")
        batch_op.alter_column("holder_id", existing_type=sa.INTEGER(), nullable=False)
        for column in ("slot", "relationship", "holder_email", "holder_name", "holder_user_id"):
            batch_op.drop_column(column)
