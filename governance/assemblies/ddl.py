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


# A relative or spouse who holds a member's proxy (statute setting, §43(5) GenG) is no member:
# their login is linked to none, so they have no vote of their own and are never on a roll.
# And a member's proxy is one: a relative's accepted grant (it holds a slot) and a mandate of
# the same member at the same assembly exclude each other.
MSG_RELATIVE_MEMBER = "a relative holding a proxy is not a member"
MSG_ONE_PROXY = "the member has given a proxy for this assembly already"
_HOLDER_LINKED = (
    'EXISTS (SELECT 1 FROM "user" u WHERE u.id = NEW.holder_user_id AND u.member_id IS NOT NULL)'
)
_GRANT_HAS_MANDATE = (
    "NEW.slot IS NOT NULL AND EXISTS (SELECT 1 FROM mandate m WHERE "
    "m.assembly_id = NEW.assembly_id AND m.principal_id = NEW.principal_id)"
)
_MANDATE_HAS_GRANT = (
    "EXISTS (SELECT 1 FROM proxy_grant g WHERE g.assembly_id = NEW.assembly_id "
    "AND g.principal_id = NEW.principal_id AND g.slot IS NOT NULL)"
)
_USER_HOLDS = (
    "NEW.member_id IS NOT NULL AND EXISTS (SELECT 1 FROM proxy_grant g "
    "WHERE g.holder_user_id = NEW.id AND g.state IN ('GRANTED', 'ACCEPTED'))"
)
register(
    "proxy_relative",
    sqlite=[
        f"CREATE TRIGGER proxy_grant_{name}{suffix} BEFORE {op} ON proxy_grant WHEN {cond} "
        f"BEGIN SELECT RAISE(ABORT, '{msg}'); END"
        for name, cond, msg in (
            ("relative", _HOLDER_LINKED, MSG_RELATIVE_MEMBER),
            ("one_proxy", _GRANT_HAS_MANDATE, MSG_ONE_PROXY),
        )
        for op, suffix in (("INSERT", ""), ("UPDATE", "_update"))
    ]
    + [
        f"CREATE TRIGGER mandate_not_relative BEFORE INSERT ON mandate WHEN {_MANDATE_HAS_GRANT} "
        f"BEGIN SELECT RAISE(ABORT, '{MSG_ONE_PROXY}'); END",
        'CREATE TRIGGER user_not_relative_holder BEFORE UPDATE OF member_id ON "user" '
        f"WHEN {_USER_HOLDS} BEGIN SELECT RAISE(ABORT, '{MSG_RELATIVE_MEMBER}'); END",
    ],
    postgresql=[
        "CREATE OR REPLACE FUNCTION proxy_relative() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN IF TG_TABLE_NAME = 'proxy_grant' THEN "
        f"IF {_HOLDER_LINKED} THEN RAISE EXCEPTION '{MSG_RELATIVE_MEMBER}'; END IF; "
        f"IF {_GRANT_HAS_MANDATE} THEN RAISE EXCEPTION '{MSG_ONE_PROXY}'; END IF; "
        "ELSIF TG_TABLE_NAME = 'mandate' THEN "
        f"IF {_MANDATE_HAS_GRANT} THEN RAISE EXCEPTION '{MSG_ONE_PROXY}'; END IF; "
        f"ELSIF {_USER_HOLDS} THEN RAISE EXCEPTION '{MSG_RELATIVE_MEMBER}'; "
        "END IF; RETURN NEW; END $$",
        "CREATE TRIGGER proxy_grant_relative BEFORE INSERT OR UPDATE ON proxy_grant "
        "FOR EACH ROW EXECUTE FUNCTION proxy_relative()",
        "CREATE TRIGGER mandate_not_relative BEFORE INSERT ON mandate "
        "FOR EACH ROW EXECUTE FUNCTION proxy_relative()",
        'CREATE TRIGGER user_not_relative_holder BEFORE UPDATE OF member_id ON "user" '
        "FOR EACH ROW EXECUTE FUNCTION proxy_relative()",
    ],
)


# A meeting of a body names its body and only the general assembly has none (a trigger, not a
# CHECK: SQLite adds a CHECK only by copying the table, and copying `assembly` would cascade
# into append-only tables); `assembly.body` states the body's kind (a working group meets as
# a committee), and the meeting never moves to another body (its roll, guests and papers are
# the body's). Guests are invited only to meetings of a body (the general assembly is open to
# its members and closed to anyone else).
MSG_ASSEMBLY_BODY = "a meeting names its body, keeps it and states its kind"
MSG_GUEST = "guests are invited to meetings of a body only"
_KIND_OF = (
    "(SELECT CASE WHEN b.kind = 'WORKING_GROUP' THEN 'COMMITTEE' ELSE b.kind END "
    "FROM body b WHERE b.id = NEW.body_id)"
)
_BODY_MISMATCH = (
    "(NEW.body = 'GENERAL_ASSEMBLY') <> (NEW.body_id IS NULL) "
    f"OR (NEW.body_id IS NOT NULL AND NEW.body <> {_KIND_OF})"
)
_GUEST_BAD = (
    "NOT EXISTS (SELECT 1 FROM assembly a WHERE a.id = NEW.assembly_id AND a.body_id IS NOT NULL)"
)
register(
    "assembly_body",
    sqlite=[
        f"CREATE TRIGGER assembly_body_insert BEFORE INSERT ON assembly WHEN {_BODY_MISMATCH} "
        f"BEGIN SELECT RAISE(ABORT, '{MSG_ASSEMBLY_BODY}'); END",
        "CREATE TRIGGER assembly_body_update BEFORE UPDATE ON assembly "
        f"WHEN NEW.body_id IS NOT OLD.body_id OR {_BODY_MISMATCH} "
        f"BEGIN SELECT RAISE(ABORT, '{MSG_ASSEMBLY_BODY}'); END",
        f"CREATE TRIGGER meeting_guest_body BEFORE INSERT ON meeting_guest WHEN {_GUEST_BAD} "
        f"BEGIN SELECT RAISE(ABORT, '{MSG_GUEST}'); END",
        "CREATE TRIGGER meeting_guest_fixed BEFORE UPDATE ON meeting_guest "
        f"BEGIN SELECT RAISE(ABORT, '{MSG_GUEST}'); END",
    ],
    postgresql=[
        "CREATE OR REPLACE FUNCTION assembly_body() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN IF (TG_OP = 'UPDATE' AND NEW.body_id IS DISTINCT FROM OLD.body_id) "
        f"OR ({_BODY_MISMATCH}) THEN RAISE EXCEPTION '{MSG_ASSEMBLY_BODY}'; END IF; "
        "RETURN NEW; END $$",
        "CREATE TRIGGER assembly_body BEFORE INSERT OR UPDATE ON assembly "
        "FOR EACH ROW EXECUTE FUNCTION assembly_body()",
        "CREATE OR REPLACE FUNCTION meeting_guest_body() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN IF TG_OP = 'UPDATE' OR {_GUEST_BAD} THEN RAISE EXCEPTION '{MSG_GUEST}'; "
        "END IF; RETURN NEW; END $$",
        "CREATE TRIGGER meeting_guest_body BEFORE INSERT OR UPDATE ON meeting_guest "
        "FOR EACH ROW EXECUTE FUNCTION meeting_guest_body()",
    ],
)
