"""Users and their roles.

MEMBER, SECRETARY and ADMIN are stored (`user_role`, granted by the administrator); BOARD and
SUPERVISORY_BOARD follow the user's seats on the day (issue #15): the bodies domain answers
`hooks.seat_role_columns` with one SQL expression per role, so the user loader selects them
with the user in one query (`fill_seat_roles` does the same for any set of users, and a user
loaded otherwise asks lazily, once, on the first look at its roles).
"""

import enum
from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, Integer, String, exists, select
from sqlalchemy.orm import Session, object_session
from sqlmodel import Field, Relationship, SQLModel

from governance.accounts import hooks
from governance.db import UTCDateTime, str_enum, utcnow
from governance.i18n import today


class Role(enum.StrEnum):
    """What a user may do; a user may hold several roles."""

    MEMBER = "MEMBER"
    BOARD = "BOARD"
    SUPERVISORY_BOARD = "SUPERVISORY_BOARD"
    SECRETARY = "SECRETARY"
    ADMIN = "ADMIN"


# Granted by the administrator and stored; the others follow the seats (SEAT_ROLES).
STORED_ROLES = (Role.MEMBER, Role.SECRETARY, Role.ADMIN)
SEAT_ROLES = (Role.BOARD, Role.SUPERVISORY_BOARD)
_SEAT_ROLES_KEY = "_seat_roles"  # the derived roles in the instance's __dict__ (not mapped)
_STORED_ROLES_KEY = "_stored_roles"  # the granted roles, as the loader's query found them
_SAT_KEY = "_sat_in_a_body"  # whether the user holds or held a seat, as the loader found it


class UserRole(SQLModel, table=True):
    """One role held by one user."""

    __tablename__ = "user_role"
    __table_args__ = (
        CheckConstraint("role IN ('MEMBER', 'SECRETARY', 'ADMIN')", name="ck_user_role_stored"),
    )

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
    def stored_roles(self) -> set[Role]:
        """The roles the administrator granted (MEMBER, SECRETARY, ADMIN): as the loader's
        query found them, until the rows themselves are loaded or changed."""
        if "role_rows" not in self.__dict__:
            held = self.__dict__.get(_STORED_ROLES_KEY)
            if held is not None:
                return set(held)
        return {row.role for row in self.role_rows}

    @property
    def seat_roles(self) -> frozenset[Role]:
        """BOARD / SUPERVISORY_BOARD from the user's seats today (asked once per instance)."""
        held = self.__dict__.get(_SEAT_ROLES_KEY)
        if held is None and self.id is None:
            return frozenset()  # not saved yet: no seat can name it
        if held is None:
            session = object_session(self)
            if session is None:
                raise RuntimeError(f"the seat roles of detached user {self.id} were not loaded")
            fill_seat_roles(session, [self])
            held = self.__dict__[_SEAT_ROLES_KEY]
        return frozenset(held)

    @property
    def roles(self) -> set[Role]:
        return self.stored_roles | self.seat_roles

    def has_role(self, role: Role) -> bool:
        # A stored role never asks for the seats (no query for MEMBER, SECRETARY, ADMIN).
        return role in (self.stored_roles if role in STORED_ROLES else self.seat_roles)

    def has_any_role(self, *roles: Role) -> bool:
        return any(self.has_role(role) for role in roles)


class UsedToken(SQLModel, table=True):
    """A consumed single-use token (magic link, password reset); the primary key refuses reuse."""

    __tablename__ = "used_token"

    jti: str = Field(sa_column=Column(String(64), primary_key=True))
    used_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


def seat_role_columns(day: date | None = None) -> dict[Role, object]:
    """One SQL boolean per seat role for the `user` row of the query (the bodies answer)."""
    columns = hooks.seat_role_columns(user_id=User.id, member_id=User.member_id, day=day or today())
    return {role: columns[role].label(f"seat_{role.value.lower()}") for role in SEAT_ROLES}


def stored_role_columns() -> dict[Role, object]:
    """One SQL boolean per granted role for the `user` row of the query (the loader's one
    query, instead of loading the role rows)."""
    return {
        role: exists()
        .where(UserRole.user_id == User.id, UserRole.role == role)
        .label(f"holds_{role.value.lower()}")
        for role in STORED_ROLES
    }


def set_stored_roles(user: User, roles: Iterable[Role]) -> None:
    """Store the granted roles on the instance, as the loader's query found them."""
    user.__dict__[_STORED_ROLES_KEY] = frozenset(roles)


def sat_column() -> object:
    """An SQL boolean for the `user` row of the query: the person holds or held a seat in any
    body (the bodies answer; the nav's link on every page, loaded with the user)."""
    return hooks.sat_column(user_id=User.id, member_id=User.member_id).label("sat_in_a_body")


def set_sat(user: User, sat: bool) -> None:
    """Store whether the user holds or held a seat, as the loader's query found it."""
    user.__dict__[_SAT_KEY] = bool(sat)


def loaded_sat(user: User) -> bool | None:
    """Whether the user holds or held a seat, if the loader found it; else None (ask)."""
    found = user.__dict__.get(_SAT_KEY)
    return None if found is None else bool(found)


def set_seat_roles(user: User, roles: Iterable[Role]) -> None:
    """Store the derived roles on the instance (the loader's part of its one query)."""
    user.__dict__[_SEAT_ROLES_KEY] = frozenset(roles)


def fill_seat_roles(session: Session, users: Iterable[User], day: date | None = None) -> None:
    """Derive the seat roles of these users on `day` (today) in one query."""
    by_id = {user.id: user for user in users if user.id is not None}
    if not by_id:
        return
    columns = seat_role_columns(day)
    rows = session.execute(
        select(User.id, *columns.values()).where(User.id.in_(list(by_id)))  # type: ignore[union-attr]
    )
    for user_id, *held in rows:
        set_seat_roles(by_id[user_id], [r for r, h in zip(columns, held, strict=True) if h])
