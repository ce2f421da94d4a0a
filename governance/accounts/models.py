"""Users and their roles."""

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, Integer, String
from sqlmodel import Field, Relationship, SQLModel

from governance.db import UTCDateTime, str_enum, utcnow
from governance.ddl import register


class Role(enum.StrEnum):
    """What a user may do; a user may hold several roles."""

    MEMBER = "MEMBER"
    BOARD = "BOARD"
    SUPERVISORY_BOARD = "SUPERVISORY_BOARD"
    SECRETARY = "SECRETARY"
    ADMIN = "ADMIN"


class UserRole(SQLModel, table=True):
    """One role held by one user."""

    __tablename__ = "user_role"

    user_id: int = Field(
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    )
    role: Role = Field(sa_column=Column(str_enum(Role, "role"), primary_key=True))
    user: "User" = Relationship(back_populates="role_rows")


class User(SQLModel, table=True):
    """A login: email and password hash, optionally linked to a member of the register."""

    __tablename__ = "user"
    __table_args__ = (CheckConstraint("email = lower(email)", name="ck_user_email_lower"),)

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(sa_column=Column(String(254), nullable=False, unique=True))
    display_name: str = Field(sa_column=Column(String(200), nullable=False, server_default=""))
    password_hash: str | None = Field(default=None, sa_column=Column(String(255), nullable=True))
    active: bool = Field(default=True, nullable=False)
    locale: str | None = Field(default=None, sa_column=Column(String(5), nullable=True))
    member_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("member.id", ondelete="SET NULL"), nullable=True, unique=True
        ),
    )
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    last_login_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    # Bumped on password change: invalidates sessions and outstanding reset links.
    security_stamp: int = Field(default=0, nullable=False)

    role_rows: list[UserRole] = Relationship(
        back_populates="user",
        sa_relationship_kwargs={"lazy": "selectin", "cascade": "all, delete-orphan"},
    )

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return bool(self.active)

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.security_stamp}"

    @property
    def roles(self) -> set[Role]:
        return {row.role for row in self.role_rows}

    def has_role(self, role: Role) -> bool:
        return role in self.roles

    def has_any_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))


class UsedToken(SQLModel, table=True):
    """A consumed single-use token (magic link, password reset); the primary key refuses reuse."""

    __tablename__ = "used_token"

    jti: str = Field(sa_column=Column(String(64), primary_key=True))
    used_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


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
