"""The events the proposals domain announces to the domains above it (blinker signals).

Received by governance/notify/provides.py, which tells the members; proposals never imports it.
"""

from __future__ import annotations

from governance.hooks import signals

# Sent with the proposal and `session=` once it is submitted.
proposal_submitted = signals.signal("proposal-submitted")
# Sent with the proposal, `session=` and `previous=` (its former state) after each decision:
# admitted onto the agenda, rejected, referred, withdrawn, adopted.
proposal_decided = signals.signal("proposal-decided")
