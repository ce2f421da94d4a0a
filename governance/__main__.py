"""`governance` (the console script) and `python -m governance`: the app's Flask CLI."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import FlaskGroup

from governance import create_app
from governance.config import ConfigError

# A configuration the app refuses (a wrong GOVERNANCE_* value, a missing secret key in
# production): click's usage-error status, as for a wrong option.
CONFIG_ERROR_STATUS = 2


def _make_app() -> Flask:
    # `governance db ...` is how the operator fixes an outdated schema, `governance restore`
    # fills an empty database: do not warn there.
    try:
        return create_app({"SCHEMA_CHECK": sys.argv[1:2] not in (["db"], ["restore"])})
    except ConfigError as exc:  # one line, not a traceback
        click.echo(f"Error: {exc}", err=True)
        sys.exit(CONFIG_ERROR_STATUS)


main = FlaskGroup(create_app=_make_app, help="Operate the governance app.")

if __name__ == "__main__":
    main()
