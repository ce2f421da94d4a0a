"""`governance register ...`: CSV import and export of the share register."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale

from governance.cli import cli_session, fail
from governance.errors import DomainError


@click.group("register")
def cli() -> None:
    """The share register (member list): CSV import and export."""


@cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the whole file, import nothing.")
@with_appcontext
def import_command(file: Path, dry_run: bool) -> None:
    """Import members or share transactions from FILE (all or nothing)."""
    from governance.register.csv_import import ImportRejected, import_csv

    # Messages in the configured language (there is no request to choose one).
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]), cli_session() as session:
        try:
            result = import_csv(
                session, data=file.read_bytes(), actor=None, dry_run=dry_run, filename=file.name
            )
        except ImportRejected as exc:
            fail(exc.one_line())
        except DomainError as exc:
            fail(str(exc.message))
        session.commit()
    verb = "would import" if dry_run else "imported"
    click.echo(
        f"{file.name}: {result.kind} file ({result.encoding}, '{result.delimiter}'), "
        f"{verb} {result.members} members and {result.transactions} share transactions."
    )


@cli.command("export")
@click.option("--at", "at", type=click.DateTime(formats=["%Y-%m-%d"]), help="Default: today.")
@click.option("--transactions", is_flag=True, help="Export the share ledger instead.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def export_command(at: object, transactions: bool, output: Path | None) -> None:
    """Export the register as at a date (or the share ledger) as CSV."""
    from governance.register.csv_export import export_members, export_transactions

    day = at.date() if at is not None else date.today()  # type: ignore[attr-defined]
    with cli_session() as session:
        if transactions:
            body = export_transactions(session, until=day)
        else:
            body = export_members(
                session,
                at=day,
                share_value=current_app.config["SHARE_VALUE"],
                min_shares=current_app.config["MIN_SHARES"],
            )
    if output is None:
        click.echo(body.removeprefix("\ufeff"), nl=False)
    else:
        output.write_bytes(body.encode("utf-8"))
        click.echo(f"wrote {output}", err=True)
