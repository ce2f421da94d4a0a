"""What the accounts domain asks of the domains above it (answered in their `provides.py`)."""

from __future__ import annotations

from governance.hooks import Provider

# --- answered by notify (governance/notify/provides.py) -------------------------------------
# (session, *, user, limit) -> list of dicts (label, title, created_at, endpoint, values): the
# user's latest notifications, for the start page.
recent_notifications: Provider = Provider("recent_notifications")
