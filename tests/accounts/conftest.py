"""Fixtures of the accounts tests: links taken from mail delivered to aiosmtpd."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest

LINK = re.compile(r"https?://\S+")


@pytest.fixture
def mailed_link(smtp: Any, deliver_mail: Callable[[], Any]) -> Callable[[str], str]:
    """mailed_link(address): deliver the outbox to aiosmtpd, return the newest link's path."""

    def _link(address: str) -> str:
        deliver_mail()
        messages = smtp.to(address)
        assert messages, f"no mail to {address}"
        match = LINK.search(messages[-1].get_content())
        assert match, "no link in the mail"
        return urlsplit(match.group(0)).path

    return _link
