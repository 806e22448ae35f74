"""screening hit: the listed entity's name as the list gave it when it matched (listed_name)

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op


revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('screening_hit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('listed_name', sa.String(length=500), nullable=True))
    # Hits raised before this revision take the entry's caption as it stands.
    op.execute(
        "UPDATE screening_hit SET listed_name = "
        "(SELECT caption FROM watchlist_entry WHERE watchlist_entry.id = screening_hit.entry_id)"
    )


def downgrade() -> None:
    with op.batch_alter_table('screening_hit', schema=None) as batch_op:
        batch_op.drop_column('listed_name')
