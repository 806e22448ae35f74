"""retaliation after a check-in: a finding rests on a grievance or on a check-in (check_in_id; grievance_id nullable)

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op


revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('retaliation_finding', schema=None) as batch_op:
        batch_op.add_column(sa.Column('check_in_id', sa.Uuid(), nullable=True))
        batch_op.alter_column('grievance_id', existing_type=sa.Uuid(), nullable=True)


def downgrade() -> None:
    # Findings on a check-in have no grievance: they cannot be kept in the older shape.
    op.execute("DELETE FROM retaliation_finding WHERE grievance_id IS NULL")
    with op.batch_alter_table('retaliation_finding', schema=None) as batch_op:
        batch_op.alter_column('grievance_id', existing_type=sa.Uuid(), nullable=False)
        batch_op.drop_column('check_in_id')
