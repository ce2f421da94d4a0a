"""Logging, configured once: plain text by default, one JSON object a line with
GOVERNANCE_LOG_FORMAT=json; every line of a request carries its request id.

The request id is the proxy's `X-Request-ID` when it sends a well-formed one, else a new one;
the response returns it, so a member's report ("Fehler-ID …") finds the lines. What is never
logged: choices, trackers, passwords, tokens and links — no module logs them, and SQLAlchemy's
statement logging (whose parameters would carry a ballot's choice) stays off whatever the level
(`tests/test_logs.py` searches the log of a whole vote for them).
"""

from __future__ import annotations

import json
import logging
import re
import sys
import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Flask, g, has_request_context, request

HANDLER_NAME = "governance"
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
PLAIN = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
# Loggers that would write statements with their parameters (a choice, a tracker) at INFO.
QUIET = ("sqlalchemy.engine", "sqlalchemy.pool", "alembic.runtime.migration")


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record: the current request's, else "-"."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, request id, message (and the exception)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure(*, fmt: str = "plain", level: str = "INFO") -> None:
    """Install the one handler on the root logger (again: replaced, never doubled)."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
        root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(HANDLER_NAME)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(PLAIN))
    root.addHandler(handler)
    root.setLevel(level)
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)


def init_app(app: Flask) -> None:
    """Configure logging from the settings and give every request its id."""
    if not app.config.get("TESTING"):
        configure(fmt=app.config["LOG_FORMAT"], level=app.config["LOG_LEVEL"])
    else:  # tests capture records themselves; the statement loggers stay quiet all the same
        for name in QUIET:
            logging.getLogger(name).setLevel(logging.WARNING)

    @app.before_request
    def _request_id() -> None:
        offered = request.headers.get("X-Request-ID", "")
        g.request_id = offered if REQUEST_ID.match(offered) else uuid.uuid4().hex[:16]

    @app.after_request
    def _echo_request_id(response: Any) -> Any:
        response.headers["X-Request-ID"] = g.get("request_id", "-")
        return response
