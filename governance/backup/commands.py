"""`governance backup` and `governance restore`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from governance.backup.archive import BackupError, read_archive
from governance.backup.hooks import backup_blockers
from governance.backup.services import (
    Instance,
    check_fits,
    create_backup,
    restore_backup,
    staging_dir,
    target_contents,
)
from governance.cli import cli_session, confirm_or_fail, engine, fail
from governance.db import utcnow


def _instance() -> Instance:
    return Instance(
        engine=engine(),
        upload_dir=Path(current_app.config["UPLOAD_DIR"]),
        key_file=Path(current_app.instance_path) / "secret_key",
        secret_key=str(current_app.config["SECRET_KEY"]),
    )


@click.command("backup")
@click.option(
    "--output-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Write governance-backup-<UTC time>.tar.gz into this directory.",
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="The archive's path."
)
@click.option(
    "--during-poll",
    is_flag=True,
    help="Back up even while a poll's ballots can still be linked to voters (the archive "
    "then holds those rows).",
)
@with_appcontext
def backup_cmd(output_dir: Path, output: Path | None, during_poll: bool) -> None:
    """Archive the database, the uploads and the secret key (keep the archive secret)."""
    with cli_session() as session:
        blockers = list(backup_blockers(session))
    if blockers and not during_poll:
        more = f" (and {len(blockers) - 1} more)" if len(blockers) > 1 else ""
        fail(
            f"{blockers[0]}{more}: a backup now would hold rows that link ballots to voters; "
            "back up once the poll is sealed and its scrub verified, or pass --during-poll"
        )
    now = utcnow()
    target = output or output_dir / f"governance-backup-{now:%Y%m%dT%H%M%SZ}.tar.gz"
    try:
        manifest = create_backup(instance=_instance(), target=target, now=now, during_poll=blockers)
    except BackupError as exc:
        fail(str(exc))
        return
    size = target.stat().st_size
    click.echo(
        f"{target}: {len(manifest['files'])} files, {size} bytes, schema "
        f"{manifest['schema_revision']} ({manifest['dialect']}); it holds the secret key"
    )


@click.command("restore")
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that has tables, and the uploads.")
@click.option("--yes", is_flag=True, help="With --force: do not ask for confirmation.")
@with_appcontext
def restore_cmd(archive: Path, force: bool, yes: bool) -> None:
    """Restore a backup: database, uploads and secret key (stop the app and workers first)."""
    instance = _instance()
    where = instance.engine.url.render_as_string(hide_password=True)
    try:
        with staging_dir(instance.upload_dir.parent) as name:
            manifest = read_archive(archive=archive, into=Path(name))
            check_fits(manifest=manifest, engine=instance.engine)
            found = target_contents(instance=instance)
            if found and not force:
                fail(
                    f"{where} is not empty ({', '.join(found)}): restore into an empty "
                    "database, or pass --force to replace everything in it"
                )
            if found:
                confirm_or_fail(
                    f"Replace everything in {where} ({', '.join(found)}) with the backup of "
                    f"{manifest['created_at']}? What is there now is lost",
                    yes=yes,
                )
            restored = restore_backup(instance=instance, staging=Path(name), manifest=manifest)
    except BackupError as exc:
        fail(str(exc))
        return
    click.echo(
        f"Restored the backup of {manifest['created_at']} (governance {manifest['app_version']}, "
        f"schema {restored.revision}) into {where}: database, uploads, secret key."
    )
    if restored.behind:
        click.echo("Its schema is older than this version's: run `governance db upgrade` next.")
    if restored.key_differs:
        click.echo(
            f"GOVERNANCE_SECRET_KEY differs from the archived key (now in {instance.key_file}): "
            "set it to that key to keep sign-in links and sessions of before the backup valid."
        )


COMMANDS = [backup_cmd, restore_cmd]
