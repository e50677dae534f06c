"""Binary-equivalence results of releases, so the network view can show failed equivalence."""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    """Create the equivalence_checks table."""
    op.create_table(
        "equivalence_checks",
        sa.Column("id", sa.String(80), primary_key=True),
        sa.Column("vendor", sa.Text(), nullable=True),
        sa.Column("product", sa.Text(), nullable=False),
        sa.Column("release_version", sa.Text(), nullable=False),
        sa.Column("checked", sa.DateTime(timezone=True), nullable=False),
        sa.Column("equivalent", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("vendor_input", sa.Text(), nullable=False),
        sa.Column("rebuilt_input", sa.Text(), nullable=False),
        sa.Column("document", DOCUMENT, nullable=False),
    )
    op.create_index(
        "ix_equivalence_checks_release",
        "equivalence_checks",
        ["product", "release_version", "checked"],
    )


def downgrade() -> None:
    """Drop the equivalence_checks table."""
    op.drop_index("ix_equivalence_checks_release", table_name="equivalence_checks")
    op.drop_table("equivalence_checks")
