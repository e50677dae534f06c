"""The store API: open (and migrate) a store by URL, save an evaluation document in one
transaction, read the trend of a product across its releases."""

import logging
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from sqlalchemy import Engine, create_engine, delete, event, func, insert, select
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from assay.store.history import HISTORY_COLUMNS, history_entry, trend_point
from assay.store.migrate import NewerStoreError, upgrade
from assay.store.models import (
    Base,
    ComponentRow,
    EquivalenceRow,
    EvaluationRow,
    FindingRow,
    VulnerabilityRow,
)
from assay.store.rows import DocumentError, document_rows, product_of
from assay.store.url import StoreUrlError, default_store_url, display_url, store_url

log = logging.getLogger(__name__)
CHILD_TABLES = (ComponentRow, FindingRow, VulnerabilityRow)
TREND_POINTS = 50
EQUIVALENCE_COLUMNS = (
    "id",
    "vendor",
    "product",
    "release_version",
    "checked",
    "equivalent",
    "total",
    "vendor_input",
    "rebuilt_input",
    "document",
)


class StoreError(Exception):
    """The store cannot be opened, read or written; the message is one line for the user."""


class EvaluationStore:
    """A store of evaluations at a SQLAlchemy URL (SQLite file or PostgreSQL database)."""

    def __init__(self, url: str | None = None) -> None:
        try:
            self.url = store_url(url or default_store_url())
        except StoreUrlError as err:
            raise StoreError(str(err)) from err
        self.engine = _engine(self.url)
        try:
            upgrade(self.engine)
        except NewerStoreError as err:
            self.close()
            message = f"store {self.name} has a schema this assay does not know: {err}"
            raise StoreError(message) from err
        except SQLAlchemyError as err:
            self.close()
            raise StoreError(f"cannot open store {self.name}: {_reason(err)}") from err

    @property
    def name(self) -> str:
        """The store's URL with any password hidden."""
        return display_url(self.url)

    def save(self, document: dict[str, Any]) -> str:
        """Save one evaluation document (replacing an earlier save of the same evaluation) in one
        transaction; return its id in the store."""
        try:
            rows = document_rows(document)
        except (DocumentError, KeyError, ValueError) as err:
            raise StoreError(f"cannot save evaluation: {err}") from err
        key = rows.evaluation["id"]
        try:
            with Session(self.engine) as session, session.begin():
                for child in CHILD_TABLES:
                    session.execute(delete(child).where(child.evaluation_id == key))
                session.execute(delete(EvaluationRow).where(EvaluationRow.id == key))
                session.execute(insert(EvaluationRow), [rows.evaluation])
                self._insert(session, ComponentRow, rows.components)
                self._insert(session, FindingRow, rows.findings)
                self._insert(session, VulnerabilityRow, rows.vulnerabilities)
        except SQLAlchemyError as err:
            raise StoreError(f"cannot save to store {self.name}: {_reason(err)}") from err
        log.info("saved evaluation %s to %s", key, self.name)
        return str(key)

    @staticmethod
    def _insert(session: Session, table: type[Base], values: list[dict[str, Any]]) -> None:
        if values:
            session.execute(insert(table), values)

    def history(self, product: str, vendor: str | None = None) -> list[dict[str, Any]]:
        """Every saved evaluation of `product` (and `vendor` when given), oldest scan first."""
        query = select(*HISTORY_COLUMNS).where(EvaluationRow.product == product)
        if vendor is not None:
            query = query.where(EvaluationRow.vendor == vendor)
        query = query.order_by(EvaluationRow.started, EvaluationRow.id)
        try:
            with self.engine.connect() as connection:
                return [history_entry(dict(row._mapping)) for row in connection.execute(query)]
        except SQLAlchemyError as err:
            raise StoreError(f"cannot read store {self.name}: {_reason(err)}") from err

    def history_for(self, document: dict[str, Any]) -> list[dict[str, Any]]:
        """The trend of the document's product (the last 50 saved scans), small enough to embed
        in the document as `history` for the reports."""
        release = document.get("release") or {}
        entries = self.history(product_of(release), release.get("vendor"))
        return [trend_point(entry) for entry in entries[-TREND_POINTS:]]

    def document(self, evaluation_id: str) -> dict[str, Any] | None:
        """The full evaluation document saved under `evaluation_id`, or None."""
        query = select(EvaluationRow.document).where(EvaluationRow.id == evaluation_id)
        try:
            with self.engine.connect() as connection:
                found: dict[str, Any] | None = connection.execute(query).scalar_one_or_none()
        except SQLAlchemyError as err:
            raise StoreError(f"cannot read store {self.name}: {_reason(err)}") from err
        return found

    def latest_evaluation(
        self, product: str, version: str, vendor: str | None = None
    ) -> dict[str, Any] | None:
        """The document of the newest complete scan of one release (product, version and vendor
        compared case-insensitively; an evaluation saved without a vendor matches any vendor)."""
        query = (
            select(EvaluationRow.document, EvaluationRow.vendor)
            .where(func.lower(EvaluationRow.product) == product.lower())
            .where(func.lower(EvaluationRow.release_version) == version.lower())
            .where(EvaluationRow.complete)
            .order_by(EvaluationRow.started.desc(), EvaluationRow.id.desc())
        )
        for document, saved_vendor in self._rows(query):
            if vendor is None or saved_vendor is None or saved_vendor.lower() == vendor.lower():
                return dict(document)
        return None

    def save_equivalence(self, values: dict[str, Any]) -> str:
        """Save one equivalence run (the EquivalenceRow columns); return its id."""
        try:
            with Session(self.engine) as session, session.begin():
                session.execute(delete(EquivalenceRow).where(EquivalenceRow.id == values["id"]))
                session.execute(insert(EquivalenceRow), [values])
        except SQLAlchemyError as err:
            raise StoreError(f"cannot save to store {self.name}: {_reason(err)}") from err
        return str(values["id"])

    def latest_equivalence(
        self, product: str, version: str, vendor: str | None = None
    ) -> dict[str, Any] | None:
        """The newest equivalence run of one release: vendor, product, release_version, checked,
        equivalent, total and document; None when the release was never checked."""
        query = (
            select(EquivalenceRow)
            .where(func.lower(EquivalenceRow.product) == product.lower())
            .where(func.lower(EquivalenceRow.release_version) == version.lower())
            .order_by(EquivalenceRow.checked.desc(), EquivalenceRow.id.desc())
        )
        for (row,) in self._rows(query):
            if vendor is None or row.vendor is None or row.vendor.lower() == vendor.lower():
                return {column: getattr(row, column) for column in EQUIVALENCE_COLUMNS}
        return None

    def _rows(self, query: Any) -> list[Any]:
        try:
            with Session(self.engine) as session:
                return list(session.execute(query).all())
        except SQLAlchemyError as err:
            raise StoreError(f"cannot read store {self.name}: {_reason(err)}") from err

    def close(self) -> None:
        """Release the store's connections."""
        self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


def _engine(url: URL) -> Engine:
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    return create_engine(url, connect_args={"connect_timeout": 10}, pool_pre_ping=True)


def _sqlite_engine(url: URL) -> Engine:
    """A SQLite engine whose transactions cover DDL too (the driver's own transaction handling
    would commit each CREATE TABLE on its own) and that enforces foreign keys."""
    database = Path(url.database or "")
    try:
        database.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise StoreError(f"cannot create folder for store {database}: {err.strerror}") from err
    engine = create_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA foreign_keys = ON")

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")

    return engine


def _reason(err: SQLAlchemyError) -> str:
    """The driver's message of a database error, on one line."""
    original = getattr(err, "orig", None) or err
    return " ".join(str(original).split()) or type(original).__name__
