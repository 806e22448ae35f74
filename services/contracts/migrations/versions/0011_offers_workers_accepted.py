"""offers workers accepted

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import fairpath.common.db
from alembic import op


revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('accepted_offer',
    sa.Column('offer_id', sa.Uuid(), nullable=False),
    sa.Column('worker_id', sa.Uuid(), nullable=False),
    sa.Column('recruiter_id', sa.Uuid(), nullable=False),
    sa.Column('job_order_id', sa.Uuid(), nullable=False),
    sa.Column('accepted_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('offer_id')
    )
    with op.batch_alter_table('accepted_offer', schema=None) as batch_op:
        batch_op.create_index('ix_accepted_offer_worker_recruiter', ['worker_id', 'recruiter_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('accepted_offer', schema=None) as batch_op:
        batch_op.drop_index('ix_accepted_offer_worker_recruiter')

    op.drop_table('accepted_offer')
