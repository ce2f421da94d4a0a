"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-12-04 18:36:49.565179
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

import governance.db

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


# Database rules beyond table DDL (append-only ledgers, chain, seals).
TRIGGERS = {
    "sqlite": [
        "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event BEGIN SELECT "
        "RAISE(ABORT, 'audit_event is append-only'); END",
        "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event BEGIN SELECT "
        "RAISE(ABORT, 'audit_event is append-only'); END",
        'CREATE TRIGGER user_admin_not_member BEFORE UPDATE OF member_id ON "user" WHEN '
        "NEW.member_id IS NOT NULL AND EXISTS (SELECT 1 FROM user_role r WHERE r.user_id = "
        "NEW.id AND r.role = 'ADMIN') BEGIN SELECT RAISE(ABORT, 'an administrator''s account "
        "cannot be linked to a member'); END",
        "CREATE TRIGGER user_role_admin_not_member BEFORE INSERT ON user_role WHEN NEW.role = "
        "'ADMIN' AND EXISTS (SELECT 1 FROM \"user\" u WHERE u.id = NEW.user_id AND u.member_id "
        "IS NOT NULL) BEGIN SELECT RAISE(ABORT, 'an administrator''s account cannot be linked "
        "to a member'); END",
        "CREATE TRIGGER user_role_admin_not_member_update BEFORE UPDATE ON user_role WHEN "
        "NEW.role = 'ADMIN' AND EXISTS (SELECT 1 FROM \"user\" u WHERE u.id = NEW.user_id AND "
        "u.member_id IS NOT NULL) BEGIN SELECT RAISE(ABORT, 'an administrator''s account "
        "cannot be linked to a member'); END",
        "CREATE TRIGGER assembly_no_delete BEFORE DELETE ON assembly WHEN OLD.state <> 'DRAFT' "
        "BEGIN SELECT RAISE(ABORT, 'only draft assemblies may be deleted'); END",
        "CREATE TRIGGER convening_evidence_no_update BEFORE UPDATE ON convening_evidence BEGIN "
        "SELECT RAISE(ABORT, 'convening_evidence is append-only'); END",
        "CREATE TRIGGER convening_evidence_no_delete BEFORE DELETE ON convening_evidence BEGIN "
        "SELECT RAISE(ABORT, 'convening_evidence is append-only'); END",
        "CREATE TRIGGER roll_correction_no_update BEFORE UPDATE ON roll_correction BEGIN "
        "SELECT RAISE(ABORT, 'roll_correction is append-only'); END",
        "CREATE TRIGGER roll_correction_no_delete BEFORE DELETE ON roll_correction BEGIN "
        "SELECT RAISE(ABORT, 'roll_correction is append-only'); END",
        "CREATE TRIGGER assembly_needs_chair BEFORE UPDATE ON assembly WHEN NEW.chair_user_id "
        "IS NULL AND NEW.state = 'IN_SESSION' AND (OLD.state <> 'IN_SESSION' OR "
        "OLD.chair_user_id IS NOT NULL) BEGIN SELECT RAISE(ABORT, 'an assembly in session "
        "needs a chair'); END",
        "CREATE TRIGGER speaker_new BEFORE INSERT ON speaker WHEN NEW.state <> 'WAITING' OR "
        "NOT EXISTS (SELECT 1 FROM agenda_item i WHERE i.id = NEW.agenda_item_id AND "
        "i.assembly_id = NEW.assembly_id) BEGIN SELECT RAISE(ABORT, 'a request to speak starts "
        "waiting, on an item of its assembly'); END",
        "CREATE TRIGGER speaker_forward BEFORE UPDATE ON speaker WHEN NEW.assembly_id <> "
        "OLD.assembly_id OR NEW.agenda_item_id <> OLD.agenda_item_id OR NEW.member_id <> "
        "OLD.member_id OR NEW.kind <> OLD.kind OR NEW.requested_at <> OLD.requested_at OR "
        "(NEW.state <> OLD.state AND NOT ((OLD.state = 'WAITING' AND NEW.state IN ('SPEAKING', "
        "'WITHDRAWN')) OR (OLD.state = 'SPEAKING' AND NEW.state = 'DONE'))) OR (OLD.state IN "
        "('DONE', 'WITHDRAWN') AND (NEW.started_at IS NOT OLD.started_at OR NEW.ended_at IS "
        "NOT OLD.ended_at OR NEW.speaking_time_s IS NOT OLD.speaking_time_s)) BEGIN SELECT "
        "RAISE(ABORT, 'a request to speak only moves forward'); END",
        "CREATE TRIGGER ballot_box_insert BEFORE INSERT ON ballot WHEN (SELECT state FROM poll "
        "WHERE id = NEW.poll_id) NOT IN ('OPEN', 'CLOSED') BEGIN SELECT RAISE(ABORT, 'the "
        "ballot box of this poll is not open'); END",
        "CREATE TRIGGER ballot_box_delete BEFORE DELETE ON ballot WHEN (SELECT state FROM poll "
        "WHERE id = OLD.poll_id) IS NOT 'CLOSED' BEGIN SELECT RAISE(ABORT, 'ballots and "
        "participations are removed only by the seal'); END",
        "CREATE TRIGGER ballot_box_update BEFORE UPDATE ON ballot BEGIN SELECT RAISE(ABORT, "
        "'ballots and participations are never updated'); END",
        "CREATE TRIGGER participation_box_insert BEFORE INSERT ON participation WHEN (SELECT "
        "state FROM poll WHERE id = NEW.poll_id) NOT IN ('OPEN', 'CLOSED') BEGIN SELECT "
        "RAISE(ABORT, 'the ballot box of this poll is not open'); END",
        "CREATE TRIGGER participation_box_delete BEFORE DELETE ON participation WHEN (SELECT "
        "state FROM poll WHERE id = OLD.poll_id) IS NOT 'CLOSED' BEGIN SELECT RAISE(ABORT, "
        "'ballots and participations are removed only by the seal'); END",
        "CREATE TRIGGER participation_box_update BEFORE UPDATE ON participation BEGIN SELECT "
        "RAISE(ABORT, 'ballots and participations are never updated'); END",
        "CREATE TRIGGER named_vote_box_insert BEFORE INSERT ON named_vote WHEN (SELECT state "
        "FROM poll WHERE id = NEW.poll_id) NOT IN ('OPEN', 'CLOSED') BEGIN SELECT RAISE(ABORT, "
        "'the ballot box of this poll is not open'); END",
        "CREATE TRIGGER named_vote_box_delete BEFORE DELETE ON named_vote WHEN (SELECT state "
        "FROM poll WHERE id = OLD.poll_id) IS NOT 'CLOSED' BEGIN SELECT RAISE(ABORT, 'ballots "
        "and participations are removed only by the seal'); END",
        "CREATE TRIGGER named_vote_box_update BEFORE UPDATE ON named_vote BEGIN SELECT "
        "RAISE(ABORT, 'ballots and participations are never updated'); END",
        "CREATE TRIGGER paper_count_insert BEFORE INSERT ON paper_count WHEN (SELECT state "
        "FROM poll WHERE id = NEW.poll_id) NOT IN ('CLOSED', 'SEALED') BEGIN SELECT "
        "RAISE(ABORT, 'paper counts change only between the close and the publication of a "
        "poll'); END",
        "CREATE TRIGGER paper_count_update BEFORE UPDATE ON paper_count WHEN (SELECT state "
        "FROM poll WHERE id = NEW.poll_id) NOT IN ('CLOSED', 'SEALED') BEGIN SELECT "
        "RAISE(ABORT, 'paper counts change only between the close and the publication of a "
        "poll'); END",
        "CREATE TRIGGER paper_count_delete BEFORE DELETE ON paper_count WHEN (SELECT state "
        "FROM poll WHERE id = OLD.poll_id) NOT IN ('CLOSED', 'SEALED') BEGIN SELECT "
        "RAISE(ABORT, 'paper counts change only between the close and the publication of a "
        "poll'); END",
        "CREATE TRIGGER poll_state_forward BEFORE UPDATE OF state ON poll WHEN NEW.state IS "
        "NOT OLD.state AND (CASE NEW.state WHEN 'DRAFT' THEN 0 WHEN 'OPEN' THEN 1 WHEN "
        "'CLOSED' THEN 2 WHEN 'SEALED' THEN 3 WHEN 'PUBLISHED' THEN 4 END) <= (CASE OLD.state "
        "WHEN 'DRAFT' THEN 0 WHEN 'OPEN' THEN 1 WHEN 'CLOSED' THEN 2 WHEN 'SEALED' THEN 3 WHEN "
        "'PUBLISHED' THEN 4 END) BEGIN SELECT RAISE(ABORT, 'the state of a poll only moves "
        "forward: draft, open, closed, sealed, published'); END",
        "CREATE TRIGGER poll_seal_fixed BEFORE UPDATE ON poll WHEN OLD.seal_root IS NOT NULL "
        "AND NEW.seal_root IS NOT OLD.seal_root BEGIN SELECT RAISE(ABORT, 'the seal root of a "
        "poll never changes'); END",
        "CREATE TRIGGER poll_no_delete BEFORE DELETE ON poll WHEN OLD.state <> 'DRAFT' BEGIN "
        "SELECT RAISE(ABORT, 'only draft polls may be deleted'); END",
        "CREATE TRIGGER poll_question_fixed BEFORE UPDATE ON poll WHEN OLD.state <> 'DRAFT' "
        "AND (NEW.title IS NOT OLD.title OR NEW.description IS NOT OLD.description OR NEW.kind "
        "IS NOT OLD.kind OR NEW.election_mode IS NOT OLD.election_mode OR NEW.seats IS NOT "
        "OLD.seats OR NEW.majority IS NOT OLD.majority OR NEW.secret IS NOT OLD.secret OR "
        "NEW.publish_choices IS NOT OLD.publish_choices) BEGIN SELECT RAISE(ABORT, 'what a "
        "poll puts to the vote changes only while it is a draft'); END",
        "CREATE TRIGGER poll_option_insert BEFORE INSERT ON poll_option WHEN (SELECT state "
        "FROM poll WHERE id = NEW.poll_id) <> 'DRAFT' BEGIN SELECT RAISE(ABORT, 'the "
        "candidates of a poll change only while it is a draft'); END",
        "CREATE TRIGGER poll_option_update BEFORE UPDATE ON poll_option WHEN (SELECT state "
        "FROM poll WHERE id = OLD.poll_id) <> 'DRAFT' OR (SELECT state FROM poll WHERE id = "
        "NEW.poll_id) <> 'DRAFT' BEGIN SELECT RAISE(ABORT, 'the candidates of a poll change "
        "only while it is a draft'); END",
        "CREATE TRIGGER poll_option_delete BEFORE DELETE ON poll_option WHEN (SELECT state "
        "FROM poll WHERE id = OLD.poll_id) <> 'DRAFT' BEGIN SELECT RAISE(ABORT, 'the "
        "candidates of a poll change only while it is a draft'); END",
        "CREATE TRIGGER poll_scrub_insert BEFORE INSERT ON poll_scrub WHEN (SELECT state FROM "
        "poll WHERE id = NEW.poll_id) NOT IN ('SEALED', 'PUBLISHED') BEGIN SELECT RAISE(ABORT, "
        "'a scrub is queued only for a sealed poll'); END",
        "CREATE TRIGGER poll_scrub_update BEFORE UPDATE ON poll_scrub WHEN OLD.state = "
        "'VERIFIED' BEGIN SELECT RAISE(ABORT, 'a verified scrub of a poll is final'); END",
        "CREATE TRIGGER poll_scrub_delete BEFORE DELETE ON poll_scrub WHEN OLD.state = "
        "'VERIFIED' BEGIN SELECT RAISE(ABORT, 'a verified scrub of a poll is final'); END",
        "CREATE TRIGGER minutes_approval_no_update BEFORE UPDATE ON minutes_approval BEGIN "
        "SELECT RAISE(ABORT, 'minutes_approval is append-only'); END",
        "CREATE TRIGGER minutes_approval_no_delete BEFORE DELETE ON minutes_approval BEGIN "
        "SELECT RAISE(ABORT, 'minutes_approval is append-only'); END",
        "CREATE TRIGGER minutes_version_no_update BEFORE UPDATE ON minutes_version BEGIN "
        "SELECT RAISE(ABORT, 'minutes_version is append-only'); END",
        "CREATE TRIGGER minutes_version_no_delete BEFORE DELETE ON minutes_version BEGIN "
        "SELECT RAISE(ABORT, 'minutes_version is append-only'); END",
        "CREATE TRIGGER minutes_render_done BEFORE UPDATE ON minutes_render WHEN OLD.status = "
        "'DONE' BEGIN SELECT RAISE(ABORT, 'a finished rendering of the minutes never "
        "changes'); END",
        "CREATE TRIGGER member_shares_insert BEFORE INSERT ON member WHEN NEW.shares <> 0 "
        "BEGIN SELECT RAISE(ABORT, 'member.shares is kept by the share ledger'); END",
        "CREATE TRIGGER member_shares_update BEFORE UPDATE OF shares ON member WHEN NEW.shares "
        "IS NOT (SELECT COALESCE(SUM(share_count), 0) FROM share_transaction WHERE member_id = "
        "NEW.id) BEGIN SELECT RAISE(ABORT, 'member.shares is kept by the share ledger'); END",
        "CREATE TRIGGER share_transaction_rules AFTER INSERT ON share_transaction BEGIN SELECT "
        "RAISE(ABORT, 'share_transaction: a reversal must be the exact negative of one earlier "
        "transaction of the same member') WHERE NEW.kind = 'REVERSAL' AND NOT EXISTS (SELECT 1 "
        "FROM share_transaction o WHERE o.id = NEW.reverses_id AND o.id < NEW.id AND "
        "o.member_id = NEW.member_id AND o.kind <> 'REVERSAL' AND o.share_count = "
        "-NEW.share_count AND o.value_date <= NEW.value_date); SELECT RAISE(ABORT, "
        "'share_transaction: the member''s share total would become negative') WHERE "
        "NEW.share_count < 0 AND EXISTS (SELECT 1 FROM share_transaction t WHERE t.member_id = "
        "NEW.member_id AND t.value_date >= NEW.value_date AND (SELECT SUM(u.share_count) FROM "
        "share_transaction u WHERE u.member_id = NEW.member_id AND u.value_date <= "
        "t.value_date) < 0); UPDATE member SET shares = (SELECT COALESCE(SUM(u.share_count), "
        "0) FROM share_transaction u WHERE u.member_id = NEW.member_id) WHERE id = "
        "NEW.member_id; END",
        "CREATE TRIGGER share_transaction_no_update BEFORE UPDATE ON share_transaction WHEN "
        "NEW.id IS NOT OLD.id OR NEW.member_id IS NOT OLD.member_id OR NEW.kind IS NOT "
        "OLD.kind OR NEW.value_date IS NOT OLD.value_date OR NEW.share_count IS NOT "
        "OLD.share_count OR NEW.reference IS NOT OLD.reference OR NEW.reverses_id IS NOT "
        "OLD.reverses_id OR NEW.created_at IS NOT OLD.created_at OR NEW.created_by IS NOT "
        "OLD.created_by BEGIN SELECT RAISE(ABORT, 'share_transaction is append-only'); END",
        "CREATE TRIGGER share_transaction_no_delete BEFORE DELETE ON share_transaction BEGIN "
        "SELECT RAISE(ABORT, 'share_transaction is append-only'); END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE "
        "plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit_event is append-only'; END $$",
        "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event FOR "
        "EACH ROW EXECUTE FUNCTION audit_event_append_only()",
        "CREATE OR REPLACE FUNCTION user_admin_not_member() RETURNS trigger LANGUAGE "
        "plpgsql AS $$ BEGIN IF TG_TABLE_NAME = 'user' THEN IF NEW.member_id IS NOT NULL "
        "AND EXISTS (SELECT 1 FROM user_role r WHERE r.user_id = NEW.id AND r.role = "
        "'ADMIN') THEN RAISE EXCEPTION 'an administrator''s account cannot be linked to a "
        "member'; END IF; ELSIF NEW.role = 'ADMIN' THEN PERFORM 1 FROM \"user\" WHERE id "
        '= NEW.user_id FOR UPDATE; IF EXISTS (SELECT 1 FROM "user" u WHERE u.id = '
        "NEW.user_id AND u.member_id IS NOT NULL) THEN RAISE EXCEPTION 'an "
        "administrator''s account cannot be linked to a member'; END IF; END IF; RETURN "
        "NEW; END $$",
        "CREATE TRIGGER user_admin_not_member BEFORE INSERT OR UPDATE OF member_id ON "
        '"user" FOR EACH ROW EXECUTE FUNCTION user_admin_not_member()',
        "CREATE TRIGGER user_role_admin_not_member BEFORE INSERT OR UPDATE ON user_role "
        "FOR EACH ROW EXECUTE FUNCTION user_admin_not_member()",
        "CREATE OR REPLACE FUNCTION assembly_no_delete() RETURNS trigger LANGUAGE plpgsql "
        "AS $$ BEGIN IF OLD.state <> 'DRAFT' THEN RAISE EXCEPTION 'only draft assemblies "
        "may be deleted'; END IF; RETURN OLD; END $$",
        "CREATE TRIGGER assembly_no_delete BEFORE DELETE ON assembly FOR EACH ROW EXECUTE "
        "FUNCTION assembly_no_delete()",
        "CREATE OR REPLACE FUNCTION convening_evidence_append_only() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'convening_evidence is append-only'; "
        "END $$",
        "CREATE TRIGGER convening_evidence_append_only BEFORE UPDATE OR DELETE ON "
        "convening_evidence FOR EACH ROW EXECUTE FUNCTION convening_evidence_append_only()",
        "CREATE OR REPLACE FUNCTION roll_correction_append_only() RETURNS trigger LANGUAGE "
        "plpgsql AS $$ BEGIN RAISE EXCEPTION 'roll_correction is append-only'; END $$",
        "CREATE TRIGGER roll_correction_append_only BEFORE UPDATE OR DELETE ON "
        "roll_correction FOR EACH ROW EXECUTE FUNCTION roll_correction_append_only()",
        "CREATE OR REPLACE FUNCTION assembly_needs_chair() RETURNS trigger LANGUAGE "
        "plpgsql AS $$ BEGIN IF NEW.chair_user_id IS NULL AND NEW.state = 'IN_SESSION' AND "
        "(OLD.state <> 'IN_SESSION' OR OLD.chair_user_id IS NOT NULL) THEN RAISE EXCEPTION "
        "'an assembly in session needs a chair'; END IF; RETURN NEW; END $$",
        "CREATE TRIGGER assembly_needs_chair BEFORE UPDATE ON assembly FOR EACH ROW "
        "EXECUTE FUNCTION assembly_needs_chair()",
        "CREATE OR REPLACE FUNCTION speaker_rules() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN IF TG_OP = 'INSERT' AND (NEW.state <> 'WAITING' OR NOT EXISTS (SELECT 1 "
        "FROM agenda_item i WHERE i.id = NEW.agenda_item_id AND i.assembly_id = "
        "NEW.assembly_id)) THEN RAISE EXCEPTION 'a request to speak starts waiting, on an "
        "item of its assembly'; END IF; IF TG_OP = 'UPDATE' AND (NEW.assembly_id <> "
        "OLD.assembly_id OR NEW.agenda_item_id <> OLD.agenda_item_id OR NEW.member_id <> "
        "OLD.member_id OR NEW.kind <> OLD.kind OR NEW.requested_at <> OLD.requested_at OR "
        "(NEW.state <> OLD.state AND NOT ((OLD.state = 'WAITING' AND NEW.state IN "
        "('SPEAKING', 'WITHDRAWN')) OR (OLD.state = 'SPEAKING' AND NEW.state = 'DONE'))) "
        "OR (OLD.state IN ('DONE', 'WITHDRAWN') AND (NEW.started_at IS DISTINCT FROM "
        "OLD.started_at OR NEW.ended_at IS DISTINCT FROM OLD.ended_at OR "
        "NEW.speaking_time_s IS DISTINCT FROM OLD.speaking_time_s))) THEN RAISE EXCEPTION "
        "'a request to speak only moves forward'; END IF; RETURN NEW; END $$",
        "CREATE TRIGGER speaker_rules BEFORE INSERT OR UPDATE ON speaker FOR EACH ROW "
        "EXECUTE FUNCTION speaker_rules()",
        "CREATE OR REPLACE FUNCTION ballot_box_ins() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN IF EXISTS (SELECT 1 FROM new_rows n JOIN poll p ON p.id = n.poll_id "
        "WHERE p.state NOT IN ('OPEN', 'CLOSED')) THEN RAISE EXCEPTION 'the ballot box of "
        "this poll is not open'; END IF; RETURN NULL; END $$",
        "CREATE OR REPLACE FUNCTION ballot_box_del() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN IF EXISTS (SELECT 1 FROM old_rows o JOIN poll p ON p.id = o.poll_id "
        "WHERE p.state <> 'CLOSED') THEN RAISE EXCEPTION 'ballots and participations are "
        "removed only by the seal'; END IF; RETURN NULL; END $$",
        "CREATE OR REPLACE FUNCTION ballot_box_upd() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'ballots and participations are never updated'; END $$",
        "CREATE TRIGGER ballot_box_insert AFTER INSERT ON ballot REFERENCING NEW TABLE AS "
        "new_rows FOR EACH STATEMENT EXECUTE FUNCTION ballot_box_ins()",
        "CREATE TRIGGER ballot_box_delete AFTER DELETE ON ballot REFERENCING OLD TABLE AS "
        "old_rows FOR EACH STATEMENT EXECUTE FUNCTION ballot_box_del()",
        "CREATE TRIGGER ballot_box_update BEFORE UPDATE ON ballot FOR EACH ROW EXECUTE "
        "FUNCTION ballot_box_upd()",
        "CREATE OR REPLACE FUNCTION participation_box_ins() RETURNS trigger LANGUAGE "
        "plpgsql AS $$ BEGIN IF EXISTS (SELECT 1 FROM new_rows n JOIN poll p ON p.id = "
        "n.poll_id WHERE p.state NOT IN ('OPEN', 'CLOSED')) THEN RAISE EXCEPTION 'the "
        "ballot box of this poll is not open'; END IF; RETURN NULL; END $$",
        "CREATE OR REPLACE FUNCTION participation_box_del() RETURNS trigger LANGUAGE "
        "plpgsql AS $$ BEGIN IF EXISTS (SELECT 1 FROM old_rows o JOIN poll p ON p.id = "
        "o.poll_id WHERE p.state <> 'CLOSED') THEN RAISE EXCEPTION 'ballots and "
        "participations are removed only by the seal'; END IF; RETURN NULL; END $$",
        "CREATE OR REPLACE FUNCTION participation_box_upd() RETURNS trigger LANGUAGE "
        "plpgsql AS $$ BEGIN RAISE EXCEPTION 'ballots and participations are never "
        "updated'; END $$",
        "CREATE TRIGGER participation_box_insert AFTER INSERT ON participation REFERENCING "
        "NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION participation_box_ins()",
        "CREATE TRIGGER participation_box_delete AFTER DELETE ON participation REFERENCING "
        "OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION participation_box_del()",
        "CREATE TRIGGER participation_box_update BEFORE UPDATE ON participation FOR EACH "
        "ROW EXECUTE FUNCTION participation_box_upd()",
        "CREATE OR REPLACE FUNCTION named_vote_box_ins() RETURNS trigger LANGUAGE plpgsql "
        "AS $$ BEGIN IF EXISTS (SELECT 1 FROM new_rows n JOIN poll p ON p.id = n.poll_id "
        "WHERE p.state NOT IN ('OPEN', 'CLOSED')) THEN RAISE EXCEPTION 'the ballot box of "
        "this poll is not open'; END IF; RETURN NULL; END $$",
        "CREATE OR REPLACE FUNCTION named_vote_box_del() RETURNS trigger LANGUAGE plpgsql "
        "AS $$ BEGIN IF EXISTS (SELECT 1 FROM old_rows o JOIN poll p ON p.id = o.poll_id "
        "WHERE p.state <> 'CLOSED') THEN RAISE EXCEPTION 'ballots and participations are "
        "removed only by the seal'; END IF; RETURN NULL; END $$",
        "CREATE OR REPLACE FUNCTION named_vote_box_upd() RETURNS trigger LANGUAGE plpgsql "
        "AS $$ BEGIN RAISE EXCEPTION 'ballots and participations are never updated'; END "
        "$$",
        "CREATE TRIGGER named_vote_box_insert AFTER INSERT ON named_vote REFERENCING NEW "
        "TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION named_vote_box_ins()",
        "CREATE TRIGGER named_vote_box_delete AFTER DELETE ON named_vote REFERENCING OLD "
        "TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION named_vote_box_del()",
        "CREATE TRIGGER named_vote_box_update BEFORE UPDATE ON named_vote FOR EACH ROW "
        "EXECUTE FUNCTION named_vote_box_upd()",
        "CREATE OR REPLACE FUNCTION paper_count_guard() RETURNS trigger LANGUAGE plpgsql "
        "AS $$ BEGIN IF (SELECT state FROM poll WHERE id = COALESCE(NEW.poll_id, "
        "OLD.poll_id)) NOT IN ('CLOSED', 'SEALED') THEN RAISE EXCEPTION 'paper counts "
        "change only between the close and the publication of a poll'; END IF; IF TG_OP = "
        "'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $$",
        "CREATE TRIGGER paper_count_guard BEFORE INSERT OR UPDATE OR DELETE ON paper_count "
        "FOR EACH ROW EXECUTE FUNCTION paper_count_guard()",
        "CREATE OR REPLACE FUNCTION poll_seal() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN IF TG_OP = 'DELETE' THEN IF OLD.state <> 'DRAFT' THEN RAISE EXCEPTION 'only "
        "draft polls may be deleted'; END IF; RETURN OLD; END IF; IF OLD.seal_root IS NOT "
        "NULL AND NEW.seal_root IS DISTINCT FROM OLD.seal_root THEN RAISE EXCEPTION 'the "
        "seal root of a poll never changes'; END IF; IF NEW.state IS DISTINCT FROM "
        "OLD.state AND (CASE NEW.state WHEN 'DRAFT' THEN 0 WHEN 'OPEN' THEN 1 WHEN "
        "'CLOSED' THEN 2 WHEN 'SEALED' THEN 3 WHEN 'PUBLISHED' THEN 4 END) <= (CASE "
        "OLD.state WHEN 'DRAFT' THEN 0 WHEN 'OPEN' THEN 1 WHEN 'CLOSED' THEN 2 WHEN "
        "'SEALED' THEN 3 WHEN 'PUBLISHED' THEN 4 END) THEN RAISE EXCEPTION 'the state of a "
        "poll only moves forward: draft, open, closed, sealed, published'; END IF; RETURN "
        "NEW; END $$",
        "CREATE TRIGGER poll_seal BEFORE UPDATE OR DELETE ON poll FOR EACH ROW EXECUTE "
        "FUNCTION poll_seal()",
        "CREATE OR REPLACE FUNCTION poll_question_fixed() RETURNS trigger LANGUAGE plpgsql "
        "AS $$ BEGIN IF OLD.state <> 'DRAFT' AND (NEW.title, NEW.description, NEW.kind, "
        "NEW.election_mode, NEW.seats, NEW.majority, NEW.secret, NEW.publish_choices) IS "
        "DISTINCT FROM (OLD.title, OLD.description, OLD.kind, OLD.election_mode, "
        "OLD.seats, OLD.majority, OLD.secret, OLD.publish_choices) THEN RAISE EXCEPTION "
        "'what a poll puts to the vote changes only while it is a draft'; END IF; RETURN "
        "NEW; END $$",
        "CREATE TRIGGER poll_question_fixed BEFORE UPDATE ON poll FOR EACH ROW EXECUTE "
        "FUNCTION poll_question_fixed()",
        "CREATE OR REPLACE FUNCTION poll_option_draft() RETURNS trigger LANGUAGE plpgsql "
        "AS $$ BEGIN IF TG_OP <> 'INSERT' AND (SELECT state FROM poll WHERE id = "
        "OLD.poll_id) <> 'DRAFT' THEN RAISE EXCEPTION 'the candidates of a poll change "
        "only while it is a draft'; END IF; IF TG_OP <> 'DELETE' AND (SELECT state FROM "
        "poll WHERE id = NEW.poll_id) <> 'DRAFT' THEN RAISE EXCEPTION 'the candidates of a "
        "poll change only while it is a draft'; END IF; IF TG_OP = 'DELETE' THEN RETURN "
        "OLD; END IF; RETURN NEW; END $$",
        "CREATE TRIGGER poll_option_draft BEFORE INSERT OR UPDATE OR DELETE ON poll_option "
        "FOR EACH ROW EXECUTE FUNCTION poll_option_draft()",
        "CREATE OR REPLACE FUNCTION poll_scrub_rules() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN IF TG_OP = 'INSERT' AND (SELECT state FROM poll WHERE id = NEW.poll_id) "
        "NOT IN ('SEALED', 'PUBLISHED') THEN RAISE EXCEPTION 'a scrub is queued only for a "
        "sealed poll'; END IF; IF TG_OP <> 'INSERT' AND OLD.state = 'VERIFIED' THEN RAISE "
        "EXCEPTION 'a verified scrub of a poll is final'; END IF; IF TG_OP = 'DELETE' THEN "
        "RETURN OLD; END IF; RETURN NEW; END $$",
        "CREATE TRIGGER poll_scrub_rules BEFORE INSERT OR UPDATE OR DELETE ON poll_scrub "
        "FOR EACH ROW EXECUTE FUNCTION poll_scrub_rules()",
        "CREATE OR REPLACE FUNCTION minutes_approval_append_only() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'minutes_approval is append-only'; "
        "END $$",
        "CREATE TRIGGER minutes_approval_append_only BEFORE UPDATE OR DELETE ON "
        "minutes_approval FOR EACH ROW EXECUTE FUNCTION minutes_approval_append_only()",
        "CREATE OR REPLACE FUNCTION minutes_version_append_only() RETURNS trigger LANGUAGE "
        "plpgsql AS $$ BEGIN RAISE EXCEPTION 'minutes_version is append-only'; END $$",
        "CREATE TRIGGER minutes_version_append_only BEFORE UPDATE OR DELETE ON "
        "minutes_version FOR EACH ROW EXECUTE FUNCTION minutes_version_append_only()",
        "CREATE OR REPLACE FUNCTION minutes_render_done() RETURNS trigger LANGUAGE plpgsql "
        "AS $$ BEGIN IF OLD.status = 'DONE' THEN RAISE EXCEPTION 'a finished rendering of "
        "the minutes never changes'; END IF; RETURN NEW; END $$",
        "CREATE TRIGGER minutes_render_done BEFORE UPDATE ON minutes_render FOR EACH ROW "
        "EXECUTE FUNCTION minutes_render_done()",
        "ALTER TABLE minutes_version ADD CONSTRAINT ck_minutes_version_bytes CHECK "
        "(encode(sha256(pdf), 'hex') = pdf_sha256)",
        "CREATE OR REPLACE FUNCTION member_shares_guard() RETURNS trigger LANGUAGE plpgsql "
        "AS $$ BEGIN IF TG_OP = 'INSERT' THEN IF NEW.shares <> 0 THEN RAISE EXCEPTION "
        "'member.shares is kept by the share ledger'; END IF; ELSIF NEW.shares IS DISTINCT "
        "FROM OLD.shares AND NEW.shares <> (SELECT COALESCE(SUM(share_count), 0) FROM "
        "share_transaction WHERE member_id = NEW.id) THEN RAISE EXCEPTION 'member.shares "
        "is kept by the share ledger'; END IF; RETURN NEW; END $$",
        "CREATE TRIGGER member_shares_guard BEFORE INSERT OR UPDATE ON member FOR EACH ROW "
        "EXECUTE FUNCTION member_shares_guard()",
        "CREATE OR REPLACE FUNCTION share_transaction_rules() RETURNS trigger LANGUAGE "
        "plpgsql AS $$ BEGIN PERFORM 1 FROM member WHERE id = NEW.member_id FOR UPDATE; IF "
        "NEW.kind = 'REVERSAL' AND NOT EXISTS (SELECT 1 FROM share_transaction o WHERE "
        "o.id = NEW.reverses_id AND o.id < NEW.id AND o.member_id = NEW.member_id AND "
        "o.kind <> 'REVERSAL' AND o.share_count = -NEW.share_count AND o.value_date <= "
        "NEW.value_date) THEN RAISE EXCEPTION 'share_transaction: a reversal must be the "
        "exact negative of one earlier transaction of the same member'; END IF; IF "
        "NEW.share_count < 0 AND EXISTS (SELECT 1 FROM share_transaction t WHERE "
        "t.member_id = NEW.member_id AND t.value_date >= NEW.value_date AND (SELECT "
        "SUM(u.share_count) FROM share_transaction u WHERE u.member_id = NEW.member_id AND "
        "u.value_date <= t.value_date) < 0) THEN RAISE EXCEPTION 'share_transaction: the "
        "member''s share total would become negative'; END IF; UPDATE member SET shares = "
        "(SELECT COALESCE(SUM(u.share_count), 0) FROM share_transaction u WHERE "
        "u.member_id = NEW.member_id) WHERE id = NEW.member_id; RETURN NULL; END $$",
        "CREATE TRIGGER share_transaction_rules AFTER INSERT ON share_transaction FOR EACH "
        "ROW EXECUTE FUNCTION share_transaction_rules()",
        "CREATE OR REPLACE FUNCTION share_transaction_append_only() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN IF TG_OP = 'UPDATE' AND (to_jsonb(NEW) - "
        "ARRAY['comment']) = (to_jsonb(OLD) - ARRAY['comment']) THEN RETURN NEW; END IF; "
        "RAISE EXCEPTION 'share_transaction is append-only'; END $$",
        "CREATE TRIGGER share_transaction_append_only BEFORE UPDATE OR DELETE ON "
        "share_transaction FOR EACH ROW EXECUTE FUNCTION share_transaction_append_only()",
    ],
}
PG_FUNCTIONS = [
    "assembly_needs_chair",
    "assembly_no_delete",
    "audit_event_append_only",
    "ballot_box_del",
    "ballot_box_ins",
    "ballot_box_upd",
    "convening_evidence_append_only",
    "member_shares_guard",
    "minutes_approval_append_only",
    "minutes_render_done",
    "minutes_version_append_only",
    "named_vote_box_del",
    "named_vote_box_ins",
    "named_vote_box_upd",
    "paper_count_guard",
    "participation_box_del",
    "participation_box_ins",
    "participation_box_upd",
    "poll_option_draft",
    "poll_question_fixed",
    "poll_scrub_rules",
    "poll_seal",
    "roll_correction_append_only",
    "share_transaction_append_only",
    "share_transaction_rules",
    "speaker_rules",
    "user_admin_not_member",
]


def upgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table(
        "member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=9), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "NATURAL",
                "LEGAL",
                name="person_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("last_name", sa.String(length=200), nullable=False),
        sa.Column("first_names", sa.String(length=200), nullable=False),
        sa.Column("firm", sa.String(length=300), nullable=False),
        sa.Column("sort_name", sa.String(length=520), nullable=False),
        sa.Column("street", sa.String(length=200), nullable=False),
        sa.Column("postal_code", sa.String(length=20), nullable=False),
        sa.Column("city", sa.String(length=200), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("entry_date", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "ACTIVE",
                "CANCELLED",
                "TRANSFERRED",
                "DECEASED",
                "LIQUIDATED",
                "EXPELLED",
                "INVALID",
                name="member_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("status_date", sa.Date(), nullable=True),
        sa.Column("notice_date", sa.Date(), nullable=True),
        sa.Column("exit_date", sa.Date(), nullable=True),
        sa.Column("expulsion_letter_date", sa.Date(), nullable=True),
        sa.Column("death_date", sa.Date(), nullable=True),
        sa.Column("shares", sa.Integer(), server_default="0", nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", governance.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(kind = 'NATURAL' AND last_name <> '') OR (kind = 'LEGAL' AND firm <> '')",
            name="ck_member_name",
        ),
        sa.CheckConstraint(
            "length(number) = 9 AND substr(number, 1, 2) = 'M-'", name="ck_member_number"
        ),
        sa.CheckConstraint(
            "status <> 'CANCELLED' OR notice_date IS NOT NULL", name="ck_member_notice"
        ),
        sa.CheckConstraint(
            "status <> 'DECEASED' OR death_date IS NOT NULL", name="ck_member_death"
        ),
        sa.CheckConstraint(
            "status <> 'EXPELLED' OR expulsion_letter_date IS NOT NULL", name="ck_member_expelled"
        ),
        sa.CheckConstraint(
            "status NOT IN ('CANCELLED', 'TRANSFERRED', 'DECEASED', 'LIQUIDATED', 'EXPELLED') OR exit_date IS NOT NULL",
            name="ck_member_exit_status",
        ),
        sa.CheckConstraint("exit_date IS NULL OR exit_date >= entry_date", name="ck_member_exit"),
        sa.CheckConstraint("shares >= 0", name="ck_member_shares"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.create_index(
            "ix_member_eligibility",
            [
                "entry_date",
                "exit_date",
                "expulsion_letter_date",
                "death_date",
                "status",
                "shares",
                "id",
            ],
            unique=False,
        )
        batch_op.create_index("ix_member_email", ["email"], unique=False)
        batch_op.create_index("ix_member_shares", ["shares", "id"], unique=False)
        batch_op.create_index("ix_member_sort_name", ["sort_name", "id"], unique=False)
        batch_op.create_index("ix_member_status_name", ["status", "sort_name", "id"], unique=False)

    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=200), nullable=False),
        sa.Column("to_addr", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=True),
        sa.Column("sensitive", sa.Boolean(), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "QUEUED",
                "SENDING",
                "SENT",
                "FAILED",
                name="mail_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", governance.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", governance.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", governance.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sent_at", governance.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.CheckConstraint("attempts >= 0", name="ck_outbox_attempts"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("message_id"),
    )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_due", ["status", "next_attempt_at"], unique=False)

    op.create_table(
        "used_token",
        sa.Column("jti", sa.String(length=64), nullable=False),
        sa.Column("used_at", governance.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("jti"),
    )
    op.create_table(
        "worker_heartbeat",
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("beat_at", governance.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("worker", sa.String(length=200), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("kind"),
    )
    op.create_table(
        "user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("display_name", sa.String(length=200), server_default="", nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("locale", sa.String(length=5), nullable=True),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("created_at", governance.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", governance.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("security_stamp", sa.Integer(), nullable=False),
        sa.CheckConstraint("email = lower(email)", name="ck_user_email_lower"),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email"),
        sa.UniqueConstraint("member_id"),
    )
    op.create_table(
        "assembly",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "body",
            sa.Enum(
                "GENERAL_ASSEMBLY",
                "REPRESENTATIVE_ASSEMBLY",
                "SUPERVISORY_BOARD",
                "BOARD",
                "COMMITTEE",
                name="body",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "ORDINARY",
                "EXTRAORDINARY",
                name="assembly_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "form",
            sa.Enum(
                "IN_PERSON",
                "VIRTUAL",
                "HYBRID",
                "STRETCHED",
                name="assembly_form",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("starts_at", governance.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("voting_starts_at", governance.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("voting_ends_at", governance.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("place", sa.String(length=500), nullable=False),
        sa.Column("remote_access", sa.Text(), nullable=False),
        sa.Column("record_date", sa.Date(), nullable=True),
        sa.Column("chair_user_id", sa.Integer(), nullable=True),
        sa.Column("secretary_user_id", sa.Integer(), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "DRAFT",
                "CONVENED",
                "IN_SESSION",
                "CLOSED",
                "MINUTES_PUBLISHED",
                name="assembly_state",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("convened_at", governance.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("convened_by_id", sa.Integer(), nullable=True),
        sa.Column("opened_at", governance.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", governance.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "all_present_declared_at", governance.db.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("roll_hash", sa.String(length=64), nullable=True),
        sa.Column("roll_frozen_at", governance.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("current_item_id", sa.Integer(), nullable=True),
        sa.Column("proposal_deadline", governance.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("screen_token_hash", sa.String(length=64), nullable=True),
        sa.Column("created_at", governance.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "form <> 'STRETCHED' OR (voting_starts_at IS NOT NULL AND voting_ends_at IS NOT NULL AND voting_ends_at > voting_starts_at)",
            name="ck_assembly_voting_phase",
        ),
        sa.CheckConstraint("record_date IS NOT NULL OR state = 'DRAFT'", name="ck_assembly_record"),
        sa.ForeignKeyConstraint(["chair_user_id"], ["user.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["convened_by_id"], ["user.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["secretary_user_id"], ["user.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("assembly", schema=None) as batch_op:
        batch_op.create_index("ix_assembly_starts_at", ["starts_at"], unique=False)

    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("occurred_at", governance.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("actor_label", sa.String(length=254), nullable=False),
        sa.Column("event_type", sa.String(length=64), nullable=False),
        sa.Column("object_type", sa.String(length=64), nullable=True),
        sa.Column("object_id", sa.String(length=64), nullable=True),
        sa.Column("assembly_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["actor_user_id"], ["user.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("hash"),
        sa.UniqueConstraint("prev_hash"),
        sa.UniqueConstraint("seq"),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index("ix_audit_event_actor", ["actor_user_id"], unique=False)
        batch_op.create_index("ix_audit_event_assembly", ["assembly_id"], unique=False)
        batch_op.create_index("ix_audit_event_object", ["object_type", "object_id"], unique=False)
        batch_op.create_index("ix_audit_event_occurred", ["occurred_at"], unique=False)
        batch_op.create_index("ix_audit_event_type", ["event_type"], unique=False)

    op.create_table(
        "share_transaction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "SUBSCRIPTION",
                "CANCELLATION",
                "REVERSAL",
                name="share_tx_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("value_date", sa.Date(), nullable=False),
        sa.Column("share_count", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=48), nullable=False),
        sa.Column("reverses_id", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", governance.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(kind = 'REVERSAL') = (reverses_id IS NOT NULL)", name="ck_share_tx_reversal"
        ),
        sa.CheckConstraint(
            "(kind = 'SUBSCRIPTION' AND share_count > 0) OR (kind = 'CANCELLATION' AND share_count < 0) OR kind = 'REVERSAL'",
            name="ck_share_tx_sign",
        ),
        sa.CheckConstraint(
            "length(reference) BETWEEN 6 AND 48 AND reference = trim(reference)",
            name="ck_share_tx_reference",
        ),
        sa.CheckConstraint("share_count <> 0", name="ck_share_tx_nonzero"),
        sa.ForeignKeyConstraint(["created_by"], ["user.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["reverses_id"], ["share_transaction.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("reverses_id"),
    )
    with op.batch_alter_table("share_transaction", schema=None) as batch_op:
        batch_op.create_index(
            "ix_share_tx_date", ["value_date", "member_id", "share_count"], unique=False
        )
        batch_op.create_index(
            "ix_share_tx_member_date", ["member_id", "value_date", "share_count"], unique=False
        )

    op.create_table(
        "user_role",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "MEMBER",
                "BOARD",
                "SUPERVISORY_BOARD",
                "SECRETARY",
                "ADMIN",
                name="role",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "role"),
    )
    op.create_table(
        "agenda_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assembly_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "INFORMATION",
                "DISCUSSION",
                "RESOLUTION",
                "ELECTION",
                name="item_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("announced_at", governance.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("announced_late", sa.Boolean(), nullable=False),
        sa.Column("created_at", governance.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("position >= 1", name="ck_agenda_position"),
        sa.ForeignKeyConstraint(["assembly_id"], ["assembly.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["parent_id"], ["agenda_item.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("assembly_id", "parent_id", "position", name="uq_agenda_position"),
    )
    op.create_table(
        "attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assembly_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column(
            "channel",
            sa.Enum(
                "ROOM",
                "ONLINE",
                "PROXY",
                name="channel",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("checked_in_at", governance.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("checked_out_at", governance.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_seen_at", governance.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("checked_in_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("channel IN ('ROOM', 'ONLINE')", name="ck_attendance_channel"),
        sa.ForeignKeyConstraint(["assembly_id"], ["assembly.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["checked_in_by_id"], ["user.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("assembly_id", "member_id", name="uq_attendance_member"),
    )
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.create_index("ix_attendance_seen", ["assembly_id", "last_seen_at"], unique=False)

    op.create_table(
        "convening_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assembly_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "INVITATION",
                "SUPPLEMENT",
                name="notice_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("sent_at", governance.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_by_id", sa.Integer(), nullable=True),
        sa.Column("recipient_count", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("letter_post", sa.Text(), nullable=False),
        sa.Column("letter_count", sa.Integer(), nullable=False),
        sa.CheckConstraint("recipient_count >= 0", name="ck_evidence_recipients"),
        sa.ForeignKeyConstraint(["assembly_id"], ["assembly.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["sent_by_id"], ["user.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("convening_evidence", schema=None) as batch_op:
        batch_op.create_index("ix_evidence_assembly", ["assembly_id", "sent_at"], unique=False)

    op.create_table(
        "mandate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assembly_id", sa.Integer(), nullable=False),
        sa.Column("principal_id", sa.Integer(), nullable=False),
        sa.Column("proxy_id", sa.Integer(), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("registered_at", governance.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("registered_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("principal_id <> proxy_id", name="ck_mandate_not_self"),
        sa.CheckConstraint("slot IN (1, 2)", name="ck_mandate_slot"),
        sa.ForeignKeyConstraint(["assembly_id"], ["assembly.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["principal_id"], ["member.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["proxy_id"], ["member.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["registered_by_id"], ["user.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("assembly_id", "principal_id", name="uq_mandate_principal"),
        sa.UniqueConstraint("assembly_id", "proxy_id", "slot", name="uq_mandate_proxy_slot"),
    )
    op.create_table(
        "minority_demand",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "ASSEMBLY",
                "AGENDA_ITEMS",
                name="demand_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("assembly_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("initiator_member_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "OPEN",
                "REACHED",
                "HANDLED",
                "WITHDRAWN",
                name="demand_state",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("created_at", governance.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reached_at", governance.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("handled_at", governance.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("handled_note", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "kind <> 'AGENDA_ITEMS' OR assembly_id IS NOT NULL", name="ck_demand_assembly"
        ),
        sa.ForeignKeyConstraint(["assembly_id"], ["assembly.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["initiator_member_id"], ["member.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("minority_demand", schema=None) as batch_op:
        batch_op.create_index("ix_demand_state", ["state"], unique=False)

    op.create_table(
        "minutes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assembly_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("preamble", sa.Text(), nullable=False),
        sa.Column("closing", sa.Text(), nullable=False),
        sa.Column("created_at", governance.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", governance.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("revision >= 1", name="ck_minutes_revision"),
        sa.ForeignKeyConstraint(["assembly_id"], ["assembly.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["updated_by_id"], ["user.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("assembly_id"),
    )
    op.create_table(
        "roll_correction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assembly_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column(
            "action",
            sa.Enum(
                "ADD",
                "REMOVE",
                "WEIGHT",
                name="roll_action",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("weight", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("hash_after", sa.String(length=64), nullable=False),
        sa.Column("corrected_at", governance.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("corrected_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("length(reason) >= 3", name="ck_roll_correction_reason"),
        sa.ForeignKeyConstraint(["assembly_id"], ["assembly.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["corrected_by_id"], ["user.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("roll_correction", schema=None) as batch_op:
        batch_op.create_index("ix_roll_correction_assembly", ["assembly_id"], unique=False)

    op.create_table(
        "roll_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assembly_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("shares", sa.Integer(), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.CheckConstraint("shares >= 0", name="ck_roll_shares"),
        sa.CheckConstraint("weight BETWEEN 1 AND 3", name="ck_roll_weight"),
        sa.ForeignKeyConstraint(["assembly_id"], ["assembly.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("assembly_id", "member_id", name="uq_roll_member"),
    )
    op.create_table(
        "agenda_attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agenda_item_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("stored_name", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_at", governance.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("size > 0", name="ck_attachment_size"),
        sa.ForeignKeyConstraint(["agenda_item_id"], ["agenda_item.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["user.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("stored_name"),
    )
    with op.batch_alter_table("agenda_attachment", schema=None) as batch_op:
        batch_op.create_index("ix_attachment_item", ["agenda_item_id"], unique=False)

    op.create_table(
        "demand_support",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("demand_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("supported_at", governance.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["demand_id"], ["minority_demand.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("demand_id", "member_id", name="uq_demand_support"),
    )
    op.create_table(
        "minutes_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("minutes_id", sa.Integer(), nullable=False),
        sa.Column("agenda_item_id", sa.Integer(), nullable=False),
        sa.Column("discussion", sa.Text(), nullable=False),
        sa.Column("motions", sa.Text(), nullable=False),
        sa.Column("updated_at", governance.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["agenda_item_id"], ["agenda_item.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["minutes_id"], ["minutes.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("minutes_id", "agenda_item_id", name="uq_minutes_item"),
    )
    op.create_table(
        "minutes_render",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("minutes_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "QUEUED",
                "RUNNING",
                "DONE",
                "FAILED",
                name="render_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("requested_at", governance.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("started_at", governance.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", governance.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("participant_count", sa.Integer(), nullable=True),
        sa.Column("page_count", sa.Integer(), nullable=True),
        sa.Column("source_sha256", sa.String(length=64), nullable=True),
        sa.Column("pdf", sa.LargeBinary(), nullable=True),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "status <> 'DONE' OR (pdf IS NOT NULL AND length(pdf_sha256) = 64 AND length(source_sha256) = 64 AND page_count >= 1)",
            name="ck_minutes_render_done",
        ),
        sa.ForeignKeyConstraint(["minutes_id"], ["minutes.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["requested_by_id"], ["user.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("minutes_render", schema=None) as batch_op:
        batch_op.create_index("ix_minutes_render_minutes", ["minutes_id", "id"], unique=False)
        batch_op.create_index("ix_minutes_render_status", ["status", "requested_at"], unique=False)

    op.create_table(
        "proposal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assembly_id", sa.Integer(), nullable=False),
        sa.Column("agenda_item_id", sa.Integer(), nullable=True),
        sa.Column(
            "submitter_kind",
            sa.Enum(
                "BOARD",
                "SUPERVISORY_BOARD",
                "MEMBER",
                name="submitter_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("statute_change", sa.Boolean(), nullable=False),
        sa.Column(
            "majority",
            sa.Enum(
                "SIMPLE",
                "THREE_QUARTERS",
                "NINE_TENTHS",
                name="majority",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "state",
            sa.Enum(
                "SUBMITTED",
                "ADMITTED",
                "IN_VOTE",
                "ADOPTED",
                "REJECTED",
                "WITHDRAWN",
                "REFERRED",
                name="proposal_state",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("submitted_at", governance.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", governance.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "submitter_kind <> 'MEMBER' OR member_id IS NOT NULL", name="ck_proposal_member"
        ),
        sa.CheckConstraint("length(title) > 0", name="ck_proposal_title"),
        sa.ForeignKeyConstraint(["agenda_item_id"], ["agenda_item.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["assembly_id"], ["assembly.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["submitted_by_id"], ["user.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("proposal", schema=None) as batch_op:
        batch_op.create_index("ix_proposal_assembly", ["assembly_id", "state"], unique=False)
        batch_op.create_index("ix_proposal_item", ["agenda_item_id"], unique=False)
        batch_op.create_index("ix_proposal_member", ["member_id"], unique=False)

    op.create_table(
        "speaker",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assembly_id", sa.Integer(), nullable=False),
        sa.Column("agenda_item_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "NORMAL",
                "POINT_OF_ORDER",
                name="speaker_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "state",
            sa.Enum(
                "WAITING",
                "SPEAKING",
                "DONE",
                "WITHDRAWN",
                name="speaker_state",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("requested_at", governance.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_at", governance.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_at", governance.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("speaking_time_s", sa.Integer(), nullable=True),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("state <> 'DONE' OR ended_at IS NOT NULL", name="ck_speaker_ended"),
        sa.CheckConstraint(
            "state = 'WAITING' OR state = 'WITHDRAWN' OR started_at IS NOT NULL",
            name="ck_speaker_started",
        ),
        sa.CheckConstraint(
            "speaking_time_s IS NULL OR speaking_time_s BETWEEN 1 AND 3600", name="ck_speaker_time"
        ),
        sa.ForeignKeyConstraint(["added_by_id"], ["user.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["agenda_item_id"], ["agenda_item.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["assembly_id"], ["assembly.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("speaker", schema=None) as batch_op:
        batch_op.create_index(
            "ix_speaker_item", ["assembly_id", "agenda_item_id", "state"], unique=False
        )
        batch_op.create_index(
            "uq_speaker_open",
            ["agenda_item_id", "member_id"],
            unique=True,
            sqlite_where=sa.text("state IN ('WAITING', 'SPEAKING')"),
            postgresql_where=sa.text("state IN ('WAITING', 'SPEAKING')"),
        )
        batch_op.create_index(
            "uq_speaker_speaking",
            ["assembly_id"],
            unique=True,
            sqlite_where=sa.text("state = 'SPEAKING'"),
            postgresql_where=sa.text("state = 'SPEAKING'"),
        )

    op.create_table(
        "minutes_approval",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("minutes_id", sa.Integer(), nullable=False),
        sa.Column("render_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "capacity",
            sa.Enum(
                "CHAIR",
                "BOARD",
                name="approval_capacity",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=False),
        sa.Column("approved_at", governance.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("length(pdf_sha256) = 64", name="ck_minutes_approval_sha"),
        sa.ForeignKeyConstraint(["minutes_id"], ["minutes.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["render_id"], ["minutes_render.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("render_id", "user_id", name="uq_minutes_approval_user"),
    )
    with op.batch_alter_table("minutes_approval", schema=None) as batch_op:
        batch_op.create_index("ix_minutes_approval_minutes", ["minutes_id"], unique=False)

    op.create_table(
        "minutes_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("minutes_id", sa.Integer(), nullable=False),
        sa.Column("assembly_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("previous_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("render_id", sa.Integer(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=False),
        sa.Column("page_count", sa.Integer(), nullable=False),
        sa.Column("published_at", governance.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(number = 1 AND previous_id IS NULL AND reason = '') OR (number > 1 AND previous_id IS NOT NULL AND length(reason) >= 3)",
            name="ck_minutes_version_chain",
        ),
        sa.CheckConstraint("length(pdf_sha256) = 64", name="ck_minutes_version_sha"),
        sa.CheckConstraint("page_count >= 1", name="ck_minutes_version_pages"),
        sa.ForeignKeyConstraint(["assembly_id"], ["assembly.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["minutes_id"], ["minutes.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["previous_id"], ["minutes_version.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["published_by_id"], ["user.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["render_id"], ["minutes_render.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("assembly_id", "number", name="uq_minutes_version_number"),
        sa.UniqueConstraint("previous_id", name="uq_minutes_version_previous"),
    )
    op.create_table(
        "poll",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assembly_id", sa.Integer(), nullable=False),
        sa.Column("agenda_item_id", sa.Integer(), nullable=True),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "MOTION",
                "ELECTION",
                name="poll_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "election_mode",
            sa.Enum(
                "YES_NO_ABSTAIN_PER_CANDIDATE",
                "CHOOSE_UP_TO_N",
                name="election_mode",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.Column("secret", sa.Boolean(), nullable=False),
        sa.Column("publish_choices", sa.Boolean(), nullable=False),
        sa.Column(
            "majority",
            sa.Enum(
                "SIMPLE",
                "THREE_QUARTERS",
                "NINE_TENTHS",
                "RELATIVE",
                name="poll_majority",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "state",
            sa.Enum(
                "DRAFT",
                "OPEN",
                "CLOSED",
                "SEALED",
                "PUBLISHED",
                name="poll_state",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("weighted", sa.Boolean(), nullable=False),
        sa.Column("roll_hash", sa.String(length=64), nullable=True),
        sa.Column("created_at", governance.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("opened_at", governance.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("opened_by_id", sa.Integer(), nullable=True),
        sa.Column("auto_close_at", governance.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", governance.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("sealed_at", governance.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("seal_root", sa.String(length=64), nullable=True),
        sa.Column("result_json", sa.Text(), nullable=True),
        sa.Column("declaration", sa.Text(), nullable=False),
        sa.Column("declared_by_id", sa.Integer(), nullable=True),
        sa.Column("declared_at", governance.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("published_at", governance.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(kind = 'MOTION' AND election_mode IS NULL AND majority IN ('SIMPLE', 'THREE_QUARTERS', 'NINE_TENTHS')) OR (kind = 'ELECTION' AND election_mode IS NOT NULL)",
            name="ck_poll_kind",
        ),
        sa.CheckConstraint(
            "election_mode IS NULL OR election_mode <> 'CHOOSE_UP_TO_N' OR majority = 'RELATIVE'",
            name="ck_poll_choose_relative",
        ),
        sa.CheckConstraint(
            "election_mode IS NULL OR election_mode <> 'YES_NO_ABSTAIN_PER_CANDIDATE' OR majority <> 'RELATIVE'",
            name="ck_poll_per_candidate_majority",
        ),
        sa.CheckConstraint(
            "state <> 'PUBLISHED' OR (result_json IS NOT NULL AND declared_at IS NOT NULL)",
            name="ck_poll_published",
        ),
        sa.CheckConstraint("state = 'DRAFT' OR opened_at IS NOT NULL", name="ck_poll_opened"),
        sa.CheckConstraint(
            "state NOT IN ('SEALED', 'PUBLISHED') OR (seal_root IS NOT NULL AND sealed_at IS NOT NULL)",
            name="ck_poll_sealed",
        ),
        sa.CheckConstraint("seats >= 1", name="ck_poll_seats"),
        sa.ForeignKeyConstraint(["agenda_item_id"], ["agenda_item.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["assembly_id"], ["assembly.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["closed_by_id"], ["user.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["declared_by_id"], ["user.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["opened_by_id"], ["user.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposal.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("poll", schema=None) as batch_op:
        batch_op.create_index("ix_poll_assembly", ["assembly_id"], unique=False)
        batch_op.create_index("ix_poll_state_close", ["state", "auto_close_at"], unique=False)

    op.create_table(
        "ballot",
        sa.Column("tracker", sa.LargeBinary(length=16), nullable=False),
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("choice", sa.String(length=1000), nullable=False),
        sa.CheckConstraint("length(tracker) = 16", name="ck_ballot_tracker"),
        sa.ForeignKeyConstraint(["poll_id"], ["poll.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("tracker"),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("ballot", schema=None) as batch_op:
        batch_op.create_index("ix_ballot_poll_choice", ["poll_id", "choice"], unique=False)

    op.create_table(
        "minutes_objection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("minutes_id", sa.Integer(), nullable=False),
        sa.Column("agenda_item_id", sa.Integer(), nullable=False),
        sa.Column("poll_id", sa.Integer(), nullable=True),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("recorded_at", governance.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["agenda_item_id"], ["agenda_item.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["minutes_id"], ["minutes.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["poll_id"], ["poll.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["user.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "minutes_id", "agenda_item_id", "member_id", name="uq_minutes_objection_member"
        ),
    )
    with op.batch_alter_table("minutes_objection", schema=None) as batch_op:
        batch_op.create_index(
            "ix_minutes_objection_item", ["minutes_id", "agenda_item_id"], unique=False
        )

    op.create_table(
        "named_vote",
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("choice", sa.String(length=1000), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["poll_id"], ["poll.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("poll_id", "member_id"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "paper_count",
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(length=64), nullable=False),
        sa.Column("votes", sa.Integer(), nullable=False),
        sa.CheckConstraint("votes >= 0", name="ck_paper_count_votes"),
        sa.ForeignKeyConstraint(["poll_id"], ["poll.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("poll_id", "item"),
    )
    op.create_table(
        "participation",
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("cast_by_member_id", sa.Integer(), nullable=False),
        sa.Column(
            "channel",
            sa.Enum(
                "ROOM",
                "ONLINE",
                "PROXY",
                name="participation_channel",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.CheckConstraint(
            "channel <> 'ONLINE' OR cast_by_member_id = member_id", name="ck_participation_self"
        ),
        sa.CheckConstraint(
            "channel <> 'PROXY' OR cast_by_member_id <> member_id", name="ck_participation_proxy"
        ),
        sa.ForeignKeyConstraint(["cast_by_member_id"], ["member.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["poll_id"], ["poll.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("poll_id", "member_id"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "poll_exclusion",
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["poll_id"], ["poll.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("poll_id", "member_id"),
    )
    op.create_table(
        "poll_option",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.CheckConstraint("position >= 1", name="ck_poll_option_position"),
        sa.ForeignKeyConstraint(["poll_id"], ["poll.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("poll_id", "label", name="uq_poll_option_label"),
        sa.UniqueConstraint("poll_id", "position", name="uq_poll_option_position"),
    )
    op.create_table(
        "poll_scrub",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "QUEUED",
                "RUNNING",
                "WAITING",
                "VERIFIED",
                name="scrub_state",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.String(length=40), nullable=True),
        sa.Column("detail", sa.String(length=300), nullable=False),
        sa.Column("seal_xid", sa.BigInteger(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("queued_at", governance.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", governance.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("checked_at", governance.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("verified_at", governance.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(state = 'VERIFIED') = (verified_at IS NOT NULL)", name="ck_poll_scrub_verified"
        ),
        sa.CheckConstraint(
            "state <> 'RUNNING' OR claimed_at IS NOT NULL", name="ck_poll_scrub_claim"
        ),
        sa.CheckConstraint("state <> 'WAITING' OR reason IS NOT NULL", name="ck_poll_scrub_reason"),
        sa.CheckConstraint("attempts >= 0", name="ck_poll_scrub_attempts"),
        sa.ForeignKeyConstraint(["poll_id"], ["poll.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("poll_id"),
    )
    with op.batch_alter_table("poll_scrub", schema=None) as batch_op:
        batch_op.create_index("ix_poll_scrub_state", ["state"], unique=False)

    # ### end Alembic commands ###
    for statement in TRIGGERS[op.get_bind().dialect.name]:
        op.execute(statement)


def downgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table("poll_scrub", schema=None) as batch_op:
        batch_op.drop_index("ix_poll_scrub_state")

    op.drop_table("poll_scrub")
    op.drop_table("poll_option")
    op.drop_table("poll_exclusion")
    op.drop_table("participation")
    op.drop_table("paper_count")
    op.drop_table("named_vote")
    with op.batch_alter_table("minutes_objection", schema=None) as batch_op:
        batch_op.drop_index("ix_minutes_objection_item")

    op.drop_table("minutes_objection")
    with op.batch_alter_table("ballot", schema=None) as batch_op:
        batch_op.drop_index("ix_ballot_poll_choice")

    op.drop_table("ballot")
    with op.batch_alter_table("poll", schema=None) as batch_op:
        batch_op.drop_index("ix_poll_state_close")
        batch_op.drop_index("ix_poll_assembly")

    op.drop_table("poll")
    op.drop_table("minutes_version")
    with op.batch_alter_table("minutes_approval", schema=None) as batch_op:
        batch_op.drop_index("ix_minutes_approval_minutes")

    op.drop_table("minutes_approval")
    with op.batch_alter_table("speaker", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_speaker_speaking",
            sqlite_where=sa.text("state = 'SPEAKING'"),
            postgresql_where=sa.text("state = 'SPEAKING'"),
        )
        batch_op.drop_index(
            "uq_speaker_open",
            sqlite_where=sa.text("state IN ('WAITING', 'SPEAKING')"),
            postgresql_where=sa.text("state IN ('WAITING', 'SPEAKING')"),
        )
        batch_op.drop_index("ix_speaker_item")

    op.drop_table("speaker")
    with op.batch_alter_table("proposal", schema=None) as batch_op:
        batch_op.drop_index("ix_proposal_member")
        batch_op.drop_index("ix_proposal_item")
        batch_op.drop_index("ix_proposal_assembly")

    op.drop_table("proposal")
    with op.batch_alter_table("minutes_render", schema=None) as batch_op:
        batch_op.drop_index("ix_minutes_render_status")
        batch_op.drop_index("ix_minutes_render_minutes")

    op.drop_table("minutes_render")
    op.drop_table("minutes_item")
    op.drop_table("demand_support")
    with op.batch_alter_table("agenda_attachment", schema=None) as batch_op:
        batch_op.drop_index("ix_attachment_item")

    op.drop_table("agenda_attachment")
    op.drop_table("roll_entry")
    with op.batch_alter_table("roll_correction", schema=None) as batch_op:
        batch_op.drop_index("ix_roll_correction_assembly")

    op.drop_table("roll_correction")
    op.drop_table("minutes")
    with op.batch_alter_table("minority_demand", schema=None) as batch_op:
        batch_op.drop_index("ix_demand_state")

    op.drop_table("minority_demand")
    op.drop_table("mandate")
    with op.batch_alter_table("convening_evidence", schema=None) as batch_op:
        batch_op.drop_index("ix_evidence_assembly")

    op.drop_table("convening_evidence")
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.drop_index("ix_attendance_seen")

    op.drop_table("attendance")
    op.drop_table("agenda_item")
    op.drop_table("user_role")
    with op.batch_alter_table("share_transaction", schema=None) as batch_op:
        batch_op.drop_index("ix_share_tx_member_date")
        batch_op.drop_index("ix_share_tx_date")

    op.drop_table("share_transaction")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_event_type")
        batch_op.drop_index("ix_audit_event_occurred")
        batch_op.drop_index("ix_audit_event_object")
        batch_op.drop_index("ix_audit_event_assembly")
        batch_op.drop_index("ix_audit_event_actor")

    op.drop_table("audit_event")
    with op.batch_alter_table("assembly", schema=None) as batch_op:
        batch_op.drop_index("ix_assembly_starts_at")

    op.drop_table("assembly")
    op.drop_table("user")
    op.drop_table("worker_heartbeat")
    op.drop_table("used_token")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_due")

    op.drop_table("outbox_message")
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_index("ix_member_status_name")
        batch_op.drop_index("ix_member_sort_name")
        batch_op.drop_index("ix_member_shares")
        batch_op.drop_index("ix_member_email")
        batch_op.drop_index("ix_member_eligibility")

    op.drop_table("member")
    # ### end Alembic commands ###
    if op.get_bind().dialect.name == "postgresql":
        for function in PG_FUNCTIONS:
            op.execute(f"DROP FUNCTION IF EXISTS {function}() CASCADE")
