"""`governance audit ...`: verify the chain and the polls, export bundles for an auditor."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale

from governance.audit.checks import Report, Status
from governance.cli import cli_session, fail
from governance.errors import DomainError


@contextmanager
def _texts() -> Iterator[None]:
    """Render the checks' texts in the default language (there is no request here)."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        yield


@click.group("audit")
def cli() -> None:
    """The audit chain: verification and exports."""


def _print(report: Report) -> None:
    marks = {Status.PASS: "PASS", Status.FAIL: "FAIL", Status.SKIP: "SKIP"}
    for section in report.sections:
        click.echo(f"== {section.title}")
        for item in section.checks:
            note = f" ({item.note})" if item.note and item.status == Status.PASS else ""
            click.echo(f"  [{marks[item.status]}] {item.code}: {item.label}{note}")
            for diff in item.differences:
                click.echo(f"         - {diff}")
    failed = len(report.failures)
    click.echo("All checks passed." if report.ok else f"{failed} check(s) FAILED.")


@cli.command("verify")
@click.option("--assembly", "assembly_id", type=int, help="Only this assembly's roll and polls.")
@with_appcontext
def verify_cmd(assembly_id: int | None) -> None:
    """Check the chain, the roll and every poll; exit 1 on any failure."""
    from governance.audit.verify import verify

    with _texts(), cli_session() as session:
        try:
            report = verify(session, assembly_id=assembly_id)
        except DomainError as exc:
            fail(str(exc.message))  # DomainError.__str__ returns the lazy string itself
            return
        _print(report)
    if not report.ok:
        sys.exit(1)


@cli.command("export")
@click.argument("poll_id", type=int)
@click.option(
    "-o",
    "--output",
    type=click.Path(allow_dash=True, dir_okay=False),
    default="-",
    show_default=True,
)
@with_appcontext
def export_cmd(poll_id: int, output: str) -> None:
    """Write the JSON bundle of a sealed poll for an external auditor."""
    from governance.audit.export import bundle_json

    with _texts(), cli_session() as session:
        try:
            text = bundle_json(session, poll_id=poll_id)
        except DomainError as exc:
            fail(str(exc.message))  # DomainError.__str__ returns the lazy string itself
            return
    with click.open_file(output, "w", encoding="utf-8") as handle:
        handle.write(text)
    if output != "-":
        click.echo(f"Bundle of poll {poll_id} written to {output}.", err=True)


@cli.command("head")
@with_appcontext
def head_cmd() -> None:
    """Print the newest event's sequence number and hash (to anchor the chain elsewhere)."""
    from governance.audit.services import chain_head

    with cli_session() as session:
        head = chain_head(session)
    if head is None:
        click.echo("The audit chain is empty.")
        return
    click.echo(f"{head.seq} {head.hash} {head.occurred_at.isoformat()}")
