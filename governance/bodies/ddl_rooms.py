"""Trigger DDL of the bodies' rooms, per dialect, registered with `governance.ddl`.

- room_file_version: append-only. A new version is a new row with its own stored file; no
  version is ever changed or deleted, so no upload overwrites another.
- room_version_number: a paper's versions are numbered 1, 2, 3 … without gaps (the newest is
  the current one); the unique index (file_id, number) settles two uploads at once.
- room_same_body: a folder sits in a folder of its own body, a paper in a folder of its own
  body (no paper of the board in the supervisory board's folder).
- room_folder, room_file: never deleted; body, place, author and time never change; only the
  name (title) and the description may.
"""

from governance.ddl import register, register_append_only

MSG_SAME_BODY = "room: folders and papers stay in the room of their own body"
MSG_NUMBER = "room: the versions of a paper are numbered one after the other"

_FOLDER = (
    "NEW.parent_id IS NOT NULL AND NEW.body_id IS DISTINCT FROM "
    "(SELECT f.body_id FROM room_folder f WHERE f.id = NEW.parent_id)"
)
_FILE = (
    "NEW.folder_id IS NOT NULL AND NEW.body_id IS DISTINCT FROM "
    "(SELECT f.body_id FROM room_folder f WHERE f.id = NEW.folder_id)"
)
_NUMBER = (
    "NEW.number <> 1 + COALESCE((SELECT MAX(v.number) FROM room_file_version v "
    "WHERE v.file_id = NEW.file_id), 0)"
)


def _sqlite() -> list[str]:
    sqlite_folder = _FOLDER.replace("IS DISTINCT FROM", "IS NOT")
    sqlite_file = _FILE.replace("IS DISTINCT FROM", "IS NOT")
    return [
        f"CREATE TRIGGER room_folder_same_body BEFORE INSERT ON room_folder WHEN {sqlite_folder} "
        f"BEGIN SELECT RAISE(ABORT, '{MSG_SAME_BODY}'); END",
        f"CREATE TRIGGER room_file_same_body BEFORE INSERT ON room_file WHEN {sqlite_file} "
        f"BEGIN SELECT RAISE(ABORT, '{MSG_SAME_BODY}'); END",
        f"CREATE TRIGGER room_version_number BEFORE INSERT ON room_file_version WHEN {_NUMBER} "
        f"BEGIN SELECT RAISE(ABORT, '{MSG_NUMBER}'); END",
    ]


def _pg_check(name: str, table: str, condition: str, message: str) -> list[str]:
    return [
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF {condition} THEN RAISE EXCEPTION '{message}'; END IF; RETURN NEW; END $$",
        f"CREATE TRIGGER {name} BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()",
    ]


def _postgresql() -> list[str]:
    return [
        *_pg_check("room_folder_same_body", "room_folder", _FOLDER, MSG_SAME_BODY),
        *_pg_check("room_file_same_body", "room_file", _FILE, MSG_SAME_BODY),
        *_pg_check("room_version_number", "room_file_version", _NUMBER, MSG_NUMBER),
    ]


register("room_rules", sqlite=_sqlite(), postgresql=_postgresql())
register_append_only("room_file_version")
_FIXED = ("id", "body_id", "created_by_id", "created_at")
register_append_only(
    "room_folder",
    frozen_columns=(*_FIXED, "parent_id"),
    mutable_columns=("name", "description"),
)
register_append_only(
    "room_file",
    frozen_columns=(*_FIXED, "folder_id"),
    mutable_columns=("title", "description"),
)
