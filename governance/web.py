"""Helpers for views: the request's database session and small response helpers."""

from __future__ import annotations

from typing import Any, TypeVar

from flask import abort, current_app, flash, g
from sqlmodel import Session

from governance import db as dbmod
from governance.errors import DomainError

T = TypeVar("T")


def db() -> Session:
    """The request's session; committed once after a successful request, else rolled back.

    On SQLite, write requests (POST) take the write lock at once (BEGIN IMMEDIATE): a deferred
    transaction that reads first and writes later could fail with SQLITE_BUSY under load.
    """
    session = g.get("db_session")
    if session is None:
        from flask import request

        session = dbmod.new_session(current_app.extensions["governance.engine"])
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            with dbmod.immediate():
                session.connection()
        g.db_session = session
    return session


def get_or_404(model: type[T], ident: Any) -> T:
    """Load `model` by primary key or answer 404."""
    obj = db().get(model, ident)
    if obj is None:
        abort(404)
    return obj


def fail(error: DomainError, form: Any | None = None) -> None:
    """Roll back what the service flushed and show the domain error (on the field if named)."""
    db().rollback()
    if form is not None and error.field and error.field in form:
        form[error.field].errors.append(error.message)
    else:
        flash(error.message, "error")


def is_safe_next(target: str | None) -> bool:
    """Only local paths are allowed as redirect targets (no open redirect)."""
    return (
        bool(target)
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
    )


def queue_templated_mail(*, to: str, template: str, **context: Any) -> None:
    """Render `<template>.subject.txt` and `.txt` and queue the mail in this request."""
    from flask import render_template

    from governance.mail import queue_mail

    subject = render_template(f"{template}.subject.txt", **context).strip()
    body = render_template(f"{template}.txt", **context)
    queue_mail(
        db(),
        to=to,
        subject=subject,
        body_text=body,
        sensitive=bool(context.get("link")),
        category=template.rsplit("/", 1)[-1],
    )
