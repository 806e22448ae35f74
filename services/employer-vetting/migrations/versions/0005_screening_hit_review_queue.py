"""screening hit review queue

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import fairpath.common.db
from alembic import op


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('screening_hit', schema=None) as batch_op:
        batch_op.create_index('ix_screening_hit_status', ['status', 'id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('screening_hit', schema=None) as batch_op:
        batch_op.drop_index('ix_screening_hit_status')

