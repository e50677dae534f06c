"""Alembic environment: migrations run on the connection the store hands over, in its
transaction (`assay.store.migrate`), never from an ini file."""

from alembic import context
from sqlalchemy.engine import Connection

from assay.store.models import Base

connection: Connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
