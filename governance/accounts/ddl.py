"""Trigger DDL of the accounts, per dialect, registered with `governance.ddl`."""

from governance.ddl import register

# An administrator's account is never a member's account (the board could otherwise hand the
# administrator a member's vote): neither link an ADMIN account nor make a linked account ADMIN.
_NO_ADMIN_MEMBER = "an administrator''s account cannot be linked to a member"
_HOLDS_ADMIN = "EXISTS (SELECT 1 FROM user_role r WHERE r.user_id = NEW.id AND r.role = 'ADMIN')"
_IS_LINKED = 'EXISTS (SELECT 1 FROM "user" u WHERE u.id = NEW.user_id AND u.member_id IS NOT NULL)'
register(
    "accounts_admin_not_member",
    sqlite=[
        'CREATE TRIGGER user_admin_not_member BEFORE UPDATE OF member_id ON "user" '
        f"WHEN NEW.member_id IS NOT NULL AND {_HOLDS_ADMIN} "
        f"BEGIN SELECT RAISE(ABORT, '{_NO_ADMIN_MEMBER}'); END",
        "CREATE TRIGGER user_role_admin_not_member BEFORE INSERT ON user_role "
        f"WHEN NEW.role = 'ADMIN' AND {_IS_LINKED} "
        f"BEGIN SELECT RAISE(ABORT, '{_NO_ADMIN_MEMBER}'); END",
        "CREATE TRIGGER user_role_admin_not_member_update BEFORE UPDATE ON user_role "
        f"WHEN NEW.role = 'ADMIN' AND {_IS_LINKED} "
        f"BEGIN SELECT RAISE(ABORT, '{_NO_ADMIN_MEMBER}'); END",
    ],
    postgresql=[
        # The role check locks the user row first: a concurrent link waits for it (and the
        # link's own row lock makes a concurrent role grant wait), so both are never let in.
        "CREATE OR REPLACE FUNCTION user_admin_not_member() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        "IF TG_TABLE_NAME = 'user' THEN "
        f"IF NEW.member_id IS NOT NULL AND {_HOLDS_ADMIN} THEN "
        f"RAISE EXCEPTION '{_NO_ADMIN_MEMBER}'; END IF; "
        "ELSIF NEW.role = 'ADMIN' THEN "
        'PERFORM 1 FROM "user" WHERE id = NEW.user_id FOR UPDATE; '
        f"IF {_IS_LINKED} THEN RAISE EXCEPTION '{_NO_ADMIN_MEMBER}'; END IF; "
        "END IF; RETURN NEW; END $$",
        'CREATE TRIGGER user_admin_not_member BEFORE INSERT OR UPDATE OF member_id ON "user" '
        "FOR EACH ROW EXECUTE FUNCTION user_admin_not_member()",
        "CREATE TRIGGER user_role_admin_not_member BEFORE INSERT OR UPDATE ON user_role "
        "FOR EACH ROW EXECUTE FUNCTION user_admin_not_member()",
    ],
)
