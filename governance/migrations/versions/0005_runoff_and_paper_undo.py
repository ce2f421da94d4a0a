"""Run-off polls and undoing a paper ballot's registration (issue #16, parts 6 and 8).

- `poll.runoff_of_id`: the tied election a run-off poll decides (ballots/runoff.py), unique
  (one run-off per tied election). Plain ADD COLUMN, no table copy and no foreign key (as
  `poll.ceremony_id` in 0003): the tied poll is sealed, and only drafts are ever deleted.
- The trigger `participation_box_delete` also lets a paper ballot's registration (channel
  ROOM) be removed while its poll is open; after the close only the seal removes rows.
  Copied as literal SQL (ballots/ddl.py as of this revision).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 07:45:14
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

SQLITE_DROP = "DROP TRIGGER IF EXISTS participation_box_delete"
SQLITE_UNDO = (
    "CREATE TRIGGER participation_box_delete BEFORE DELETE ON participation WHEN (SELECT state "
    "FROM poll WHERE id = OLD.poll_id) IS NOT 'CLOSED' AND NOT (OLD.channel = 'ROOM' AND (SELECT "
    "state FROM poll WHERE id = OLD.poll_id) = 'OPEN') BEGIN SELECT RAISE(ABORT, 'participations "
    "are removed only by the seal, or a registered paper ballot while the poll is open'); END"
)
SQLITE_BEFORE = (
    "CREATE TRIGGER participation_box_delete BEFORE DELETE ON participation WHEN (SELECT state "
    "FROM poll WHERE id = OLD.poll_id) IS NOT 'CLOSED' BEGIN SELECT RAISE(ABORT, 'ballots and "
    "participations are removed only by the seal'); END"
)
POSTGRESQL_UNDO = (
    "CREATE OR REPLACE FUNCTION participation_box_del() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN IF EXISTS (SELECT 1 FROM old_rows o JOIN poll p ON p.id = o.poll_id WHERE p.state <> "
    "'CLOSED' AND NOT (o.channel = 'ROOM' AND p.state = 'OPEN')) THEN RAISE EXCEPTION "
    "'participations are removed only by the seal, or a registered paper ballot while the poll is"
    " open'; END IF; RETURN NULL; END $$"
)
POSTGRESQL_BEFORE = (
    "CREATE OR REPLACE FUNCTION participation_box_del() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN IF EXISTS (SELECT 1 FROM old_rows o JOIN poll p ON p.id = o.poll_id WHERE p.state <> "
    "'CLOSED') THEN RAISE EXCEPTION 'ballots and participations are removed only by the seal'; "
    "END IF; RETURN NULL; END $$"
)


def _trigger(sqlite: str, postgresql: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(postgresql)
    else:
        op.execute(SQLITE_DROP)
        op.execute(sqlite)


def upgrade() -> None:
    op.add_column("poll", sa.Column("runoff_of_id", sa.Integer(), nullable=True))
    op.create_index("uq_poll_runoff", "poll", ["runoff_of_id"], unique=True)
    _trigger(SQLITE_UNDO, POSTGRESQL_UNDO)


def downgrade() -> None:
    _trigger(SQLITE_BEFORE, POSTGRESQL_BEFORE)
    op.drop_index("uq_poll_runoff", table_name="poll")
    # SQLite 3.35+ drops a column without copying the table.
    op.drop_column("poll", "runoff_of_id")
