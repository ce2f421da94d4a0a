# ruff: noqa: S608  (static trigger DDL, no user input)
"""Trigger DDL of the ballot box, per dialect, registered with `governance.ddl`.

- ballot, participation, named_vote: rows are inserted only while the poll is OPEN (casting)
  or CLOSED (the seal's rewrite), deleted only while CLOSED (the rewrite), never updated; but
  a paper ballot's registration (participation, channel ROOM) is undone while the poll is OPEN.
- participation: a vote cast for another member only by the holder of their proxy.
- poll_scrub: queued only for a sealed poll; once VERIFIED never changed or deleted.
- paper_count: the tellers' counts change only after the close and before publication.
- poll: its state only moves forward (draft, open, closed, sealed, published); the seal root
  never changes once set; only draft polls may be deleted; what is put
  to the vote (question, kind, majority, ...) and the candidates change only in a draft.
On PostgreSQL the box checks are statement-level with transition tables, so sealing 100,000
ballots costs one join, not 100,000 lookups.
"""

from governance.ddl import register

MSG_INSERT = "the ballot box of this poll is not open"
MSG_DELETE = "ballots and participations are removed only by the seal"
MSG_UPDATE = "ballots and participations are never updated"
MSG_ROOM_UNDO = (
    "participations are removed only by the seal, or a registered paper ballot while the "
    "poll is open"
)
MSG_PAPER = "paper counts change only between the close and the publication of a poll"
MSG_SEAL = "the seal root of a poll never changes"
MSG_POLL_DELETE = "only draft polls may be deleted"
MSG_POLL_STATE = "the state of a poll only moves forward: draft, open, closed, sealed, published"
MSG_POLL_FROZEN = "what a poll puts to the vote changes only while it is a draft"
MSG_OPTION_FROZEN = "the candidates of a poll change only while it is a draft"
# The columns of the question; the candidates (poll_option) are fixed alongside.
# agenda_item_id and proposal_id are not: their foreign keys set them to NULL on delete.
POLL_QUESTION = (
    "title",
    "description",
    "kind",
    "election_mode",
    "seats",
    "majority",
    "secret",
    "publish_choices",
)

BOX_TABLES = ("ballot", "participation", "named_vote")
_STATE = "(SELECT state FROM poll WHERE id = {row}.poll_id)"


# A paper ballot's registration may be undone until the poll closes (paper.py, undo).
_ROOM_UNDO = "(OLD.channel = 'ROOM' AND {state} = 'OPEN')"


def _box_sqlite(table: str) -> list[str]:
    state = _STATE.format(row="OLD")
    undo = f" AND NOT {_ROOM_UNDO.format(state=state)}" if table == "participation" else ""
    message = MSG_ROOM_UNDO if table == "participation" else MSG_DELETE
    return [
        f"CREATE TRIGGER {table}_box_insert BEFORE INSERT ON {table} "
        f"WHEN {_STATE.format(row='NEW')} NOT IN ('OPEN', 'CLOSED') "
        f"BEGIN SELECT RAISE(ABORT, '{MSG_INSERT}'); END",
        f"CREATE TRIGGER {table}_box_delete BEFORE DELETE ON {table} "
        f"WHEN {state} IS NOT 'CLOSED'{undo} "
        f"BEGIN SELECT RAISE(ABORT, '{message}'); END",
        f"CREATE TRIGGER {table}_box_update BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{MSG_UPDATE}'); END",
    ]


def _function(name: str, body: str) -> str:
    return (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN {body} END $$"
    )


def _box_postgresql(table: str) -> list[str]:
    undo = ""
    message = MSG_DELETE
    if table == "participation":
        undo = f" AND NOT {_ROOM_UNDO.replace('OLD.', 'o.').format(state='p.state')}"
        message = MSG_ROOM_UNDO
    return [
        _function(
            f"{table}_box_ins",
            "IF EXISTS (SELECT 1 FROM new_rows n JOIN poll p ON p.id = n.poll_id "
            f"WHERE p.state NOT IN ('OPEN', 'CLOSED')) THEN RAISE EXCEPTION '{MSG_INSERT}'; "
            "END IF; RETURN NULL;",
        ),
        _function(
            f"{table}_box_del",
            "IF EXISTS (SELECT 1 FROM old_rows o JOIN poll p ON p.id = o.poll_id "
            f"WHERE p.state <> 'CLOSED'{undo}) THEN RAISE EXCEPTION '{message}'; "
            "END IF; RETURN NULL;",
        ),
        _function(f"{table}_box_upd", f"RAISE EXCEPTION '{MSG_UPDATE}';"),
        f"CREATE TRIGGER {table}_box_insert AFTER INSERT ON {table} REFERENCING NEW TABLE "
        f"AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {table}_box_ins()",
        f"CREATE TRIGGER {table}_box_delete AFTER DELETE ON {table} REFERENCING OLD TABLE "
        f"AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {table}_box_del()",
        f"CREATE TRIGGER {table}_box_update BEFORE UPDATE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {table}_box_upd()",
    ]


def _paper_sqlite() -> list[str]:
    out = []
    for op, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
        out.append(
            f"CREATE TRIGGER paper_count_{op.lower()} BEFORE {op} ON paper_count "
            f"WHEN {_STATE.format(row=row)} NOT IN ('CLOSED', 'SEALED') "
            f"BEGIN SELECT RAISE(ABORT, '{MSG_PAPER}'); END"
        )
    return out


_PAPER_POSTGRESQL = [
    _function(
        "paper_count_guard",
        "IF (SELECT state FROM poll WHERE id = COALESCE(NEW.poll_id, OLD.poll_id)) "
        f"NOT IN ('CLOSED', 'SEALED') THEN RAISE EXCEPTION '{MSG_PAPER}'; END IF; "
        "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW;",
    ),
    "CREATE TRIGGER paper_count_guard BEFORE INSERT OR UPDATE OR DELETE ON paper_count "
    "FOR EACH ROW EXECUTE FUNCTION paper_count_guard()",
]

BOX_SQLITE = [s for t in BOX_TABLES for s in _box_sqlite(t)] + _paper_sqlite()
BOX_POSTGRESQL = [s for t in BOX_TABLES for s in _box_postgresql(t)] + _PAPER_POSTGRESQL

_RANK = "(CASE {row}.state WHEN 'DRAFT' THEN 0 WHEN 'OPEN' THEN 1 WHEN 'CLOSED' THEN 2 WHEN 'SEALED' THEN 3 WHEN 'PUBLISHED' THEN 4 END)"  # fmt: skip
_BACKWARDS = f"{_RANK.format(row='NEW')} <= {_RANK.format(row='OLD')}"

POLL_SQLITE = [
    "CREATE TRIGGER poll_state_forward BEFORE UPDATE OF state ON poll "
    f"WHEN NEW.state IS NOT OLD.state AND {_BACKWARDS} "
    f"BEGIN SELECT RAISE(ABORT, '{MSG_POLL_STATE}'); END",
    "CREATE TRIGGER poll_seal_fixed BEFORE UPDATE ON poll "
    "WHEN OLD.seal_root IS NOT NULL AND NEW.seal_root IS NOT OLD.seal_root "
    f"BEGIN SELECT RAISE(ABORT, '{MSG_SEAL}'); END",
    "CREATE TRIGGER poll_no_delete BEFORE DELETE ON poll WHEN OLD.state <> 'DRAFT' "
    f"BEGIN SELECT RAISE(ABORT, '{MSG_POLL_DELETE}'); END",
]
POLL_POSTGRESQL = [
    _function(
        "poll_seal",
        "IF TG_OP = 'DELETE' THEN "
        f"IF OLD.state <> 'DRAFT' THEN RAISE EXCEPTION '{MSG_POLL_DELETE}'; END IF; "
        "RETURN OLD; END IF; "
        "IF OLD.seal_root IS NOT NULL AND NEW.seal_root IS DISTINCT FROM OLD.seal_root THEN "
        f"RAISE EXCEPTION '{MSG_SEAL}'; END IF; "
        f"IF NEW.state IS DISTINCT FROM OLD.state AND {_BACKWARDS} THEN "
        f"RAISE EXCEPTION '{MSG_POLL_STATE}'; END IF; RETURN NEW;",
    ),
    "CREATE TRIGGER poll_seal BEFORE UPDATE OR DELETE ON poll "
    "FOR EACH ROW EXECUTE FUNCTION poll_seal()",
]

_QUESTION_CHANGED = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in POLL_QUESTION)
_QUESTION_NEW = ", ".join(f"NEW.{c}" for c in POLL_QUESTION)
_QUESTION_OLD = ", ".join(f"OLD.{c}" for c in POLL_QUESTION)
# A poll deleted with its options (a draft, or its assembly's cascade) leaves no state: NULL.
_OPTION_STATE = "(SELECT state FROM poll WHERE id = {row}.poll_id) <> 'DRAFT'"

DRAFT_SQLITE = [
    "CREATE TRIGGER poll_question_fixed BEFORE UPDATE ON poll "
    f"WHEN OLD.state <> 'DRAFT' AND ({_QUESTION_CHANGED}) "
    f"BEGIN SELECT RAISE(ABORT, '{MSG_POLL_FROZEN}'); END",
    "CREATE TRIGGER poll_option_insert BEFORE INSERT ON poll_option "
    f"WHEN {_OPTION_STATE.format(row='NEW')} "
    f"BEGIN SELECT RAISE(ABORT, '{MSG_OPTION_FROZEN}'); END",
    "CREATE TRIGGER poll_option_update BEFORE UPDATE ON poll_option "
    f"WHEN {_OPTION_STATE.format(row='OLD')} OR {_OPTION_STATE.format(row='NEW')} "
    f"BEGIN SELECT RAISE(ABORT, '{MSG_OPTION_FROZEN}'); END",
    "CREATE TRIGGER poll_option_delete BEFORE DELETE ON poll_option "
    f"WHEN {_OPTION_STATE.format(row='OLD')} "
    f"BEGIN SELECT RAISE(ABORT, '{MSG_OPTION_FROZEN}'); END",
]
DRAFT_POSTGRESQL = [
    _function(
        "poll_question_fixed",
        f"IF OLD.state <> 'DRAFT' AND ({_QUESTION_NEW}) IS DISTINCT FROM ({_QUESTION_OLD}) "
        f"THEN RAISE EXCEPTION '{MSG_POLL_FROZEN}'; END IF; RETURN NEW;",
    ),
    "CREATE TRIGGER poll_question_fixed BEFORE UPDATE ON poll "
    "FOR EACH ROW EXECUTE FUNCTION poll_question_fixed()",
    _function(
        "poll_option_draft",
        "IF TG_OP <> 'INSERT' AND " + _OPTION_STATE.format(row="OLD") + " "
        f"THEN RAISE EXCEPTION '{MSG_OPTION_FROZEN}'; END IF; "
        "IF TG_OP <> 'DELETE' AND " + _OPTION_STATE.format(row="NEW") + " "
        f"THEN RAISE EXCEPTION '{MSG_OPTION_FROZEN}'; END IF; "
        "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW;",
    ),
    "CREATE TRIGGER poll_option_draft BEFORE INSERT OR UPDATE OR DELETE ON poll_option "
    "FOR EACH ROW EXECUTE FUNCTION poll_option_draft()",
]

MSG_SCRUB_FINAL = "a verified scrub of a poll is final"
MSG_SCRUB_SEALED = "a scrub is queued only for a sealed poll"
_SCRUB_UNSEALED = "(SELECT state FROM poll WHERE id = NEW.poll_id) NOT IN ('SEALED', 'PUBLISHED')"

SCRUB_SQLITE = [
    "CREATE TRIGGER poll_scrub_insert BEFORE INSERT ON poll_scrub "
    f"WHEN {_SCRUB_UNSEALED} BEGIN SELECT RAISE(ABORT, '{MSG_SCRUB_SEALED}'); END",
    "CREATE TRIGGER poll_scrub_update BEFORE UPDATE ON poll_scrub "
    f"WHEN OLD.state = 'VERIFIED' BEGIN SELECT RAISE(ABORT, '{MSG_SCRUB_FINAL}'); END",
    "CREATE TRIGGER poll_scrub_delete BEFORE DELETE ON poll_scrub "
    f"WHEN OLD.state = 'VERIFIED' BEGIN SELECT RAISE(ABORT, '{MSG_SCRUB_FINAL}'); END",
]
SCRUB_POSTGRESQL = [
    _function(
        "poll_scrub_rules",
        f"IF TG_OP = 'INSERT' AND {_SCRUB_UNSEALED} "
        f"THEN RAISE EXCEPTION '{MSG_SCRUB_SEALED}'; END IF; "
        "IF TG_OP <> 'INSERT' AND OLD.state = 'VERIFIED' "
        f"THEN RAISE EXCEPTION '{MSG_SCRUB_FINAL}'; END IF; "
        "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW;",
    ),
    "CREATE TRIGGER poll_scrub_rules BEFORE INSERT OR UPDATE OR DELETE ON poll_scrub "
    "FOR EACH ROW EXECUTE FUNCTION poll_scrub_rules()",
]

# §68(2) GenG: while a poll is open, no participation of a member, or cast by a proxy, whose
# expulsion letter is dated today (UTC) or earlier. Only while OPEN: the seal's rewrite keeps a
# vote cast before the expulsion took effect.
MSG_EXPELLED = "an expelled member takes no part in the general assembly (68(2) GenG)"
EXPELLED_SQLITE = [
    "CREATE TRIGGER participation_expelled BEFORE INSERT ON participation "
    f"WHEN {_STATE.format(row='NEW')} = 'OPEN' AND EXISTS (SELECT 1 FROM member m "
    "WHERE m.id IN (NEW.member_id, NEW.cast_by_member_id) "
    "AND m.expulsion_letter_date <= date('now')) "
    f"BEGIN SELECT RAISE(ABORT, '{MSG_EXPELLED}'); END",
]
EXPELLED_POSTGRESQL = [
    _function(
        "participation_expelled",
        "IF EXISTS (SELECT 1 FROM new_rows n JOIN poll p ON p.id = n.poll_id "
        "JOIN member m ON m.id IN (n.member_id, n.cast_by_member_id) "
        "WHERE p.state = 'OPEN' AND m.expulsion_letter_date <= (now() AT TIME ZONE 'UTC')::date) "
        f"THEN RAISE EXCEPTION '{MSG_EXPELLED}'; END IF; RETURN NULL;",
    ),
    "CREATE TRIGGER participation_expelled AFTER INSERT ON participation "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION participation_expelled()",
]

# §43(5) GenG: a vote cast for another member (by proxy, or a paper ballot handed in for them)
# needs the caster to hold the member's proxy for the poll's assembly: a mandate if a member
# casts, an accepted grant (it holds a slot, so it is neither revoked nor rejected) if a
# relative who is not a member casts with their own login. Only while OPEN: the seal's rewrite
# keeps the votes cast.
MSG_PROXY_CAST = "a vote for another member needs their proxy (a mandate or an accepted grant)"
_UNAUTHORISED = (
    "(SELECT state FROM poll WHERE id = {r}.poll_id) = 'OPEN' "
    "AND ({r}.cast_by_user_id IS NOT NULL OR {r}.cast_by_member_id <> {r}.member_id) "
    "AND NOT EXISTS (SELECT 1 FROM poll p JOIN mandate m ON m.assembly_id = p.assembly_id "
    "WHERE p.id = {r}.poll_id AND m.principal_id = {r}.member_id "
    "AND m.proxy_id = {r}.cast_by_member_id) "
    "AND NOT EXISTS (SELECT 1 FROM poll p JOIN proxy_grant g ON g.assembly_id = p.assembly_id "
    "WHERE p.id = {r}.poll_id AND g.principal_id = {r}.member_id "
    "AND g.holder_user_id = {r}.cast_by_user_id AND g.state = 'ACCEPTED' AND g.slot IS NOT NULL)"
)
PROXY_SQLITE = [
    "CREATE TRIGGER participation_proxy BEFORE INSERT ON participation "
    f"WHEN {_UNAUTHORISED.format(r='NEW')} "
    f"BEGIN SELECT RAISE(ABORT, '{MSG_PROXY_CAST}'); END",
]
PROXY_POSTGRESQL = [
    _function(
        "participation_proxy",
        f"IF EXISTS (SELECT 1 FROM new_rows n WHERE {_UNAUTHORISED.format(r='n')}) "
        f"THEN RAISE EXCEPTION '{MSG_PROXY_CAST}'; END IF; RETURN NULL;",
    ),
    "CREATE TRIGGER participation_proxy AFTER INSERT ON participation "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION participation_proxy()",
]

# Encrypted ballots (docs/coopvote.md): the key, the poll's id and the sums are fixed; a poll
# opens with a key only when that key is its own assembly's and ready; a poll with a key takes
# only encrypted ballots and one without a key only plaintext ones; partial decryptions only
# for a sealed poll with a key, append-only.
MSG_KEY_FIXED = "the key, the id and the sums of a poll never change once it is open"
MSG_KEY_READY = "a poll opens with a key only when the key ceremony of its assembly is ready"
MSG_POLL_SHAPE = "a poll has an id; only a secret poll has a key; only a poll with a key has sums"
MSG_CIPHER = (
    "a poll with a key takes only encrypted ballots (no choice), a poll without one only plaintext"
)
MSG_DECRYPT = "partial decryptions are posted only for a sealed poll with a key, and never changed"
_POLL_SHAPE = (
    "NEW.uuid IS NULL OR (NEW.ceremony_id IS NOT NULL AND NOT NEW.secret)"
    " OR (NEW.sums IS NOT NULL AND NEW.ceremony_id IS NULL)"
)
_KEY_CHANGED = (
    "NEW.uuid IS NOT OLD.uuid OR (OLD.state <> 'DRAFT' AND NEW.ceremony_id IS NOT OLD.ceremony_id)"
    " OR (OLD.sums IS NOT NULL AND NEW.sums IS NOT OLD.sums)"
)
_KEY_NOT_READY = (
    "NEW.ceremony_id IS NOT NULL AND NEW.state <> 'DRAFT' AND OLD.state = 'DRAFT' AND "
    "NOT EXISTS (SELECT 1 FROM key_ceremony k WHERE k.id = NEW.ceremony_id "
    "AND k.state = 'READY' AND k.assembly_id = NEW.assembly_id)"
)
_SHARE_REFUSED = (
    "NOT EXISTS (SELECT 1 FROM poll p WHERE p.id = NEW.poll_id AND p.state = 'SEALED' "
    "AND p.ceremony_id IS NOT NULL)"
)
ENCRYPTED_SQLITE = [
    f"CREATE TRIGGER poll_shape_insert BEFORE INSERT ON poll WHEN {_POLL_SHAPE} "
    f"BEGIN SELECT RAISE(ABORT, '{MSG_POLL_SHAPE}'); END",
    f"CREATE TRIGGER poll_shape_update BEFORE UPDATE ON poll WHEN {_POLL_SHAPE} "
    f"BEGIN SELECT RAISE(ABORT, '{MSG_POLL_SHAPE}'); END",
    f"CREATE TRIGGER poll_key_fixed BEFORE UPDATE ON poll WHEN {_KEY_CHANGED} "
    f"BEGIN SELECT RAISE(ABORT, '{MSG_KEY_FIXED}'); END",
    f"CREATE TRIGGER poll_key_ready BEFORE UPDATE OF state ON poll WHEN {_KEY_NOT_READY} "
    f"BEGIN SELECT RAISE(ABORT, '{MSG_KEY_READY}'); END",
    "CREATE TRIGGER ballot_cipher BEFORE INSERT ON ballot "
    "WHEN ((SELECT ceremony_id FROM poll WHERE id = NEW.poll_id) IS NULL) "
    "<> (NEW.cipher IS NULL) OR (NEW.cipher IS NOT NULL AND NEW.choice <> '') "
    f"BEGIN SELECT RAISE(ABORT, '{MSG_CIPHER}'); END",
    f"CREATE TRIGGER decryption_share_insert BEFORE INSERT ON decryption_share "
    f"WHEN {_SHARE_REFUSED} BEGIN SELECT RAISE(ABORT, '{MSG_DECRYPT}'); END",
    "CREATE TRIGGER decryption_share_no_update BEFORE UPDATE ON decryption_share "
    f"BEGIN SELECT RAISE(ABORT, '{MSG_DECRYPT}'); END",
    "CREATE TRIGGER decryption_share_no_delete BEFORE DELETE ON decryption_share "
    f"BEGIN SELECT RAISE(ABORT, '{MSG_DECRYPT}'); END",
]
ENCRYPTED_POSTGRESQL = [
    _function(
        "poll_key_fixed",
        f"IF {_POLL_SHAPE} THEN RAISE EXCEPTION '{MSG_POLL_SHAPE}'; END IF; "
        "IF TG_OP = 'UPDATE' THEN "
        f"IF {_KEY_CHANGED.replace(' IS NOT ', ' IS DISTINCT FROM ')} "
        f"THEN RAISE EXCEPTION '{MSG_KEY_FIXED}'; END IF; "
        f"IF {_KEY_NOT_READY} THEN RAISE EXCEPTION '{MSG_KEY_READY}'; END IF; END IF; "
        "RETURN NEW;",
    ),
    "CREATE TRIGGER poll_key_fixed BEFORE INSERT OR UPDATE ON poll "
    "FOR EACH ROW EXECUTE FUNCTION poll_key_fixed()",
    _function(
        "ballot_cipher",
        "IF EXISTS (SELECT 1 FROM new_rows n JOIN poll p ON p.id = n.poll_id "
        "WHERE (p.ceremony_id IS NULL) <> (n.cipher IS NULL) "
        "OR (n.cipher IS NOT NULL AND n.choice <> '')) "
        f"THEN RAISE EXCEPTION '{MSG_CIPHER}'; END IF; RETURN NULL;",
    ),
    "CREATE TRIGGER ballot_cipher AFTER INSERT ON ballot REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION ballot_cipher()",
    _function(
        "decryption_share_rules",
        f"IF TG_OP <> 'INSERT' OR {_SHARE_REFUSED} "
        f"THEN RAISE EXCEPTION '{MSG_DECRYPT}'; END IF; RETURN NEW;",
    ),
    "CREATE TRIGGER decryption_share_rules BEFORE INSERT OR UPDATE OR DELETE ON decryption_share "
    "FOR EACH ROW EXECUTE FUNCTION decryption_share_rules()",
]

register("ballot_box", sqlite=BOX_SQLITE, postgresql=BOX_POSTGRESQL)
register("participation_expelled", sqlite=EXPELLED_SQLITE, postgresql=EXPELLED_POSTGRESQL)
register("participation_proxy", sqlite=PROXY_SQLITE, postgresql=PROXY_POSTGRESQL)
register("poll_seal", sqlite=POLL_SQLITE, postgresql=POLL_POSTGRESQL)
register("poll_draft", sqlite=DRAFT_SQLITE, postgresql=DRAFT_POSTGRESQL)
register("poll_scrub", sqlite=SCRUB_SQLITE, postgresql=SCRUB_POSTGRESQL)
register("poll_encrypted", sqlite=ENCRYPTED_SQLITE, postgresql=ENCRYPTED_POSTGRESQL)
