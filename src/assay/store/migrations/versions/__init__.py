"""The store's schema versions, oldest first (alembic revisions)."""
