"""The accounts blueprint (logins, links, passwords, the administrator's user pages, the start page); view modules import this, never each other."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("accounts", __name__)
