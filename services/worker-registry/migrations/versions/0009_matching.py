"""matching: job orders posted, consent to be considered per recruiter

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import fairpath.common.db
from alembic import op


revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('job_order_position',
    sa.Column('position_id', sa.Uuid(), nullable=False),
    sa.Column('job_order_id', sa.Uuid(), nullable=False),
    sa.Column('occupation', sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('number_of_workers', sa.Integer(), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('minimum_years', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('position_id')
    )
    with op.batch_alter_table('job_order_position', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_order_position_job_order_id'), ['job_order_id'], unique=False)

    op.create_table('job_order_projection',
    sa.Column('job_order_id', sa.Uuid(), nullable=False),
    sa.Column('employer_id', sa.Uuid(), nullable=False),
    sa.Column('agency_ids', sa.JSON(), nullable=False),
    sa.Column('destination_country', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('posted_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('job_order_id')
    )
    with op.batch_alter_table('job_order_projection', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_order_projection_employer_id'), ['employer_id'], unique=False)

    op.create_table('worker_recruiter_consent',
    sa.Column('worker_id', sa.Uuid(), nullable=False),
    sa.Column('recruiter_id', sa.Uuid(), nullable=False),
    sa.Column('consent_record_id', sa.Uuid(), nullable=False),
    sa.Column('granted_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['worker_id'], ['worker.id'], ),
    sa.PrimaryKeyConstraint('worker_id', 'recruiter_id')
    )
    with op.batch_alter_table('worker_recruiter_consent', schema=None) as batch_op:
        batch_op.create_index('ix_worker_recruiter_consent_recruiter', ['recruiter_id', 'worker_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('worker_recruiter_consent', schema=None) as batch_op:
        batch_op.drop_index('ix_worker_recruiter_consent_recruiter')

    op.drop_table('worker_recruiter_consent')
    with op.batch_alter_table('job_order_projection', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_order_projection_employer_id'))

    op.drop_table('job_order_projection')
    with op.batch_alter_table('job_order_position', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_order_position_job_order_id'))

    op.drop_table('job_order_position')
