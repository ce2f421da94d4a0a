"""Trigger DDL of the minutes, per dialect, registered with `governance.ddl`.

- minutes_approval, minutes_version: append-only (signatures and published versions).
- minutes_render: a finished rendering never changes.
- minutes_version: on PostgreSQL the stored bytes' SHA-256 must equal the recorded hash.
"""

from governance.ddl import register, register_append_only


def _render_rules() -> None:
    """A finished rendering is evidence: its bytes and hashes never change."""
    msg = "a finished rendering of the minutes never changes"
    register(
        "minutes_render_done",
        sqlite=[
            "CREATE TRIGGER minutes_render_done BEFORE UPDATE ON minutes_render "
            f"WHEN OLD.status = 'DONE' BEGIN SELECT RAISE(ABORT, '{msg}'); END",
        ],
        postgresql=[
            "CREATE OR REPLACE FUNCTION minutes_render_done() RETURNS trigger LANGUAGE plpgsql "
            f"AS $$ BEGIN IF OLD.status = 'DONE' THEN RAISE EXCEPTION '{msg}'; END IF; "
            "RETURN NEW; END $$",
            "CREATE TRIGGER minutes_render_done BEFORE UPDATE ON minutes_render "
            "FOR EACH ROW EXECUTE FUNCTION minutes_render_done()",
        ],
    )


def _version_rules() -> None:
    """PostgreSQL recomputes the hash of the stored bytes (SQLite has no SHA-256 built in)."""
    register(
        "minutes_version_sha",
        sqlite=[],
        postgresql=[
            "ALTER TABLE minutes_version ADD CONSTRAINT ck_minutes_version_bytes "
            "CHECK (encode(sha256(pdf), 'hex') = pdf_sha256)",
        ],
    )


register_append_only("minutes_approval")
register_append_only("minutes_version")
_render_rules()
_version_rules()
