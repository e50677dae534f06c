"""The schema comes from the shipped alembic migrations: on an empty database, idempotently, and
exactly as the ORM tables describe it; bad URLs and unknown schemas are clear errors."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from assay.store import EvaluationStore, StoreError
from assay.store.migrate import current_revision, head_revision
from assay.store.models import Base
from assay.store.url import store_url as parse_store_url

TABLES = {
    "evaluations",
    "components",
    "findings",
    "vulnerabilities",
    "equivalence_checks",
    "alembic_version",
}


def test_migrations_on_an_empty_database_are_idempotent(store_url: str) -> None:
    engine = create_engine(parse_store_url(store_url))
    assert current_revision(engine) is None
    EvaluationStore(store_url).close()
    EvaluationStore(store_url).close()  # a second open migrates nothing
    assert current_revision(engine) == head_revision()
    assert set(inspect(engine).get_table_names()) == TABLES
    with engine.connect() as connection:
        versions = connection.execute(text("SELECT count(*) FROM alembic_version")).scalar_one()
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert versions == 1
    assert differences == []  # the migrations build exactly the ORM's tables


def test_a_store_from_a_newer_assay_is_refused(store_url: str) -> None:
    EvaluationStore(store_url).close()
    engine = create_engine(parse_store_url(store_url))
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(StoreError, match="schema this assay does not know"):
        EvaluationStore(store_url)


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("mysql://u:p@localhost/db", "unsupported database"),
        ("postgresql+asyncpg://u@h/db", "unsupported PostgreSQL driver"),
        ("sqlite://", "needs a file"),
        ("postgresql://assay:secret@127.0.0.1:1/none", "cannot open store"),
    ],
)
def test_bad_store_urls(url: str, words: str) -> None:
    with pytest.raises(StoreError, match=words) as caught:
        EvaluationStore(url)
    assert "secret" not in str(caught.value)
    assert "\n" not in str(caught.value)
