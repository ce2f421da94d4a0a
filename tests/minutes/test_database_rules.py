"""Database rules that bypass Python: published minutes and approvals never change."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from governance.db import new_session


def _refused(engine, sql: str, **params) -> None:
    with engine.connect() as conn, pytest.raises(DBAPIError):
        conn.execute(text(sql), params)
        conn.commit()


def test_published_pdf_cannot_be_altered_or_deleted(engine, published):
    _held, version = published()
    forged = b"%PDF-1.7 forged"
    _refused(engine, "UPDATE minutes_version SET pdf = :b WHERE id = :i", b=forged, i=version.id)
    _refused(
        engine,
        "UPDATE minutes_version SET pdf = :b, pdf_sha256 = :h WHERE id = :i",
        b=forged, h=hashlib.sha256(forged).hexdigest(), i=version.id,
    )  # fmt: skip
    _refused(engine, "UPDATE minutes_version SET reason = 'x' WHERE id = :i", i=version.id)
    _refused(engine, "DELETE FROM minutes_version WHERE id = :i", i=version.id)
    with new_session(engine) as s:
        stored = s.execute(text("SELECT pdf, pdf_sha256 FROM minutes_version")).one()
    assert hashlib.sha256(stored[0]).hexdigest() == stored[1] == version.pdf_sha256


def test_approvals_and_finished_renderings_are_fixed(engine, published):
    _held, version = published()
    _refused(engine, "UPDATE minutes_approval SET pdf_sha256 = :h", h="0" * 64)
    _refused(engine, "DELETE FROM minutes_approval")
    _refused(
        engine, "UPDATE minutes_render SET pdf = :b WHERE id = :i", b=b"x", i=version.render_id
    )


def test_postgresql_checks_the_hash_of_the_bytes(engine, published, backend):
    if backend != "postgresql":
        pytest.skip("SQLite has no SHA-256 function; the append-only triggers still hold")
    published()
    _refused(
        engine,
        "INSERT INTO minutes_version (minutes_id, assembly_id, number, previous_id, reason,"
        " render_id, pdf, pdf_sha256, page_count, published_at) SELECT minutes_id, assembly_id,"
        " 2, id, 'wrong hash', render_id, :b, pdf_sha256, 1, published_at FROM minutes_version",
        b=b"other bytes",
    )
