"""What the accounts domain (the lowest) asks of the domains above it.

The start page knows the moment: a vote waiting for the user, or the next assembly. The
assemblies domain answers in its `provides.py` (it asks ballots in turn through its own hooks).
"""

from __future__ import annotations

from governance.hooks import Provider

# --- answered by notify (governance/notify/provides.py) -------------------------------------
# (session, *, user, limit) -> list of dicts (label, title, created_at, endpoint, values): the
# user's latest notifications, for the start page.
recent_notifications: Provider = Provider("recent_notifications")

# --- answered by assemblies (governance/assemblies/provides.py) -----------------------------
# (session, *, user, now, proposal_deadline_days) -> dict | None: what the start page puts on
# top — {"vote": {...}} while a vote waits for the user, else {"next": {...}} for the next
# assembly they may see, else None.
start_moment: Provider = Provider("start_moment")

# --- answered by bodies (governance/bodies/provides.py) -------------------------------------
# (*, user_id, member_id, day) -> {Role.BOARD: expr, Role.SUPERVISORY_BOARD: expr}: for the
# user-id and member-id columns of an enclosing query, one SQL boolean per role (a correlated
# EXISTS) that is true when that person sits in the body of that kind on `day`. The roles BOARD
# and SUPERVISORY_BOARD follow the seats (issue #15); the user loader selects these with the
# user, in its one query.
seat_role_columns: Provider = Provider("seat_role_columns")

# (*, user_id, member_id) -> SQL boolean (a correlated EXISTS): that person holds or held a seat
# in any body. The nav shows the bodies' link by it on every page; the user loader selects it
# with the user, so no page asks again (issue #19).
sat_column: Provider = Provider("sat_column")

# (session, *, user, day) -> list of dicts (body_id, name, function, since): the user's seats
# on `day`, for the start page's card "my bodies".
my_bodies: Provider = Provider("my_bodies")
