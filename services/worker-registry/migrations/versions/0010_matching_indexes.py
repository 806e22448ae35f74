"""matching: partial indexes of the workers matching may consider (active, consenting to registration, not placed)

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op


revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# fairpath.registry.matching.tables.MATCHABLE, as each database writes it.
POSTGRESQL_MATCHABLE = sa.text(
    """status = 'active' AND currently_placed = false """
    """AND CASE WHEN (CAST(consents AS TEXT) LIKE '%"registration"%') THEN true ELSE false END"""
)
SQLITE_MATCHABLE = sa.text(
    """status = 'active' AND currently_placed = 0 """
    """AND CASE WHEN (CAST(consents AS TEXT) LIKE '%"registration"%') THEN 1 ELSE 0 END = 1"""
)


def upgrade() -> None:
    with op.batch_alter_table('worker', schema=None) as batch_op:
        batch_op.create_index(
            'ix_worker_matchable_agency',
            ['agency_organization_id', 'id'],
            unique=False,
            postgresql_where=POSTGRESQL_MATCHABLE,
            sqlite_where=SQLITE_MATCHABLE,
        )
        batch_op.create_index(
            'ix_worker_matchable',
            ['id'],
            unique=False,
            postgresql_where=POSTGRESQL_MATCHABLE,
            sqlite_where=SQLITE_MATCHABLE,
        )


def downgrade() -> None:
    with op.batch_alter_table('worker', schema=None) as batch_op:
        batch_op.drop_index('ix_worker_matchable')
        batch_op.drop_index('ix_worker_matchable_agency')
