"""Secret ballots: polls, casting, the sealed ballot box, the count (design: ballots.md).

Modules: models (tables and triggers via rules), services (prepare, open, close, publish),
casting (one vote, one transaction), paper (ballots in the room), seal (rewrite and Merkle
root), recheck (an encrypted box checked again before its seal), tally (count and majorities),
decrypt (the tellers' decryption of an encrypted poll), verify (the secretary's checks),
trackers, choices.

Known limits (say them, do not hide them):
- The server sees each choice in plain text when it is cast; only encryption in the browser
  with keys off the server would prevent that.
- Until the seal, the two rows of a cast are linkable by someone with the database: on
  PostgreSQL by the shared xmin and the physical order, on SQLite through the WAL file. The
  seal rewrites the box (new xmin, order of the random trackers, participations by member),
  truncates the SQLite WAL and VACUUMs on PostgreSQL; the PostgreSQL WAL, replicas and backups
  taken before the seal keep the old rows. Keep voting windows short and statement logging
  (log_statement, log_min_duration_statement with parameters) off.
- A tracker published next to its choice is a receipt (vote selling, coercion). A poll can
  publish trackers only (setting GOVERNANCE_TRACKERS_ONLY_DEFAULT makes that the default);
  polls that must conform to BSI-CC-PP-0037 use it.
- Small electorates and unanimous results reveal votes: results are shown only after the
  close, never as a running tally (turnout only).
- Multiple votes (§43(3)) are cast as that many ordinary ballots, so they do not stand out.
- On PostgreSQL sealing a large box (5,000 ballots or more) locks the box tables, poll and
  member exclusively for about a second per 100,000 ballots: the app waits for it.
"""

from governance.ballots import (  # noqa: F401  (answers the questions of the domains below)
    provides,
    provides_seats,
)
