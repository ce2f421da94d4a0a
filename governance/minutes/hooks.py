"""The events the minutes domain announces to the domains above it (blinker signals).

Received by governance/notify/provides.py, which tells the members; minutes never imports it.
"""

from __future__ import annotations

from governance.hooks import signals

# Sent with the MinutesVersion and `session=` once a version of the minutes is published.
minutes_published = signals.signal("minutes-published")
