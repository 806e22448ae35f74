"""linked businesses

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import fairpath.common.db
from alembic import op


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('linked_business',
    sa.Column('business_id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('business_id')
    )
    with op.batch_alter_table('linked_business', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_linked_business_organization_id'), ['organization_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('linked_business', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_linked_business_organization_id'))

    op.drop_table('linked_business')
