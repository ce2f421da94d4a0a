"""The room's rules hold in the database itself: raw SQL on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.bodies.test_db_rules import add_body

NOW = "2025-01-01 10:00:00+00:00"
SHA = "a" * 64


def add_folder(conn: Any, body: int, parent: int | None = None) -> int:
    return int(
        conn.execute(
            text(
                "INSERT INTO room_folder (body_id, parent_id, name, description, created_at) "
                "VALUES (:b, :p, 'Ordner', '', :c) RETURNING id"
            ),
            {"b": body, "p": parent, "c": NOW},
        ).scalar_one()
    )


def add_file(conn: Any, body: int, folder: int | None = None) -> int:
    return int(
        conn.execute(
            text(
                "INSERT INTO room_file (body_id, folder_id, title, description, created_at) "
                "VALUES (:b, :f, 'Bericht', '', :c) RETURNING id"
            ),
            {"b": body, "f": folder, "c": NOW},
        ).scalar_one()
    )


def add_version(conn: Any, file: int, number: int, stored: str) -> int:
    return int(
        conn.execute(
            text(
                "INSERT INTO room_file_version (file_id, number, filename, stored_name, "
                "content_type, size, sha256, note, uploaded_at) VALUES (:f, :n, 'b.pdf', :s, "
                "'application/pdf', 10, :h, '', :c) RETURNING id"
            ),
            {"f": file, "n": number, "s": stored, "h": SHA, "c": NOW},
        ).scalar_one()
    )


@pytest.fixture
def room(engine: Any) -> dict[str, int]:
    with engine.begin() as conn:
        board = add_body(conn, "BOARD", "Vorstand")
        supervisory = add_body(conn, "SUPERVISORY_BOARD", "Aufsichtsrat")
        folder = add_folder(conn, supervisory)
        file = add_file(conn, supervisory, folder)
        version = add_version(conn, file, 1, "stored-1")
    return {
        "board": board,
        "supervisory": supervisory,
        "folder": folder,
        "file": file,
        "version": version,
    }


def refused(engine: Any, match: str, sql: str, **params: Any) -> None:
    with pytest.raises(DBAPIError, match=match), engine.begin() as conn:
        conn.execute(text(sql), params)


def test_a_version_is_never_changed_or_deleted(engine: Any, room: dict[str, int]) -> None:
    v = room["version"]
    for sql in (
        "UPDATE room_file_version SET stored_name = 'other' WHERE id = :v",
        "UPDATE room_file_version SET sha256 = :h WHERE id = :v",
        "DELETE FROM room_file_version WHERE id = :v",
    ):
        refused(engine, "room_file_version is append-only", sql, v=v, h="b" * 64)


def test_versions_are_numbered_without_gaps_and_never_twice(
    engine: Any, room: dict[str, int]
) -> None:
    f = room["file"]
    for number in (1, 3):
        refused(
            engine,
            "numbered one after the other",
            "INSERT INTO room_file_version (file_id, number, filename, stored_name, content_type, "
            "size, sha256, note, uploaded_at) VALUES (:f, :n, 'b.pdf', :s, 'application/pdf', 10, "
            ":h, '', :c)",
            f=f,
            n=number,
            s=f"new-{number}",
            h=SHA,
            c=NOW,
        )
    with engine.begin() as conn:
        add_version(conn, f, 2, "stored-2")  # the next number is accepted
    # A version's stored file is its own: the same stored name twice is refused.
    with pytest.raises(DBAPIError, match=r"(?i)unique"), engine.begin() as conn:
        add_version(conn, f, 3, "stored-2")


def test_folders_and_papers_stay_in_their_own_body(engine: Any, room: dict[str, int]) -> None:
    refused(
        engine,
        "stay in the room of their own body",
        "INSERT INTO room_file (body_id, folder_id, title, description, created_at) "
        "VALUES (:b, :f, 'x', '', :c)",
        b=room["board"],
        f=room["folder"],
        c=NOW,
    )
    refused(
        engine,
        "stay in the room of their own body",
        "INSERT INTO room_folder (body_id, parent_id, name, description, created_at) "
        "VALUES (:b, :f, 'x', '', :c)",
        b=room["board"],
        f=room["folder"],
        c=NOW,
    )


def test_folders_and_papers_are_never_deleted_or_moved(engine: Any, room: dict[str, int]) -> None:
    cases: list[tuple[str, str]] = [
        ("room_file is append-only", "DELETE FROM room_file WHERE id = :f"),
        ("room_file is append-only", "UPDATE room_file SET body_id = :b WHERE id = :f"),
        ("room_file is append-only", "UPDATE room_file SET folder_id = NULL WHERE id = :f"),
        ("room_folder is append-only", "DELETE FROM room_folder WHERE id = :d"),
        ("room_folder is append-only", "UPDATE room_folder SET body_id = :b WHERE id = :d"),
    ]
    for match, sql in cases:
        refused(engine, match, sql, f=room["file"], d=room["folder"], b=room["board"])
    with engine.begin() as conn:  # names and descriptions may change
        conn.execute(
            text("UPDATE room_file SET title = 'Neu', description = 'd' WHERE id = :f"),
            {"f": room["file"]},
        )
        conn.execute(
            text("UPDATE room_folder SET name = 'Neu' WHERE id = :d"), {"d": room["folder"]}
        )


def test_a_size_of_zero_is_refused(engine: Any, room: dict[str, int]) -> None:
    refused(
        engine,
        r"(?i)ck_room_version_size|check",
        "INSERT INTO room_file_version (file_id, number, filename, stored_name, content_type, "
        "size, sha256, note, uploaded_at) VALUES (:f, 2, 'b.pdf', 'z', 'application/pdf', 0, :h, "
        "'', :c)",
        f=room["file"],
        h=SHA,
        c=NOW,
    )
