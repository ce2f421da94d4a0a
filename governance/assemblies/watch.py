"""Watch passes: a short-lived signed grant to follow one assembly's live page.

During a vote thousands of members keep the live page open; it asks for the live state every
few seconds and sends a heartbeat. Loading the user and checking the roll on each of those
requests would cost more than the answer itself. So the full check (login, security stamp,
on the roll or staff) runs when the page is rendered and then every REFRESH_SECONDS; it issues
a pass that the page sends back in the ``X-Watch-Pass`` header. A pass names the assembly, the
login it was issued to (the session's login id) and the member whose presence a heartbeat may
record (only for members on the roll of a remote assembly). It is accepted only together with
the same login in the signed session cookie, so logging out ends it at once; a deactivated
user or a changed password ends it at the next full check, at most REFRESH_SECONDS later.

A custom header cannot be set by another site without a CORS preflight, which this app never
grants; the heartbeat additionally carries its CSRF token.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from itsdangerous import BadSignature, URLSafeTimedSerializer

HEADER = "X-Watch-Pass"
SALT = "governance.assemblies.watch-pass"
REFRESH_SECONDS = 300  # after this the next request takes the full check and gets a new pass
MAX_AGE_SECONDS = 2 * REFRESH_SECONDS


@dataclass(frozen=True)
class WatchPass:
    """What a valid pass grants, and how old it is."""

    assembly_id: int
    login: str
    member_id: int | None
    age_seconds: float

    @property
    def fresh(self) -> bool:
        """Young enough to skip the full check."""
        return self.age_seconds < REFRESH_SECONDS


@lru_cache(maxsize=4)
def _serializer(secret: str | bytes) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=SALT)  # built once per secret: every live request


def issue(secret: str | bytes, *, assembly_id: int, login: str, member_id: int | None) -> str:
    """A pass for `login` to watch `assembly_id` (and, with member_id, to send heartbeats)."""
    return _serializer(secret).dumps([assembly_id, login, member_id])


def check(
    secret: str | bytes, token: str | None, *, assembly_id: int, login: str | None, now: float
) -> WatchPass | None:
    """The pass if it is genuine, not expired, for this assembly and this login; else None."""
    if not token or not login or len(token) > 512:
        return None
    try:
        data, signed_at = _serializer(secret).loads(
            token, max_age=MAX_AGE_SECONDS, return_timestamp=True
        )
    except BadSignature:  # also SignatureExpired
        return None
    if not (isinstance(data, list) and len(data) == 3):
        return None
    pass_assembly, pass_login, member_id = data
    if pass_assembly != assembly_id or pass_login != login:
        return None
    if member_id is not None and not isinstance(member_id, int):
        return None
    age = max(0.0, now - signed_at.timestamp())
    return WatchPass(assembly_id, login, member_id, age)
