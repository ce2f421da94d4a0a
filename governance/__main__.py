"""`governance` (the console script) and `python -m governance`: the app's Flask CLI."""

from __future__ import annotations

import sys

from flask import Flask
from flask.cli import FlaskGroup

from governance import create_app


def _make_app() -> Flask:
    # `governance db ...` is how the operator fixes an outdated schema, `governance restore`
    # fills an empty database: do not warn there.
    return create_app({"SCHEMA_CHECK": sys.argv[1:2] not in (["db"], ["restore"])})


main = FlaskGroup(create_app=_make_app, help="Operate the governance app.")

if __name__ == "__main__":
    main()
