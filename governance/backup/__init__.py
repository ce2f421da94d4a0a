"""Backups of an instance: the database, the uploads and the secret key in one archive.

`archive.py` writes and reads the archive (a tar.gz with a manifest of SHA-256 checksums),
`database.py` dumps and restores the database (SQLite: `VACUUM INTO` and the online backup
API; PostgreSQL: `pg_dump`/`pg_restore`), `commands.py` is `governance backup` and
`governance restore`. Infrastructure: what makes a backup unsafe right now (a poll whose
rows can still be linked) is asked through `hooks.backup_blockers`, answered by the ballots
domain.
"""
