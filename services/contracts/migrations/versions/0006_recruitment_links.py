"""Recruitment links: the agencies vetting names as each employer's recruiters (what references are reached by)

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('recruitment_link',
    sa.Column('employer_id', sa.Uuid(), nullable=False),
    sa.Column('agency_id', sa.Uuid(), nullable=False),
    sa.PrimaryKeyConstraint('employer_id', 'agency_id')
    )
    with op.batch_alter_table('recruitment_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recruitment_link_agency_id'), ['agency_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('recruitment_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recruitment_link_agency_id'))
    op.drop_table('recruitment_link')
