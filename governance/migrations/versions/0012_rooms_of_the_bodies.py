"""the bodies' rooms (issue #15): folders, papers and their versions; agenda items' links to them

The tables and their triggers (bodies/ddl_rooms.py "room_rules" and the append-only rules of
room_file_version, room_folder and room_file), copied as literal SQL so that the revision
stays what it was.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 12:28:07.360156
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

import governance.db

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

TRIGGERS_SQLITE = [
    "CREATE TRIGGER room_folder_same_body BEFORE INSERT ON room_folder WHEN NEW.parent_id IS NOT NULL AND NEW.body_id IS NOT (SELECT f.body_id FROM room_folder f WHERE f.id = NEW.parent_id) BEGIN SELECT RAISE(ABORT, 'room: folders and papers stay in the room of their own body'); END",
    "CREATE TRIGGER room_file_same_body BEFORE INSERT ON room_file WHEN NEW.folder_id IS NOT NULL AND NEW.body_id IS NOT (SELECT f.body_id FROM room_folder f WHERE f.id = NEW.folder_id) BEGIN SELECT RAISE(ABORT, 'room: folders and papers stay in the room of their own body'); END",
    "CREATE TRIGGER room_version_number BEFORE INSERT ON room_file_version WHEN NEW.number <> 1 + COALESCE((SELECT MAX(v.number) FROM room_file_version v WHERE v.file_id = NEW.file_id), 0) BEGIN SELECT RAISE(ABORT, 'room: the versions of a paper are numbered one after the other'); END",
    "CREATE TRIGGER room_file_version_no_update BEFORE UPDATE ON room_file_version BEGIN SELECT RAISE(ABORT, 'room_file_version is append-only'); END",
    "CREATE TRIGGER room_file_version_no_delete BEFORE DELETE ON room_file_version BEGIN SELECT RAISE(ABORT, 'room_file_version is append-only'); END",
    "CREATE TRIGGER room_folder_no_update BEFORE UPDATE ON room_folder WHEN NEW.id IS NOT OLD.id OR NEW.body_id IS NOT OLD.body_id OR NEW.created_by_id IS NOT OLD.created_by_id OR NEW.created_at IS NOT OLD.created_at OR NEW.parent_id IS NOT OLD.parent_id BEGIN SELECT RAISE(ABORT, 'room_folder is append-only'); END",
    "CREATE TRIGGER room_folder_no_delete BEFORE DELETE ON room_folder BEGIN SELECT RAISE(ABORT, 'room_folder is append-only'); END",
    "CREATE TRIGGER room_file_no_update BEFORE UPDATE ON room_file WHEN NEW.id IS NOT OLD.id OR NEW.body_id IS NOT OLD.body_id OR NEW.created_by_id IS NOT OLD.created_by_id OR NEW.created_at IS NOT OLD.created_at OR NEW.folder_id IS NOT OLD.folder_id BEGIN SELECT RAISE(ABORT, 'room_file is append-only'); END",
    "CREATE TRIGGER room_file_no_delete BEFORE DELETE ON room_file BEGIN SELECT RAISE(ABORT, 'room_file is append-only'); END",
    "CREATE TRIGGER agenda_paper_version_insert BEFORE INSERT ON agenda_paper WHEN NEW.version_id IS NOT NULL AND NEW.room_file_id IS NOT (SELECT v.file_id FROM room_file_version v WHERE v.id = NEW.version_id) BEGIN SELECT RAISE(ABORT, 'agenda_paper: the version belongs to the linked paper'); END",
    "CREATE TRIGGER agenda_paper_version_update BEFORE UPDATE ON agenda_paper WHEN NEW.version_id IS NOT NULL AND NEW.room_file_id IS NOT (SELECT v.file_id FROM room_file_version v WHERE v.id = NEW.version_id) BEGIN SELECT RAISE(ABORT, 'agenda_paper: the version belongs to the linked paper'); END",
]

TRIGGERS_POSTGRESQL = [
    "CREATE OR REPLACE FUNCTION room_folder_same_body() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.parent_id IS NOT NULL AND NEW.body_id IS DISTINCT FROM (SELECT f.body_id FROM room_folder f WHERE f.id = NEW.parent_id) THEN RAISE EXCEPTION 'room: folders and papers stay in the room of their own body'; END IF; RETURN NEW; END $$",
    "CREATE TRIGGER room_folder_same_body BEFORE INSERT ON room_folder FOR EACH ROW EXECUTE FUNCTION room_folder_same_body()",
    "CREATE OR REPLACE FUNCTION room_file_same_body() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.folder_id IS NOT NULL AND NEW.body_id IS DISTINCT FROM (SELECT f.body_id FROM room_folder f WHERE f.id = NEW.folder_id) THEN RAISE EXCEPTION 'room: folders and papers stay in the room of their own body'; END IF; RETURN NEW; END $$",
    "CREATE TRIGGER room_file_same_body BEFORE INSERT ON room_file FOR EACH ROW EXECUTE FUNCTION room_file_same_body()",
    "CREATE OR REPLACE FUNCTION room_version_number() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.number <> 1 + COALESCE((SELECT MAX(v.number) FROM room_file_version v WHERE v.file_id = NEW.file_id), 0) THEN RAISE EXCEPTION 'room: the versions of a paper are numbered one after the other'; END IF; RETURN NEW; END $$",
    "CREATE TRIGGER room_version_number BEFORE INSERT ON room_file_version FOR EACH ROW EXECUTE FUNCTION room_version_number()",
    "CREATE OR REPLACE FUNCTION room_file_version_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'room_file_version is append-only'; END $$",
    "CREATE TRIGGER room_file_version_append_only BEFORE UPDATE OR DELETE ON room_file_version FOR EACH ROW EXECUTE FUNCTION room_file_version_append_only()",
    "CREATE OR REPLACE FUNCTION room_folder_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF TG_OP = 'UPDATE' AND (to_jsonb(NEW) - ARRAY['name', 'description']) = (to_jsonb(OLD) - ARRAY['name', 'description']) THEN RETURN NEW; END IF; RAISE EXCEPTION 'room_folder is append-only'; END $$",
    "CREATE TRIGGER room_folder_append_only BEFORE UPDATE OR DELETE ON room_folder FOR EACH ROW EXECUTE FUNCTION room_folder_append_only()",
    "CREATE OR REPLACE FUNCTION room_file_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF TG_OP = 'UPDATE' AND (to_jsonb(NEW) - ARRAY['title', 'description']) = (to_jsonb(OLD) - ARRAY['title', 'description']) THEN RETURN NEW; END IF; RAISE EXCEPTION 'room_file is append-only'; END $$",
    "CREATE TRIGGER room_file_append_only BEFORE UPDATE OR DELETE ON room_file FOR EACH ROW EXECUTE FUNCTION room_file_append_only()",
    "CREATE OR REPLACE FUNCTION agenda_paper_version() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.version_id IS NOT NULL AND NEW.room_file_id IS DISTINCT FROM (SELECT v.file_id FROM room_file_version v WHERE v.id = NEW.version_id) THEN RAISE EXCEPTION 'agenda_paper: the version belongs to the linked paper'; END IF; RETURN NEW; END $$",
    "CREATE TRIGGER agenda_paper_version BEFORE INSERT OR UPDATE ON agenda_paper FOR EACH ROW EXECUTE FUNCTION agenda_paper_version()",
]


FUNCTIONS = (
    "room_folder_same_body",
    "room_file_same_body",
    "room_version_number",
    "room_file_version_append_only",
    "room_folder_append_only",
    "room_file_append_only",
    "agenda_paper_version",
)


def upgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table(
        "room_folder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=2000), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", governance.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("length(name) > 0", name="ck_room_folder_name"),
        sa.CheckConstraint("parent_id IS NULL OR parent_id <> id", name="ck_room_folder_parent"),
        sa.ForeignKeyConstraint(["body_id"], ["body.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["parent_id"], ["room_folder.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("room_folder", schema=None) as batch_op:
        batch_op.create_index("ix_room_folder_body", ["body_id", "parent_id"], unique=False)

    op.create_table(
        "room_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.Column("folder_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=2000), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", governance.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("length(title) > 0", name="ck_room_file_title"),
        sa.ForeignKeyConstraint(["body_id"], ["body.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["folder_id"], ["room_folder.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("room_file", schema=None) as batch_op:
        batch_op.create_index("ix_room_file_body", ["body_id", "folder_id"], unique=False)

    op.create_table(
        "room_file_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("stored_name", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", governance.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("length(sha256) = 64", name="ck_room_version_sha256"),
        sa.CheckConstraint("number >= 1", name="ck_room_version_number"),
        sa.CheckConstraint("size > 0", name="ck_room_version_size"),
        sa.ForeignKeyConstraint(["file_id"], ["room_file.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["user.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("stored_name"),
    )
    with op.batch_alter_table("room_file_version", schema=None) as batch_op:
        batch_op.create_index("uq_room_version_number", ["file_id", "number"], unique=True)

    op.create_table(
        "agenda_paper",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agenda_item_id", sa.Integer(), nullable=False),
        sa.Column("room_file_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=True),
        sa.Column("linked_by_id", sa.Integer(), nullable=True),
        sa.Column("linked_at", governance.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["agenda_item_id"], ["agenda_item.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["linked_by_id"], ["user.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["room_file_id"], ["room_file.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["version_id"], ["room_file_version.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("agenda_paper", schema=None) as batch_op:
        batch_op.create_index("uq_agenda_paper", ["agenda_item_id", "room_file_id"], unique=True)

    # ### end Alembic commands ###
    dialect = op.get_bind().dialect.name
    for statement in TRIGGERS_POSTGRESQL if dialect == "postgresql" else TRIGGERS_SQLITE:
        op.execute(statement)


def downgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table("agenda_paper", schema=None) as batch_op:
        batch_op.drop_index("uq_agenda_paper")

    op.drop_table("agenda_paper")
    with op.batch_alter_table("room_file_version", schema=None) as batch_op:
        batch_op.drop_index("uq_room_version_number")

    op.drop_table("room_file_version")
    with op.batch_alter_table("room_file", schema=None) as batch_op:
        batch_op.drop_index("ix_room_file_body")

    op.drop_table("room_file")
    with op.batch_alter_table("room_folder", schema=None) as batch_op:
        batch_op.drop_index("ix_room_folder_body")

    op.drop_table("room_folder")
    # ### end Alembic commands ###
    if op.get_bind().dialect.name == "postgresql":
        for function in FUNCTIONS:
            op.execute(f"DROP FUNCTION IF EXISTS {function}()")
