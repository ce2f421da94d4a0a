"""The backup archive: a tar.gz holding `manifest.json` first, then exactly the files it lists.

The manifest says what the archive is (format, app version, schema revision, dialect, when it
was made) and lists every file with its size and SHA-256. Reading unpacks member by member
into a private staging directory, hashing as it goes, and refuses a damaged archive (gzip or
tar errors, a checksum that differs, a file missing or not listed, a path outside the archive)
before anything is restored. Only regular files are stored; the archive is written under a
temporary name with mode 0600 and renamed into place, so a half-written archive never looks
like a backup.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import tarfile
import zlib
from pathlib import Path, PurePosixPath
from typing import Any

FORMAT = "governance-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
UPLOADS = "uploads"
SECRET_KEY = "secret_key"  # noqa: S105  (the file's name in the archive)
MAX_MANIFEST_BYTES = 16 * 1024 * 1024
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore cannot go on; the message is one line for the operator."""


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file, hex."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def staged_files(staging: Path) -> list[dict[str, Any]]:
    """Every regular file under `staging` (sorted) with its size and SHA-256."""
    files = []
    for path in sorted(p for p in staging.rglob("*") if p.is_file()):
        rel = path.relative_to(staging).as_posix()
        files.append({"path": rel, "size": path.stat().st_size, "sha256": sha256_file(path)})
    return files


def write_archive(*, staging: Path, manifest: dict[str, Any], target: Path) -> dict[str, Any]:
    """Write `manifest` (its `files` filled in from `staging`) and the staged files to `target`;
    return the manifest written."""
    manifest = {**manifest, "files": staged_files(staging)}
    body = json.dumps(manifest, indent=2, sort_keys=True).encode()
    partial = target.with_name(f".{target.name}.partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mode = len(body), 0o600
            tar.addfile(info, io.BytesIO(body))
            for entry in manifest["files"]:
                tar.add(staging / entry["path"], arcname=entry["path"], filter=_anonymous)
            raw.flush()
            os.fsync(raw.fileno())
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return manifest


def _anonymous(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = 0o600
    return info


def read_archive(*, archive: Path, into: Path) -> dict[str, Any]:
    """Unpack `archive` into the empty directory `into`, checking it; return the manifest."""
    try:
        with gzip.open(archive, "rb") as stream:
            with tarfile.open(fileobj=stream, mode="r|") as tar:
                manifest, seen = _unpack(tar, into)
            while stream.read(CHUNK):  # to the end: the gzip trailer's CRC is checked there
                pass
    except FileNotFoundError:
        raise BackupError(f"there is no archive {archive}") from None
    except (tarfile.TarError, zlib.error, EOFError, OSError, ValueError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise BackupError(f"the archive {archive} is damaged or not a backup ({reason})") from None
    missing = sorted({f["path"] for f in manifest["files"]} - seen)
    if missing:
        raise BackupError(f"the archive is damaged: it lacks {', '.join(missing)}")
    return manifest


def _unpack(tar: tarfile.TarFile, into: Path) -> tuple[dict[str, Any], set[str]]:
    members = iter(tar)
    first = next(members, None)
    if first is None or first.name != MANIFEST or not first.isfile():
        raise BackupError(f"the archive has no {MANIFEST} first: it is not a governance backup")
    if first.size > MAX_MANIFEST_BYTES:
        raise BackupError(f"the archive's {MANIFEST} is too large")
    handle = tar.extractfile(first)
    assert handle is not None
    manifest = _parse_manifest(handle.read())
    expected = {f["path"]: f for f in manifest["files"]}
    seen: set[str] = set()
    for member in members:
        entry = expected.get(member.name)
        if entry is None or member.name in seen or not member.isfile():
            raise BackupError(
                f"the archive holds {member.name!r}, which its manifest does not list"
            )
        seen.add(member.name)
        source = tar.extractfile(member)
        assert source is not None
        size, digest = _copy_hashing(source, into / PurePosixPath(member.name))
        if size != entry["size"] or digest != entry["sha256"]:
            raise BackupError(f"checksum mismatch for {member.name}: the archive is damaged")
    return manifest, seen


def _parse_manifest(body: bytes) -> dict[str, Any]:
    try:
        manifest = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BackupError(f"the archive's {MANIFEST} is not JSON") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("the archive is not a governance backup")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"the archive has format version {manifest.get('format_version')!r}; this version "
            f"of governance reads {FORMAT_VERSION}"
        )
    files = manifest.get("files")
    if not isinstance(files, list) or not all(_valid_entry(f) for f in files):
        raise BackupError(f"the archive's {MANIFEST} lists its files wrongly")
    return manifest


def _valid_entry(entry: Any) -> bool:
    if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
        return False
    path = PurePosixPath(entry["path"])
    safe = not path.is_absolute() and ".." not in path.parts and "\\" not in entry["path"]
    top = path.parts[0] if path.parts else ""
    known = top in (UPLOADS, SECRET_KEY, *DATABASE_FILES.values())
    return safe and known and isinstance(entry.get("size"), int) and "sha256" in entry


def _copy_hashing(source: Any, target: Path) -> tuple[int, str]:
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    digest, size = hashlib.sha256(), 0
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return size, digest.hexdigest()
