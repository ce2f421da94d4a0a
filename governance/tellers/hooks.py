"""What the tellers domain asks of the domains above it (answered in their `provides.py`).

Ballots sit above tellers: they answer here, so that tellers never imports them.
"""

from __future__ import annotations

from governance.hooks import Provider

# --- answered by ballots (governance/ballots/provides.py) -----------------------------------
# (session, *, assembly_id) -> bool: whether a secret poll of the assembly has been opened
# (a key ceremony must be ready before the first one opens).
secret_poll_opened: Provider = Provider("secret_poll_opened")
