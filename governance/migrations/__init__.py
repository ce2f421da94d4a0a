"""Alembic migrations; run with `governance db upgrade`."""
