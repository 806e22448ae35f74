"""Job orders, contracts and their versions, arrival verifications, reference tables, worker projection, business approval fields

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
    op.create_table('exchange_rate',
    sa.Column('base_currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('quote_currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('rate', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('updated_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('base_currency', 'quote_currency')
    )
    op.create_table('job_order',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('employer_id', sa.Uuid(), nullable=False),
    sa.Column('destination_country', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('sector', sqlmodel.sql.sqltypes.AutoString(length=1), nullable=False),
    sa.Column('reference', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('created_by_organization_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('job_order', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_order_employer_id'), ['employer_id'], unique=False)

    op.create_table('minimum_wage',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('country', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('sector', sqlmodel.sql.sqltypes.AutoString(length=1), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('period', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('updated_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('country', 'sector', name='uq_minimum_wage_country_sector')
    )
    with op.batch_alter_table('minimum_wage', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_minimum_wage_country'), ['country'], unique=False)

    op.create_table('worker_projection',
    sa.Column('worker_id', sa.Uuid(), nullable=False),
    sa.Column('consents', sa.JSON(), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('agency_id', sa.Uuid(), nullable=True),
    sa.Column('erased', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('worker_id')
    )
    op.create_table('working_time_limit',
    sa.Column('country', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('max_hours_per_week', sa.Float(), nullable=False),
    sa.Column('max_hours_per_day', sa.Float(), nullable=True),
    sa.Column('min_weekly_rest_days', sa.Integer(), nullable=False),
    sa.Column('min_annual_leave_days', sa.Integer(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('updated_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('country')
    )
    op.create_table('job_position',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('job_order_id', sa.Uuid(), nullable=False),
    sa.Column('occupation', sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('number_of_workers', sa.Integer(), nullable=False),
    sa.Column('pay_amount', sa.Integer(), nullable=False),
    sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('pay_period', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('normal_hours_per_day', sa.Float(), nullable=False),
    sa.Column('normal_hours_per_week', sa.Float(), nullable=False),
    sa.Column('weekly_rest_days', sa.Integer(), nullable=False),
    sa.Column('paid_annual_leave_days', sa.Integer(), nullable=False),
    sa.Column('duration_months', sa.Integer(), nullable=True),
    sa.Column('housing', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('food', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.ForeignKeyConstraint(['job_order_id'], ['job_order.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('job_position', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_position_job_order_id'), ['job_order_id'], unique=False)

    op.create_table('service_agreement',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('job_order_id', sa.Uuid(), nullable=False),
    sa.Column('agency_id', sa.Uuid(), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=False),
    sa.Column('employer_pays_all_costs', sa.Boolean(), nullable=False),
    sa.Column('reference', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.ForeignKeyConstraint(['job_order_id'], ['job_order.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('job_order_id', 'agency_id', name='uq_service_agreement_agency')
    )
    with op.batch_alter_table('service_agreement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_agreement_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_agreement_job_order_id'), ['job_order_id'], unique=False)

    op.create_table('contract',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('job_order_id', sa.Uuid(), nullable=False),
    sa.Column('position_id', sa.Uuid(), nullable=False),
    sa.Column('employer_id', sa.Uuid(), nullable=False),
    sa.Column('agency_ids', sa.JSON(), nullable=False),
    sa.Column('worker_id', sa.Uuid(), nullable=False),
    sa.Column('destination_country', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('sector', sqlmodel.sql.sqltypes.AutoString(length=1), nullable=False),
    sa.Column('occupation', sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
    sa.Column('term', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('departure_date', sa.Date(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('current_version', sa.Integer(), nullable=False),
    sa.Column('issued_version', sa.Integer(), nullable=True),
    sa.Column('issued_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('signed_version', sa.Integer(), nullable=True),
    sa.Column('signed_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('signature_method', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('activated_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('disputed_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.Column('good_standing', sa.Boolean(), nullable=True),
    sa.Column('terminated_on', sa.Date(), nullable=True),
    sa.Column('termination_reason', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('ended_by', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('warnings', sa.JSON(), nullable=False),
    sa.Column('created_by_organization_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['job_order_id'], ['job_order.id'], ),
    sa.ForeignKeyConstraint(['position_id'], ['job_position.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('contract', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contract_employer_id'), ['employer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contract_job_order_id'), ['job_order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contract_position_id'), ['position_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contract_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_contract_worker_id'), ['worker_id'], unique=False)

    op.create_table('arrival_verification',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('contract_id', sa.Uuid(), nullable=False),
    sa.Column('signed_version', sa.Integer(), nullable=False),
    sa.Column('presented_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('presented_terms', sa.JSON(), nullable=False),
    sa.Column('presented_worker_sealed', sa.Text(), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('substitution_found', sa.Boolean(), nullable=False),
    sa.Column('verified_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('verified_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['contract_id'], ['contract.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('arrival_verification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_arrival_verification_contract_id'), ['contract_id'], unique=False)

    op.create_table('contract_recruiter',
    sa.Column('contract_id', sa.Uuid(), nullable=False),
    sa.Column('agency_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['contract_id'], ['contract.id'], ),
    sa.PrimaryKeyConstraint('contract_id', 'agency_id')
    )
    with op.batch_alter_table('contract_recruiter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contract_recruiter_agency_id'), ['agency_id'], unique=False)

    op.create_table('contract_version',
    sa.Column('contract_id', sa.Uuid(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('terms', sa.JSON(), nullable=False),
    sa.Column('worker_sealed', sa.Text(), nullable=False),
    sa.Column('content_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('warnings', sa.JSON(), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('created_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['contract_id'], ['contract.id'], ),
    sa.PrimaryKeyConstraint('contract_id', 'number')
    )
    with op.batch_alter_table('business_projection', schema=None) as batch_op:
        batch_op.add_column(sa.Column('approval_expires_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('condition_deadline', fairpath.common.db.UtcDateTime(timezone=True), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('business_projection', schema=None) as batch_op:
        batch_op.drop_column('condition_deadline')
        batch_op.drop_column('approval_expires_at')

    op.drop_table('contract_version')
    with op.batch_alter_table('contract_recruiter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contract_recruiter_agency_id'))

    op.drop_table('contract_recruiter')
    with op.batch_alter_table('arrival_verification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_arrival_verification_contract_id'))

    op.drop_table('arrival_verification')
    with op.batch_alter_table('contract', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contract_worker_id'))
        batch_op.drop_index(batch_op.f('ix_contract_status'))
        batch_op.drop_index(batch_op.f('ix_contract_position_id'))
        batch_op.drop_index(batch_op.f('ix_contract_job_order_id'))
        batch_op.drop_index(batch_op.f('ix_contract_employer_id'))

    op.drop_table('contract')
    with op.batch_alter_table('service_agreement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_agreement_job_order_id'))
        batch_op.drop_index(batch_op.f('ix_service_agreement_agency_id'))

    op.drop_table('service_agreement')
    with op.batch_alter_table('job_position', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_position_job_order_id'))

    op.drop_table('job_position')
    op.drop_table('working_time_limit')
    op.drop_table('worker_projection')
    with op.batch_alter_table('minimum_wage', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_minimum_wage_country'))

    op.drop_table('minimum_wage')
    with op.batch_alter_table('job_order', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_order_employer_id'))

    op.drop_table('job_order')
    op.drop_table('exchange_rate')
