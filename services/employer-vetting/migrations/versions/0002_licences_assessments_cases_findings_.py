"""licences, assessments, cases, findings, risk, recruiters

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
    op.create_table('country_risk',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('country', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('sector', sqlmodel.sql.sqltypes.AutoString(length=1), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('updated_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('country', 'sector', name='uq_country_risk')
    )
    op.create_table('licence_register_entry',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('country', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('number_key', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('authority', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('holder_name', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('imported_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('country', 'number_key', name='uq_register_entry')
    )
    op.create_table('finding',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('business_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('principle', sqlmodel.sql.sqltypes.AutoString(length=1), nullable=False),
    sa.Column('severity', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('source_ref', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('created_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['business_id'], ['business.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('business_id', 'kind', 'source_ref', name='uq_finding_source')
    )
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_finding_business_id'), ['business_id'], unique=False)

    op.create_table('licence',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('business_id', sa.Uuid(), nullable=False),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('number_key', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('authority', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('country', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=False),
    sa.Column('register_status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('verified_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('created_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['business_id'], ['business.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('business_id', 'country', 'number_key', name='uq_licence')
    )
    with op.batch_alter_table('licence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_licence_business_id'), ['business_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_licence_number_key'), ['number_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_licence_valid_until'), ['valid_until'], unique=False)

    op.create_table('recruiter_link',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('employer_id', sa.Uuid(), nullable=False),
    sa.Column('agency_id', sa.Uuid(), nullable=False),
    sa.Column('sub_agent_of', sa.Uuid(), nullable=True),
    sa.Column('created_by', sa.Uuid(), nullable=False),
    sa.Column('created_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['business.id'], ),
    sa.ForeignKeyConstraint(['employer_id'], ['business.id'], ),
    sa.ForeignKeyConstraint(['sub_agent_of'], ['business.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('employer_id', 'agency_id', name='uq_recruiter_link')
    )
    with op.batch_alter_table('recruiter_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recruiter_link_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_recruiter_link_employer_id'), ['employer_id'], unique=False)

    op.create_table('self_assessment',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('business_id', sa.Uuid(), nullable=False),
    sa.Column('question_set', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('submitted_by', sa.Uuid(), nullable=False),
    sa.Column('submitted_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['business_id'], ['business.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('self_assessment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_self_assessment_business_id'), ['business_id'], unique=False)

    op.create_table('vetting_case',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('business_id', sa.Uuid(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('opened_by', sa.Uuid(), nullable=True),
    sa.Column('opened_reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('opened_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('decision', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True),
    sa.Column('decision_reason', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('conditions', sa.JSON(), nullable=False),
    sa.Column('condition_deadline', fairpath.common.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.Uuid(), nullable=True),
    sa.Column('decided_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('risk_at_decision', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['business_id'], ['business.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('vetting_case', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vetting_case_business_id'), ['business_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_vetting_case_status'), ['status'], unique=False)

    with op.batch_alter_table('business', schema=None) as batch_op:
        batch_op.add_column(sa.Column('approval_expires_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('condition_deadline', fairpath.common.db.UtcDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_business_approval_expires_at'), ['approval_expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_business_condition_deadline'), ['condition_deadline'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('business', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_business_condition_deadline'))
        batch_op.drop_index(batch_op.f('ix_business_approval_expires_at'))
        batch_op.drop_column('condition_deadline')
        batch_op.drop_column('approval_expires_at')

    with op.batch_alter_table('vetting_case', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vetting_case_status'))
        batch_op.drop_index(batch_op.f('ix_vetting_case_business_id'))

    op.drop_table('vetting_case')
    with op.batch_alter_table('self_assessment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_self_assessment_business_id'))

    op.drop_table('self_assessment')
    with op.batch_alter_table('recruiter_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recruiter_link_employer_id'))
        batch_op.drop_index(batch_op.f('ix_recruiter_link_agency_id'))

    op.drop_table('recruiter_link')
    with op.batch_alter_table('licence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_licence_valid_until'))
        batch_op.drop_index(batch_op.f('ix_licence_number_key'))
        batch_op.drop_index(batch_op.f('ix_licence_business_id'))

    op.drop_table('licence')
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_finding_business_id'))

    op.drop_table('finding')
    op.drop_table('licence_register_entry')
    op.drop_table('country_risk')
