"""Ballots tests: translated messages need a request context (the locale comes from it)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask


@pytest.fixture(autouse=True)
def _request_context(app: Flask) -> Iterator[None]:
    with app.test_request_context():
        yield


def message(excinfo: pytest.ExceptionInfo) -> str:
    """The text of a DomainError (its message may be a lazy translation)."""
    return str(excinfo.value.message)
