"""Trigger DDL of the agenda's room papers: a linked version belongs to the linked paper."""

from governance.ddl import register

MSG_VERSION = "agenda_paper: the version belongs to the linked paper"
_WRONG = (
    "NEW.version_id IS NOT NULL AND NEW.room_file_id IS DISTINCT FROM "
    "(SELECT v.file_id FROM room_file_version v WHERE v.id = NEW.version_id)"
)

register(
    "agenda_paper_version",
    sqlite=[
        f"CREATE TRIGGER agenda_paper_version_{op.lower()} BEFORE {op} ON agenda_paper "
        f"WHEN {_WRONG.replace('IS DISTINCT FROM', 'IS NOT')} "
        f"BEGIN SELECT RAISE(ABORT, '{MSG_VERSION}'); END"
        for op in ("INSERT", "UPDATE")
    ],
    postgresql=[
        "CREATE OR REPLACE FUNCTION agenda_paper_version() RETURNS trigger LANGUAGE plpgsql "
        f"AS $$ BEGIN IF {_WRONG} THEN RAISE EXCEPTION '{MSG_VERSION}'; END IF; "
        "RETURN NEW; END $$",
        "CREATE TRIGGER agenda_paper_version BEFORE INSERT OR UPDATE ON agenda_paper "
        "FOR EACH ROW EXECUTE FUNCTION agenda_paper_version()",
    ],
)
