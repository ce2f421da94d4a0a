"""Helpers for views: the request's database session and small response helpers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

from flask import abort, current_app, flash, g
from sqlmodel import Session

from governance import db as dbmod
from governance.errors import DomainError

T = TypeVar("T")


def db() -> Session:
    """The request's session; committed once after a successful request, else rolled back.

    On SQLite, write requests (POST) take the write lock at once (BEGIN IMMEDIATE): a deferred
    transaction that reads first and writes later could fail with SQLITE_BUSY under load. POSTs
    marked `lock_late` don't: they only read, or they call `begin_writing` before they write,
    so that their reads (the user, the CSRF check, the page) don't hold up other writers.
    """
    session = g.get("db_session")
    if session is None:
        from flask import request

        session = dbmod.new_session(current_app.extensions["governance.engine"])
        view = current_app.view_functions.get(request.endpoint or "")
        writes = not getattr(view, "lock_late", False)
        if writes and request.method not in ("GET", "HEAD", "OPTIONS"):
            with dbmod.immediate():
                session.connection()
        g.db_session = session
    return session


F = TypeVar("F", bound=Callable[..., Any])


def lock_late(view: F) -> F:
    """Mark a POST view that does not take the write lock at its start: it only reads (e.g. a
    confirmation step), or it calls `begin_writing` before its first write. Decorators that
    use functools.wraps carry the mark outwards."""
    view.lock_late = True  # type: ignore[attr-defined]
    return view


def begin_writing() -> Session:
    """End the request's reads (commit) and begin a write transaction: on SQLite it takes the
    write lock at once (BEGIN IMMEDIATE). Objects loaded so far stay usable. PostgreSQL has no
    write lock to take: the reads' transaction goes on (one COMMIT and BEGIN fewer per write;
    the writes lock their own rows, as the cast's FOR SHARE)."""
    session = db()
    if not dbmod.is_sqlite(session):
        return session
    session.commit()
    with dbmod.immediate():
        session.connection()
    return session


def get_or_404(model: type[T], ident: Any) -> T:
    """Load `model` by primary key or answer 404."""
    obj = db().get(model, ident)
    if obj is None:
        abort(404)
    return obj


def require(allowed: bool) -> None:
    """403 unless `allowed`."""
    if not allowed:
        abort(403)


def fail(error: DomainError, form: Any | None = None) -> None:
    """Roll back what the service flushed and show the domain error (on the field if named)."""
    # Resolve the (lazy) message now: after the rollback the session's objects are expired (a
    # lazy message flashed into the cookie would be translated after the request's session is
    # gone, touching the detached current user for the locale).
    message = str(error.message)
    db().rollback()
    if form is not None and error.field and error.field in form:
        form[error.field].errors.append(message)
    else:
        flash(message, "error")


def safe_next(target: str | None) -> str | None:
    """`target` as a redirect to a path of this site, or None (no open redirect).

    Judged as a browser reads a Location header (WHATWG URL parser): it drops tabs, CR and LF
    anywhere, strips leading control characters and spaces, and reads a backslash as a slash,
    so `/<TAB>/evil.example` or `/<backslash>evil.example` leave the site. So any control
    character or backslash refuses the target; of the rest only a path with one leading slash
    passes (`//host` names another site). Spaces and characters outside ASCII are
    percent-encoded (a header carries ASCII only).
    """
    if not target or len(target) > 2048:
        return None
    if "\\" in target or any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    if not target.startswith("/") or "//" in parts.path:  # also /..//host once resolved
        return None
    return quote(target, safe=_PRINTABLE_ASCII)


_PRINTABLE_ASCII = "".join(chr(c) for c in range(0x21, 0x7F))


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute URL for emails, built on the configured BASE_URL (also outside requests).

    Never on the request's Host header: a forged Host would put the attacker's domain into
    a login or reset link sent to a real user.
    """
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path.rstrip("/") or "/", url_scheme=base.scheme
    )
    return adapter.build(endpoint, values, force_external=True)


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
