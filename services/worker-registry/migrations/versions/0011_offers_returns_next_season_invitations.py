"""offers, returns and next-season invitations

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
    op.create_table('return_journey',
    sa.Column('contract_id', sa.Uuid(), nullable=False),
    sa.Column('worker_id', sa.Uuid(), nullable=False),
    sa.Column('employer_id', sa.Uuid(), nullable=False),
    sa.Column('travel_date', sa.Date(), nullable=True),
    sa.Column('paid_by', sa.String(length=20), nullable=True),
    sa.Column('confirmed_home_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('rehire_eligible', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('contract_id')
    )
    with op.batch_alter_table('return_journey', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_return_journey_worker_id'), ['worker_id'], unique=False)

    op.create_table('season_invitation',
    sa.Column('invitation_id', sa.Uuid(), nullable=False),
    sa.Column('worker_id', sa.Uuid(), nullable=False),
    sa.Column('employer_id', sa.Uuid(), nullable=False),
    sa.Column('job_order_id', sa.Uuid(), nullable=False),
    sa.Column('previous_contract_id', sa.Uuid(), nullable=False),
    sa.Column('invited_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('invitation_id')
    )
    with op.batch_alter_table('season_invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_season_invitation_worker_id'), ['worker_id'], unique=False)

    op.create_table('offer',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('job_order_id', sa.Uuid(), nullable=False),
    sa.Column('position_id', sa.Uuid(), nullable=False),
    sa.Column('worker_id', sa.Uuid(), nullable=False),
    sa.Column('recruiter_id', sa.Uuid(), nullable=False),
    sa.Column('own_worker', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('withdrawal_reason', sa.String(length=30), nullable=True),
    sa.Column('made_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('made_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('closed_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('created_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['worker_id'], ['worker.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('offer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offer_job_order_id'), ['job_order_id'], unique=False)
        batch_op.create_index('ix_offer_recruiter', ['recruiter_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_offer_worker_id'), ['worker_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('offer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_offer_worker_id'))
        batch_op.drop_index('ix_offer_recruiter')
        batch_op.drop_index(batch_op.f('ix_offer_job_order_id'))

    op.drop_table('offer')
    with op.batch_alter_table('season_invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_season_invitation_worker_id'))

    op.drop_table('season_invitation')
    with op.batch_alter_table('return_journey', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_return_journey_worker_id'))

    op.drop_table('return_journey')
