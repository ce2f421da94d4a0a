"""Linking an existing account to a member: only its holder can (issue #14).

The board's invitation to a member whose address belongs to an existing account mails that
account a signed link request; the holder opens it logged in and confirms. The request names
the member's address, so changing the address voids it; an administrator's account is never
linked (also a trigger, accounts/models.py).
"""

from __future__ import annotations

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlmodel import Session

from governance.accounts.models import User
from governance.errors import DomainError
from governance.i18n import _l
from governance.register.models import Member
from governance.register.services import check_linkable, link_user


def _link_serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="governance.member_link")


def link_token(secret_key: str, *, member: Member, user: User) -> str:
    """A signed request to link `user` to `member`, for the account's holder to confirm. It
    names the member's address: a later change of the address voids it."""
    payload = {"m": member.id, "u": user.id, "e": member.email, "s": user.security_stamp}
    return str(_link_serializer(secret_key).dumps(payload))


def link_request(
    session: Session, secret_key: str, *, token: str, user: User, max_age: int
) -> Member:
    """The member a link request asks `user` to be linked to, or a DomainError saying why not."""
    try:
        data = _link_serializer(secret_key).loads(token, max_age=max_age)
    except SignatureExpired:
        raise DomainError(_l("This link has expired. Please request a new one.")) from None
    except BadSignature:
        raise DomainError(_l("This link is invalid.")) from None
    if data.get("u") != user.id or data.get("s") != user.security_stamp:
        raise DomainError(
            _l("This link is for another account: log in with the account it was sent to.")
        )
    member = session.get(Member, data.get("m"))
    if member is None or member.email != data.get("e") or member.email != user.email:
        raise DomainError(_l("This link is no longer valid."))
    if user.member_id != member.id:
        check_linkable(user)
    return member


def confirm_link(
    session: Session, secret_key: str, *, token: str, user: User, max_age: int
) -> Member:
    """The account's holder confirms a link request: their account becomes the member's."""
    member = link_request(session, secret_key, token=token, user=user, max_age=max_age)
    link_user(session, member=member, user=user, actor=user)
    return member
