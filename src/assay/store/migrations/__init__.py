"""The alembic environment and schema versions of the store, shipped inside the package."""
