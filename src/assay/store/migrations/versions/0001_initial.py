"""The first schema: evaluations, components, findings, vulnerabilities."""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _evaluation_key() -> sa.Column[str]:
    return sa.Column(
        "evaluation_id",
        sa.String(80),
        sa.ForeignKey("evaluations.id", ondelete="CASCADE"),
        nullable=False,
    )


def _serial() -> sa.Column[int]:
    return sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True)


def upgrade() -> None:
    """Create the four tables and their indexes."""
    op.create_table(
        "evaluations",
        sa.Column("id", sa.String(80), primary_key=True),
        sa.Column("vendor", sa.Text(), nullable=True),
        sa.Column("product", sa.Text(), nullable=False),
        sa.Column("release_id", sa.String(64), nullable=False),
        sa.Column("release_name", sa.Text(), nullable=False),
        sa.Column("release_version", sa.Text(), nullable=True),
        sa.Column("release_sha256", sa.String(64), nullable=False),
        sa.Column("started", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tool_version", sa.String(50), nullable=False),
        sa.Column("vulndata_snapshot", sa.Date(), nullable=True),
        sa.Column("complete", sa.Boolean(), nullable=False),
        *(
            sa.Column(f"findings_{severity}", sa.Integer(), nullable=False)
            for severity in ("critical", "high", "medium", "low", "info")
        ),
        sa.Column("open_vulnerabilities", sa.Integer(), nullable=False),
        sa.Column("kev", sa.Integer(), nullable=False),
        sa.Column("components_count", sa.Integer(), nullable=False),
        sa.Column("hardening_coverage", sa.Float(), nullable=True),
        sa.Column("unsafe_ratio", sa.Float(), nullable=True),
        sa.Column("document", DOCUMENT, nullable=False),
    )
    op.create_index("ix_evaluations_product_started", "evaluations", ["product", "started"])
    op.create_table(
        "components",
        _serial(),
        _evaluation_key(),
        sa.Column("product", sa.Text(), nullable=False),
        sa.Column("version", sa.Text(), nullable=True),
        sa.Column("purl", sa.Text(), nullable=True),
        sa.Column("copies", sa.Integer(), nullable=False),
    )
    op.create_table(
        "findings",
        _serial(),
        _evaluation_key(),
        sa.Column("stable_id", sa.String(64), nullable=False),
        sa.Column("rule", sa.Text(), nullable=False),
        sa.Column("severity", sa.String(20), nullable=False),
        sa.Column("location", sa.Text(), nullable=True),
    )
    op.create_table(
        "vulnerabilities",
        _serial(),
        _evaluation_key(),
        sa.Column("stable_id", sa.String(64), nullable=False),
        sa.Column("cve", sa.String(100), nullable=False),
        sa.Column("product", sa.Text(), nullable=True),
        sa.Column("version", sa.Text(), nullable=True),
        sa.Column("severity", sa.String(20), nullable=True),
        sa.Column("kev", sa.Boolean(), nullable=False),
        sa.Column("epss", sa.Float(), nullable=True),
        sa.Column("triage_state", sa.String(40), nullable=True),
        sa.Column("open", sa.Boolean(), nullable=False),
    )
    for table in ("components", "findings", "vulnerabilities"):
        op.create_index(f"ix_{table}_evaluation_id", table, ["evaluation_id"])


def downgrade() -> None:
    """Drop the four tables."""
    for table in ("vulnerabilities", "findings", "components"):
        op.drop_index(f"ix_{table}_evaluation_id", table_name=table)
        op.drop_table(table)
    op.drop_index("ix_evaluations_product_started", table_name="evaluations")
    op.drop_table("evaluations")
