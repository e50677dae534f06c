"""The tables of the store (SQLAlchemy 2.0 typed ORM): one evaluation row with its headline numbers
and full document, and its components, findings and vulnerabilities as rows to query."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import DateTime

DOCUMENT_TYPE = JSON().with_variant(JSONB(), "postgresql")


def _evaluation_key() -> Mapped[str]:
    """The evaluation a row belongs to; deleting the evaluation deletes the row."""
    return mapped_column(String(80), ForeignKey("evaluations.id", ondelete="CASCADE"), index=True)


class Base(DeclarativeBase):
    """The declarative base of the store's tables."""


class EvaluationRow(Base):
    """One saved evaluation: who and what was evaluated, when, and the numbers a trend shows."""

    __tablename__ = "evaluations"
    __table_args__ = (Index("ix_evaluations_product_started", "product", "started"),)

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    vendor: Mapped[str | None] = mapped_column(Text())
    product: Mapped[str] = mapped_column(Text())
    release_id: Mapped[str] = mapped_column(String(64))
    release_name: Mapped[str] = mapped_column(Text())
    release_version: Mapped[str | None] = mapped_column(Text())
    release_sha256: Mapped[str] = mapped_column(String(64))
    started: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    tool_version: Mapped[str] = mapped_column(String(50))
    vulndata_snapshot: Mapped[date | None]
    complete: Mapped[bool]
    findings_critical: Mapped[int]
    findings_high: Mapped[int]
    findings_medium: Mapped[int]
    findings_low: Mapped[int]
    findings_info: Mapped[int]
    open_vulnerabilities: Mapped[int]
    kev: Mapped[int]
    components_count: Mapped[int]
    hardening_coverage: Mapped[float | None] = mapped_column(Float())
    unsafe_ratio: Mapped[float | None] = mapped_column(Float())
    document: Mapped[dict[str, Any]] = mapped_column(DOCUMENT_TYPE)


class ComponentRow(Base):
    """One component (product and version) of an evaluated release, with its copy count."""

    __tablename__ = "components"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    evaluation_id: Mapped[str] = _evaluation_key()
    product: Mapped[str] = mapped_column(Text())
    version: Mapped[str | None] = mapped_column(Text())
    purl: Mapped[str | None] = mapped_column(Text())
    copies: Mapped[int]


class FindingRow(Base):
    """One finding of a check in an evaluated release."""

    __tablename__ = "findings"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    evaluation_id: Mapped[str] = _evaluation_key()
    stable_id: Mapped[str] = mapped_column(String(64))
    rule: Mapped[str] = mapped_column(Text())
    severity: Mapped[str] = mapped_column(String(20))
    location: Mapped[str | None] = mapped_column(Text())


class VulnerabilityRow(Base):
    """One vulnerability matched to a component of an evaluated release, with its triage state."""

    __tablename__ = "vulnerabilities"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    evaluation_id: Mapped[str] = _evaluation_key()
    stable_id: Mapped[str] = mapped_column(String(64))
    cve: Mapped[str] = mapped_column(String(100))
    product: Mapped[str | None] = mapped_column(Text())
    version: Mapped[str | None] = mapped_column(Text())
    severity: Mapped[str | None] = mapped_column(String(20))
    kev: Mapped[bool]
    epss: Mapped[float | None] = mapped_column(Float())
    triage_state: Mapped[str | None] = mapped_column(String(40))
    open: Mapped[bool]


class EquivalenceRow(Base):
    """One `assay equiv` run of a vendor release against its rebuild: `equivalent` of `total`
    file pairs matched; `document` holds every pair's verdict."""

    __tablename__ = "equivalence_checks"
    __table_args__ = (
        Index("ix_equivalence_checks_release", "product", "release_version", "checked"),
    )

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    vendor: Mapped[str | None] = mapped_column(Text())
    product: Mapped[str] = mapped_column(Text())
    release_version: Mapped[str] = mapped_column(Text())
    checked: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    equivalent: Mapped[int]
    total: Mapped[int]
    vendor_input: Mapped[str] = mapped_column(Text())
    rebuilt_input: Mapped[str] = mapped_column(Text())
    document: Mapped[dict[str, Any]] = mapped_column(DOCUMENT_TYPE)
