"""Alembic migrations for the state store, run by `StateStore` at start-up (SQLite and PostgreSQL alike)."""
