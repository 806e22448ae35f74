"""journey: orientation sessions and attendance, deployment steps, post-arrival check-ins

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import fairpath.common.db
from alembic import op


revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('check_in',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('contract_id', sa.Uuid(), nullable=False),
    sa.Column('worker_id', sa.Uuid(), nullable=False),
    sa.Column('week', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('answered_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('paid_in_full_and_on_time', sa.Boolean(), nullable=True),
    sa.Column('passport_in_hand', sa.Boolean(), nullable=True),
    sa.Column('contract_is_the_one_signed', sa.Boolean(), nullable=True),
    sa.Column('paid_any_fee', sa.Boolean(), nullable=True),
    sa.Column('want_to_talk', sa.Boolean(), nullable=True),
    sa.Column('note_sealed', sa.Text(), nullable=True),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=35), nullable=True),
    sa.Column('grievance_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('check_in', schema=None) as batch_op:
        batch_op.create_index('ix_check_in_contract_week', ['contract_id', 'week'], unique=True)
        batch_op.create_index(batch_op.f('ix_check_in_due_on'), ['due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_check_in_worker_id'), ['worker_id'], unique=False)

    op.create_table('deployment_step',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('contract_id', sa.Uuid(), nullable=False),
    sa.Column('worker_id', sa.Uuid(), nullable=False),
    sa.Column('step', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=True),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.Column('payer', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('amount_minor', sa.Integer(), nullable=True),
    sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=True),
    sa.Column('fee_report_id', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('updated_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('deployment_step', schema=None) as batch_op:
        batch_op.create_index('ix_deployment_step_contract_step', ['contract_id', 'step'], unique=True)
        batch_op.create_index(batch_op.f('ix_deployment_step_worker_id'), ['worker_id'], unique=False)

    op.create_table('orientation_session',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('agency_organization_id', sa.Uuid(), nullable=True),
    sa.Column('agency_business_id', sa.Uuid(), nullable=True),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.Column('place', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('online', sa.Boolean(), nullable=False),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=35), nullable=False),
    sa.Column('topics', sa.JSON(), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('created_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('orientation_session', schema=None) as batch_op:
        batch_op.create_index('ix_orientation_session_agency', ['agency_organization_id', 'id'], unique=False)

    op.create_table('orientation_attendance',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('session_id', sa.Uuid(), nullable=False),
    sa.Column('worker_id', sa.Uuid(), nullable=False),
    sa.Column('recorded_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('recorded_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['orientation_session.id'], ),
    sa.ForeignKeyConstraint(['worker_id'], ['worker.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('orientation_attendance', schema=None) as batch_op:
        batch_op.create_index('ix_orientation_attendance_session_worker', ['session_id', 'worker_id'], unique=True)
        batch_op.create_index(batch_op.f('ix_orientation_attendance_worker_id'), ['worker_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('orientation_attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_orientation_attendance_worker_id'))
        batch_op.drop_index('ix_orientation_attendance_session_worker')

    op.drop_table('orientation_attendance')
    with op.batch_alter_table('orientation_session', schema=None) as batch_op:
        batch_op.drop_index('ix_orientation_session_agency')

    op.drop_table('orientation_session')
    with op.batch_alter_table('deployment_step', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deployment_step_worker_id'))
        batch_op.drop_index('ix_deployment_step_contract_step')

    op.drop_table('deployment_step')
    with op.batch_alter_table('check_in', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_check_in_worker_id'))
        batch_op.drop_index(batch_op.f('ix_check_in_due_on'))
        batch_op.drop_index('ix_check_in_contract_week')

    op.drop_table('check_in')
