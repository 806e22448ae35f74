"""fees, grievances, placements

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import fairpath.common.db
from alembic import op


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('placement',
    sa.Column('contract_id', sa.Uuid(), nullable=False),
    sa.Column('worker_id', sa.Uuid(), nullable=False),
    sa.Column('employer_id', sa.Uuid(), nullable=False),
    sa.Column('agency_ids', sa.JSON(), nullable=False),
    sa.Column('job_order_id', sa.Uuid(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('term', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('destination_country', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('occupation', sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
    sa.Column('sector', sqlmodel.sql.sqltypes.AutoString(length=1), nullable=True),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.Column('good_standing', sa.Boolean(), nullable=True),
    sa.Column('terminated_on', sa.Date(), nullable=True),
    sa.Column('termination_reason', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True),
    sa.Column('ended_by', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('rehire_eligible', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('contract_id')
    )
    with op.batch_alter_table('placement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_placement_employer_id'), ['employer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_placement_worker_id'), ['worker_id'], unique=False)

    op.create_table('retaliation_finding',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('contract_id', sa.Uuid(), nullable=False),
    sa.Column('worker_id', sa.Uuid(), nullable=False),
    sa.Column('employer_id', sa.Uuid(), nullable=False),
    sa.Column('grievance_id', sa.Uuid(), nullable=False),
    sa.Column('grievance_anonymous', sa.Boolean(), nullable=False),
    sa.Column('days_after_grievance', sa.Integer(), nullable=False),
    sa.Column('terminated_on', sa.Date(), nullable=False),
    sa.Column('detected_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('contract_id')
    )
    with op.batch_alter_table('retaliation_finding', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_retaliation_finding_employer_id'), ['employer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_retaliation_finding_worker_id'), ['worker_id'], unique=False)

    op.create_table('fee_report',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('worker_id', sa.Uuid(), nullable=False),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('amount_minor', sa.Integer(), nullable=False),
    sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('payment_method', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('paid_by', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('paid_to_business_id', sa.Uuid(), nullable=True),
    sa.Column('contract_id', sa.Uuid(), nullable=True),
    sa.Column('paid_on', sa.Date(), nullable=True),
    sa.Column('evidence_sealed', sa.Text(), nullable=True),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('reported_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('reported_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('finding', sa.Boolean(), nullable=False),
    sa.Column('finding_business_id', sa.Uuid(), nullable=True),
    sa.Column('reimbursement_status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('promised_by_date', sa.Date(), nullable=True),
    sa.Column('promised_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('reimbursed_amount_minor', sa.Integer(), nullable=True),
    sa.Column('reimbursed_on', sa.Date(), nullable=True),
    sa.Column('paid_recorded_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('confirmed_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('disputed_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['worker_id'], ['worker.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('fee_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fee_report_finding_business_id'), ['finding_business_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fee_report_paid_to_business_id'), ['paid_to_business_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fee_report_reimbursement_status'), ['reimbursement_status'], unique=False)
        batch_op.create_index(batch_op.f('ix_fee_report_worker_id'), ['worker_id'], unique=False)

    op.create_table('grievance',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('worker_id', sa.Uuid(), nullable=False),
    sa.Column('business_id', sa.Uuid(), nullable=True),
    sa.Column('contract_id', sa.Uuid(), nullable=True),
    sa.Column('fee_report_id', sa.Uuid(), nullable=True),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('filed_by_role', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('filed_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('alleged_indicators', sa.JSON(), nullable=False),
    sa.Column('description_sealed', sa.Text(), nullable=True),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=35), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('filed_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('acknowledge_by', fairpath.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('resolve_by', fairpath.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('acknowledged_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('decided_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('indicators', sa.JSON(), nullable=False),
    sa.Column('severity', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('decision_note_sealed', sa.Text(), nullable=True),
    sa.Column('resolved_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('resolved_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('remedies', sa.JSON(), nullable=False),
    sa.Column('remedy_note_sealed', sa.Text(), nullable=True),
    sa.Column('escalated_to', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True),
    sa.Column('escalation_reference', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('escalated_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('escalated_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('updated_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['worker_id'], ['worker.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('grievance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grievance_business_id'), ['business_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_grievance_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_grievance_worker_id'), ['worker_id'], unique=False)

    op.create_table('grievance_step',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('grievance_id', sa.Uuid(), nullable=False),
    sa.Column('step', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('at', fairpath.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['grievance_id'], ['grievance.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('grievance_step', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grievance_step_grievance_id'), ['grievance_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('grievance_step', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grievance_step_grievance_id'))

    op.drop_table('grievance_step')
    with op.batch_alter_table('grievance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grievance_worker_id'))
        batch_op.drop_index(batch_op.f('ix_grievance_status'))
        batch_op.drop_index(batch_op.f('ix_grievance_business_id'))

    op.drop_table('grievance')
    with op.batch_alter_table('fee_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fee_report_worker_id'))
        batch_op.drop_index(batch_op.f('ix_fee_report_reimbursement_status'))
        batch_op.drop_index(batch_op.f('ix_fee_report_paid_to_business_id'))
        batch_op.drop_index(batch_op.f('ix_fee_report_finding_business_id'))

    op.drop_table('fee_report')
    with op.batch_alter_table('retaliation_finding', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_retaliation_finding_worker_id'))
        batch_op.drop_index(batch_op.f('ix_retaliation_finding_employer_id'))

    op.drop_table('retaliation_finding')
    with op.batch_alter_table('placement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_placement_worker_id'))
        batch_op.drop_index(batch_op.f('ix_placement_employer_id'))

    op.drop_table('placement')
