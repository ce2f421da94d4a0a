"""Trigger DDL of the assemblies domain, per dialect, registered with `governance.ddl`.

- assembly: only a draft may be deleted; one in session has a chair.
- speaker: a request starts waiting on an item of its assembly; its state only moves forward.
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


# A chair is required to open an assembly: without one its minutes could never be signed
# (§47 GenG names the chair). An assembly may not go into session without a chair, nor lose
# its chair while in session.
MSG_ASSEMBLY_CHAIR = "an assembly in session needs a chair"
_CHAIRLESS = (
    "NEW.chair_user_id IS NULL AND NEW.state = 'IN_SESSION' "
    "AND (OLD.state <> 'IN_SESSION' OR OLD.chair_user_id IS NOT NULL)"
)
register(
    "assembly_chair",
    sqlite=[
        f"CREATE TRIGGER assembly_needs_chair BEFORE UPDATE ON assembly WHEN {_CHAIRLESS} "
        f"BEGIN SELECT RAISE(ABORT, '{MSG_ASSEMBLY_CHAIR}'); END"
    ],
    postgresql=[
        "CREATE OR REPLACE FUNCTION assembly_needs_chair() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN IF {_CHAIRLESS} THEN RAISE EXCEPTION '{MSG_ASSEMBLY_CHAIR}'; END IF; "
        "RETURN NEW; END $$",
        "CREATE TRIGGER assembly_needs_chair BEFORE UPDATE ON assembly "
        "FOR EACH ROW EXECUTE FUNCTION assembly_needs_chair()",
    ],
)

# The list of speakers: a request starts WAITING, on an item of its own assembly; states only
# move forward (WAITING → SPEAKING → DONE, WAITING → WITHDRAWN); what was asked stays as asked.
MSG_SPEAKER_NEW = "a request to speak starts waiting, on an item of its assembly"
MSG_SPEAKER_STATE = "a request to speak only moves forward"
_SPEAKER_BAD_INSERT = (
    "NEW.state <> 'WAITING' OR NOT EXISTS (SELECT 1 FROM agenda_item i "
    "WHERE i.id = NEW.agenda_item_id AND i.assembly_id = NEW.assembly_id)"
)
_SPEAKER_BAD_UPDATE = (
    "NEW.assembly_id <> OLD.assembly_id OR NEW.agenda_item_id <> OLD.agenda_item_id "
    "OR NEW.member_id <> OLD.member_id OR NEW.kind <> OLD.kind "
    "OR NEW.requested_at <> OLD.requested_at OR (NEW.state <> OLD.state AND NOT ("
    "(OLD.state = 'WAITING' AND NEW.state IN ('SPEAKING', 'WITHDRAWN')) "
    "OR (OLD.state = 'SPEAKING' AND NEW.state = 'DONE'))) "
    "OR (OLD.state IN ('DONE', 'WITHDRAWN') AND ("
    "NEW.started_at IS NOT OLD.started_at OR NEW.ended_at IS NOT OLD.ended_at "
    "OR NEW.speaking_time_s IS NOT OLD.speaking_time_s))"
)
_PG_SPEAKER_BAD_UPDATE = _SPEAKER_BAD_UPDATE.replace("IS NOT OLD", "IS DISTINCT FROM OLD")
register(
    "speaker",
    sqlite=[
        f"CREATE TRIGGER speaker_new BEFORE INSERT ON speaker WHEN {_SPEAKER_BAD_INSERT} "
        f"BEGIN SELECT RAISE(ABORT, '{MSG_SPEAKER_NEW}'); END",
        f"CREATE TRIGGER speaker_forward BEFORE UPDATE ON speaker WHEN {_SPEAKER_BAD_UPDATE} "
        f"BEGIN SELECT RAISE(ABORT, '{MSG_SPEAKER_STATE}'); END",
    ],
    postgresql=[
        "CREATE OR REPLACE FUNCTION speaker_rules() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP = 'INSERT' AND ({_SPEAKER_BAD_INSERT}) THEN "
        f"RAISE EXCEPTION '{MSG_SPEAKER_NEW}'; END IF; "
        f"IF TG_OP = 'UPDATE' AND ({_PG_SPEAKER_BAD_UPDATE}) THEN "
        f"RAISE EXCEPTION '{MSG_SPEAKER_STATE}'; END IF; RETURN NEW; END $$",
        "CREATE TRIGGER speaker_rules BEFORE INSERT OR UPDATE ON speaker "
        "FOR EACH ROW EXECUTE FUNCTION speaker_rules()",
    ],
)


# The assembly's uuid enters the transcripts of encrypted ballots (docs/coopvote.md): every
# assembly has one, and it never changes.
MSG_ASSEMBLY_UUID = "an assembly has an id that never changes"
register(
    "assembly_uuid",
    sqlite=[
        "CREATE TRIGGER assembly_uuid_insert BEFORE INSERT ON assembly WHEN NEW.uuid IS NULL "
        f"BEGIN SELECT RAISE(ABORT, '{MSG_ASSEMBLY_UUID}'); END",
        "CREATE TRIGGER assembly_uuid_update BEFORE UPDATE ON assembly "
        "WHEN NEW.uuid IS NULL OR NEW.uuid IS NOT OLD.uuid "
        f"BEGIN SELECT RAISE(ABORT, '{MSG_ASSEMBLY_UUID}'); END",
    ],
    postgresql=[
        "CREATE OR REPLACE FUNCTION assembly_uuid() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN IF NEW.uuid IS NULL OR (TG_OP = 'UPDATE' AND NEW.uuid IS DISTINCT FROM OLD.uuid) "
        f"THEN RAISE EXCEPTION '{MSG_ASSEMBLY_UUID}'; END IF; RETURN NEW; END $$",
        "CREATE TRIGGER assembly_uuid BEFORE INSERT OR UPDATE ON assembly "
        "FOR EACH ROW EXECUTE FUNCTION assembly_uuid()",
    ],
)
