"""Bring a store's schema to the version this assay ships (`alembic upgrade head`), in one
transaction, so a new assay migrates an old store and two processes never migrate at once."""

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Engine, text

SCRIPT_LOCATION = "assay.store:migrations"
MIGRATION_LOCK = 0x61737361  # PostgreSQL advisory lock key ("assa")


class NewerStoreError(RuntimeError):
    """The store's schema is a version this assay does not know (written by a newer assay)."""


def alembic_config() -> Config:
    """The alembic configuration of the shipped migrations (no ini file)."""
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    return config


def head_revision() -> str | None:
    """The newest schema version this assay ships."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The schema version a store is at (None for an empty database)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine) -> None:
    """Migrate the store to the head revision; a no-op when it is already there."""
    config = alembic_config()
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        config.attributes["connection"] = connection
        try:
            command.upgrade(config, "head")
        except CommandError as err:
            raise NewerStoreError(str(err)) from err
