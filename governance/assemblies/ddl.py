"""Trigger DDL of the assemblies domain, per dialect, registered with `governance.ddl`.

- assembly: only a draft may be deleted.
- convening_evidence, roll_correction: append-only (the proof of convening, the roll's history).
"""

from governance.ddl import register, register_append_only

# Only a draft may be deleted: once convened, the members were invited to it (§46(1) GenG)
# and its record belongs to the cooperative. The service checks first; this holds against a
# concurrent convening and any code that bypasses the service.
MSG_ASSEMBLY_DELETE = "only draft assemblies may be deleted"
register(
    "assembly_delete",
    sqlite=[
        "CREATE TRIGGER assembly_no_delete BEFORE DELETE ON assembly WHEN OLD.state <> 'DRAFT' "
        f"BEGIN SELECT RAISE(ABORT, '{MSG_ASSEMBLY_DELETE}'); END"
    ],
    postgresql=[
        "CREATE OR REPLACE FUNCTION assembly_no_delete() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN IF OLD.state <> 'DRAFT' THEN RAISE EXCEPTION '{MSG_ASSEMBLY_DELETE}'; END IF; "
        "RETURN OLD; END $$",
        "CREATE TRIGGER assembly_no_delete BEFORE DELETE ON assembly "
        "FOR EACH ROW EXECUTE FUNCTION assembly_no_delete()",
    ],
)


register_append_only("convening_evidence")
register_append_only("roll_correction")
