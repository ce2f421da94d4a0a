"""The events the ballots domain announces to the domains above it (blinker signals).

Received by governance/notify/provides.py, which tells the members; ballots never imports it.
"""

from __future__ import annotations

from governance.hooks import signals

# Sent with the poll and `session=` once its result is declared and published.
poll_published = signals.signal("poll-published")
