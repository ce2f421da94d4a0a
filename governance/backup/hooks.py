"""What the backup asks of the domains above it (answered in `ballots/provides.py`)."""

from __future__ import annotations

from governance.hooks import Provider

# (session) -> list[str]: why a backup taken now would hold data that must not leave the
# database (a poll open or closed and not sealed, a sealed poll whose scrub is not verified);
# empty when nothing stands in the way. One short English sentence each, for the command line.
backup_blockers: Provider = Provider("backup_blockers")
