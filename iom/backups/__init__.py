"""Backing the database up and restoring it (docs/backup.md): SQLite's online backup while the
service runs, PostgreSQL's pg_dump and pg_restore; a restore checks the copy's audit chain."""
