"""Make a backup of an instance and restore one: the steps, free of the command line.

A backup stages the database dump, a copy of the uploads and the secret key in a private
directory beside the archive, then writes the archive (`archive.py`). A restore first unpacks
and checks the whole archive, then checks that it fits this code (dialect, a schema revision
the migrations know), and only then replaces the database, the uploads and the key file.
"""

from __future__ import annotations

import importlib.metadata
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from governance.backup import database
from governance.backup.archive import (
    DATABASE_FILES,
    FORMAT,
    FORMAT_VERSION,
    SECRET_KEY,
    UPLOADS,
    BackupError,
    write_archive,
)
from governance.migrations.runner import current_revision, head_revision, known_revisions


@dataclass(frozen=True)
class Instance:
    """What belongs to one instance besides its database."""

    engine: Engine
    upload_dir: Path
    key_file: Path  # the instance folder's secret_key (generated when none is configured)
    secret_key: str  # the key in effect (from the key file or GOVERNANCE_SECRET_KEY)


def app_version() -> str:
    try:
        return importlib.metadata.version("governance")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def create_backup(
    *, instance: Instance, target: Path, now: datetime, during_poll: list[str]
) -> dict[str, Any]:
    """Write the archive of `instance` to `target`; return its manifest."""
    revision = current_revision(instance.engine)
    if revision is None:
        raise BackupError("the database has no schema yet: there is nothing to back up")
    with staging_dir(target.parent) as name:
        staging = Path(name)
        database.dump(engine=instance.engine, into=staging)
        if instance.upload_dir.is_dir():
            shutil.copytree(instance.upload_dir, staging / UPLOADS)
        (staging / SECRET_KEY).write_text(instance.secret_key)
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "app_version": app_version(),
            "schema_revision": revision,
            "dialect": instance.engine.dialect.name,
            "created_at": now.astimezone(UTC).isoformat(),
            "secret_key_source": _key_source(instance),
            "during_poll": during_poll,
        }
        return write_archive(staging=staging, manifest=manifest, target=target)


def _key_source(instance: Instance) -> str:
    if instance.key_file.is_file() and instance.key_file.read_text().strip() == instance.secret_key:
        return "instance"
    return "environment"


def check_fits(*, manifest: dict[str, Any], engine: Engine) -> None:
    """Refuse an archive of another dialect or of a schema this code does not know."""
    dialect, revision = manifest.get("dialect"), manifest.get("schema_revision")
    if dialect != engine.dialect.name:
        raise BackupError(
            f"the archive holds a {dialect} database; this instance uses {engine.dialect.name}"
        )
    if revision not in known_revisions():
        raise BackupError(
            f"the archive's schema revision {revision!r} is unknown to this version of "
            f"governance (head {head_revision()}): restore it with the version that made it "
            f"({manifest.get('app_version')})"
        )


def target_contents(*, instance: Instance) -> list[str]:
    """What a restore would replace: the database's tables, the uploaded files."""
    found = []
    tables = database.contents(engine=instance.engine)
    if tables:
        found.append(f"{len(tables)} tables in the database")
    if instance.upload_dir.is_dir():
        files = sum(1 for p in instance.upload_dir.rglob("*") if p.is_file())
        if files:
            found.append(f"{files} files in {instance.upload_dir}")
    return found


@dataclass(frozen=True)
class Restored:
    revision: str
    behind: bool  # older than the code's head: the operator runs `governance db upgrade`
    key_differs: bool  # GOVERNANCE_SECRET_KEY is set and is not the archived key


def restore_backup(*, instance: Instance, staging: Path, manifest: dict[str, Any]) -> Restored:
    """Replace database, uploads and key file with the checked archive unpacked in `staging`."""
    from_environment = _key_source(instance) == "environment"
    database.wipe(engine=instance.engine)
    database.restore(
        engine=instance.engine, dump_file=staging / DATABASE_FILES[manifest["dialect"]]
    )
    restored = current_revision(instance.engine)
    if restored is None or restored != manifest["schema_revision"]:
        raise BackupError(
            f"the restored database is at schema revision {restored}, the archive's manifest "
            f"says {manifest['schema_revision']}"
        )
    if instance.upload_dir.exists():
        shutil.rmtree(instance.upload_dir)
    instance.upload_dir.parent.mkdir(parents=True, exist_ok=True)
    if (staging / UPLOADS).is_dir():
        shutil.move(staging / UPLOADS, instance.upload_dir)
    else:
        instance.upload_dir.mkdir()
    key = (staging / SECRET_KEY).read_text() if (staging / SECRET_KEY).is_file() else None
    if key is not None:
        instance.key_file.parent.mkdir(parents=True, exist_ok=True)
        instance.key_file.unlink(missing_ok=True)
        shutil.move(staging / SECRET_KEY, instance.key_file)
        instance.key_file.chmod(0o600)
    return Restored(
        revision=restored,
        behind=restored != head_revision(),
        key_differs=from_environment and key is not None and key != instance.secret_key,
    )


def staging_dir(parent: Path) -> tempfile.TemporaryDirectory[str]:
    """A private temporary directory in `parent` (the same file system, mode 0700)."""
    parent.mkdir(parents=True, exist_ok=True)
    return tempfile.TemporaryDirectory(dir=parent, prefix=".governance-backup-")
