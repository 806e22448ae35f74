"""job order positions: the languages and years of experience the work asks

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op


revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Added in place (no batch copy of the table: contracts refer to its rows); a position recorded before asks
    # no language.
    op.add_column("job_position", sa.Column("languages", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
    op.add_column("job_position", sa.Column("min_years_experience", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("job_position", "min_years_experience")
    op.drop_column("job_position", "languages")
