"""background rescreening: an import's re-screening state (rescreening), and screenings found by import

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op


revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('watchlist_import', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rescreening', sa.String(length=20), nullable=True))
    # Imports before this revision re-screened within their request: those that changed the list are done.
    op.execute(
        "UPDATE watchlist_import SET rescreening = CASE "
        "WHEN status = 'completed' AND loaded + removed > 0 THEN 'completed' ELSE 'not_needed' END"
    )
    with op.batch_alter_table('watchlist_import', schema=None) as batch_op:
        batch_op.alter_column('rescreening', existing_type=sa.String(length=20), nullable=False)
    with op.batch_alter_table('screening', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_screening_import_id'), ['import_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('screening', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_screening_import_id'))
    with op.batch_alter_table('watchlist_import', schema=None) as batch_op:
        batch_op.drop_column('rescreening')
