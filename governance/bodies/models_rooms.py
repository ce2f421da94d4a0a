"""A body's closed document room (Gremienraum): folders, papers and their versions.

A folder belongs to one body and may sit in another folder of the same body. A paper
(`RoomFile`) is a titled document in the room (or one of its folders); its content is its
versions. A new version never overwrites: every upload is its own stored file and its own
row, numbered 1, 2, 3 … per paper, and the rows are append-only (bodies/ddl_rooms.py). The
current version of a paper is its newest. Folders and papers are never deleted either (the
papers are the body's history); only their names and descriptions change.
"""

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, Integer, String
from sqlmodel import Field, SQLModel

from governance.db import UTCDateTime, utcnow


def _user_fk() -> Column:  # type: ignore[type-arg]
    return Column(Integer, ForeignKey("user.id", ondelete="RESTRICT"), nullable=True)


class RoomFolder(SQLModel, table=True):
    """A named folder in a body's room, at the top or inside another folder of that body."""

    __tablename__ = "room_folder"
    __table_args__ = (
        CheckConstraint("length(name) > 0", name="ck_room_folder_name"),
        CheckConstraint("parent_id IS NULL OR parent_id <> id", name="ck_room_folder_parent"),
        Index("ix_room_folder_body", "body_id", "parent_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    body_id: int = Field(
        sa_column=Column(Integer, ForeignKey("body.id", ondelete="RESTRICT"), nullable=False)
    )
    parent_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("room_folder.id", ondelete="RESTRICT"), nullable=True),
    )
    name: str = Field(sa_column=Column(String(200), nullable=False))
    description: str = Field(default="", sa_column=Column(String(2000), nullable=False))
    created_by_id: int | None = Field(default=None, sa_column=_user_fk())
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class RoomFile(SQLModel, table=True):
    """A paper in a body's room; its content is its versions (the newest is current)."""

    __tablename__ = "room_file"
    __table_args__ = (
        CheckConstraint("length(title) > 0", name="ck_room_file_title"),
        Index("ix_room_file_body", "body_id", "folder_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    body_id: int = Field(
        sa_column=Column(Integer, ForeignKey("body.id", ondelete="RESTRICT"), nullable=False)
    )
    folder_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("room_folder.id", ondelete="RESTRICT"), nullable=True),
    )
    title: str = Field(sa_column=Column(String(200), nullable=False))
    description: str = Field(default="", sa_column=Column(String(2000), nullable=False))
    created_by_id: int | None = Field(default=None, sa_column=_user_fk())
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class RoomFileVersion(SQLModel, table=True):
    """One uploaded version of a paper: its own stored file, never changed or deleted."""

    __tablename__ = "room_file_version"
    __table_args__ = (
        CheckConstraint("number >= 1", name="ck_room_version_number"),
        CheckConstraint("size > 0", name="ck_room_version_size"),
        CheckConstraint("length(sha256) = 64", name="ck_room_version_sha256"),
        Index("uq_room_version_number", "file_id", "number", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    file_id: int = Field(
        sa_column=Column(Integer, ForeignKey("room_file.id", ondelete="RESTRICT"), nullable=False)
    )
    number: int = Field(sa_column=Column(Integer, nullable=False))
    filename: str = Field(sa_column=Column(String(255), nullable=False))
    stored_name: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    content_type: str = Field(sa_column=Column(String(100), nullable=False))
    size: int = Field(sa_column=Column(Integer, nullable=False))
    sha256: str = Field(sa_column=Column(String(64), nullable=False))
    # What changed in this version (free text of the uploader).
    note: str = Field(default="", sa_column=Column(String(500), nullable=False))
    uploaded_by_id: int | None = Field(default=None, sa_column=_user_fk())
    uploaded_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
