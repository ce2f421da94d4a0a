"""Uploaded documents: the checks every upload passes and where the bytes are kept.

Shared by the agenda's attachments (assemblies) and the bodies' document rooms: a type
allowlist by extension, the file's leading bytes must match its type (text must be UTF-8
without NUL), a size limit (ATTACHMENT_MAX_BYTES), a random stored name under UPLOAD_DIR, and
downloads served as attachments (never rendered inline; `X-Content-Type-Options: nosniff` is
set on every response by governance/security.py).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

from flask import abort, send_file

from governance.errors import DomainError
from governance.i18n import _l

DEFAULT_MAX_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class FileType:
    content_type: str
    magic: tuple[bytes, ...]  # accepted leading bytes; empty: text (UTF-8, no NUL)


FILE_TYPES: dict[str, FileType] = {
    "pdf": FileType("application/pdf", (b"%PDF-",)),
    "png": FileType("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": FileType("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": FileType("image/jpeg", (b"\xff\xd8\xff",)),
    "txt": FileType("text/plain; charset=utf-8", ()),
    "csv": FileType("text/csv; charset=utf-8", ()),
    "odt": FileType("application/vnd.oasis.opendocument.text", (b"PK\x03\x04",)),
    "ods": FileType("application/vnd.oasis.opendocument.spreadsheet", (b"PK\x03\x04",)),
    "docx": FileType(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
    ),
    "xlsx": FileType(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)
    ),
}
ALLOWED_EXTENSIONS = tuple(sorted(FILE_TYPES))


@dataclass(frozen=True)
class StoredFile:
    """A checked upload, written under UPLOAD_DIR/<subdir>/<stored_name>."""

    filename: str
    stored_name: str
    content_type: str
    size: int
    sha256: str


def max_upload_bytes(config: Mapping[str, Any]) -> int:
    """The configured size limit of one upload."""
    return int(config.get("ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def clean_filename(filename: str) -> str:
    """The file's own name without any path, NUL or excess length."""
    name = PurePath(filename.replace("\\", "/")).name.strip().replace("\x00", "")
    return name[:200] or "document"


def check_file(filename: str, data: bytes, *, max_bytes: int) -> FileType:
    """The file's type, or a DomainError when the type or size is not allowed."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    ftype = FILE_TYPES.get(ext)
    if ftype is None:
        raise DomainError(
            _l("Allowed file types: %(types)s.", types=", ".join(ALLOWED_EXTENSIONS)),
            field="file",
        )
    if not data:
        raise DomainError(_l("The file is empty."), field="file")
    if len(data) > max_bytes:
        megabytes = "%g" % (max_bytes / 1_048_576)
        raise DomainError(_l("The file is larger than %(mb)s MB.", mb=megabytes), field="file")
    if ftype.magic and not data.startswith(ftype.magic):
        raise DomainError(_l("The file's content does not match its type."), field="file")
    if not ftype.magic:
        try:
            if "\x00" in data.decode("utf-8"):
                raise ValueError
        except ValueError:
            raise DomainError(
                _l("The file's content does not match its type."), field="file"
            ) from None
    return ftype


def stored_path(upload_dir: str, subdir: str, stored_name: str) -> Path:
    """Where a stored file's bytes are kept."""
    return Path(upload_dir) / subdir / stored_name


def store_file(
    *, filename: str, data: bytes, upload_dir: str, subdir: str, max_bytes: int
) -> StoredFile:
    """Check an upload and write it under a fresh random name (never over another file)."""
    ftype = check_file(filename, data, max_bytes=max_bytes)
    stored = secrets.token_hex(16)
    path = stored_path(upload_dir, subdir, stored)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("xb") as out:  # "x": refuse to overwrite
        out.write(data)
    return StoredFile(
        filename=clean_filename(filename),
        stored_name=stored,
        content_type=ftype.content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def send_stored(path: Path, *, content_type: str, filename: str) -> Any:
    """The stored file as a download (Content-Disposition: attachment), or 404."""
    if not path.is_file():
        abort(404)
    return send_file(
        path, mimetype=content_type, as_attachment=True, download_name=filename, max_age=0
    )
