"""workers, consents, minimum age

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
    op.create_table('minimum_age_rule',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('origin_country', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=True),
    sa.Column('occupation', sqlmodel.sql.sqltypes.AutoString(length=4), nullable=True),
    sa.Column('minimum_age', sa.Integer(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('updated_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('updated_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('origin_country', 'occupation', name='uq_minimum_age_rule')
    )
    op.create_table('worker',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('agency_organization_id', sa.Uuid(), nullable=True),
    sa.Column('agency_business_id', sa.Uuid(), nullable=True),
    sa.Column('registered_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('full_name_sealed', sa.Text(), nullable=True),
    sa.Column('date_of_birth_sealed', sa.Text(), nullable=True),
    sa.Column('document_number_sealed', sa.Text(), nullable=True),
    sa.Column('phone_sealed', sa.Text(), nullable=True),
    sa.Column('document_kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('document_country', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=True),
    sa.Column('document_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('sex', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('nationality', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=True),
    sa.Column('origin_region', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('education', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True),
    sa.Column('consents', sa.JSON(), nullable=False),
    sa.Column('shares_with_employers', sa.Boolean(), nullable=False),
    sa.Column('currently_placed', sa.Boolean(), nullable=False),
    sa.Column('rehire_eligible', sa.Boolean(), nullable=False),
    sa.Column('pseudonym', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('erased_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('created_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('document_hash')
    )
    with op.batch_alter_table('worker', schema=None) as batch_op:
        batch_op.create_index('ix_worker_agency_id', ['agency_organization_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_worker_agency_organization_id'), ['agency_organization_id'], unique=False)
        batch_op.create_index('ix_worker_search_nationality', ['nationality', 'id'], unique=False)

    op.create_table('consent_record',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('worker_id', sa.Uuid(), nullable=False),
    sa.Column('purpose', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('granted', sa.Boolean(), nullable=False),
    sa.Column('method', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=35), nullable=False),
    sa.Column('given_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('recorded_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['worker_id'], ['worker.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('consent_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consent_record_worker_id'), ['worker_id'], unique=False)

    op.create_table('worker_language',
    sa.Column('worker_id', sa.Uuid(), nullable=False),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=35), nullable=False),
    sa.Column('proficiency', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('proficiency_rank', sa.Integer(), nullable=False),
    sa.Column('preference', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['worker_id'], ['worker.id'], ),
    sa.PrimaryKeyConstraint('worker_id', 'language')
    )
    with op.batch_alter_table('worker_language', schema=None) as batch_op:
        batch_op.create_index('ix_worker_language_search', ['language', 'worker_id'], unique=False)

    op.create_table('worker_skill',
    sa.Column('worker_id', sa.Uuid(), nullable=False),
    sa.Column('occupation', sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
    sa.Column('major', sqlmodel.sql.sqltypes.AutoString(length=1), nullable=False),
    sa.Column('sub_major', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=True),
    sa.Column('minor', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=True),
    sa.Column('unit', sqlmodel.sql.sqltypes.AutoString(length=4), nullable=True),
    sa.Column('level', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('level_rank', sa.Integer(), nullable=False),
    sa.Column('years_experience', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['worker_id'], ['worker.id'], ),
    sa.PrimaryKeyConstraint('worker_id', 'occupation')
    )
    with op.batch_alter_table('worker_skill', schema=None) as batch_op:
        batch_op.create_index('ix_worker_skill_major', ['major', 'level_rank', 'worker_id'], unique=False)
        batch_op.create_index('ix_worker_skill_minor', ['minor', 'level_rank', 'worker_id'], unique=False)
        batch_op.create_index('ix_worker_skill_sub_major', ['sub_major', 'level_rank', 'worker_id'], unique=False)
        batch_op.create_index('ix_worker_skill_unit', ['unit', 'level_rank', 'worker_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('worker_skill', schema=None) as batch_op:
        batch_op.drop_index('ix_worker_skill_unit')
        batch_op.drop_index('ix_worker_skill_sub_major')
        batch_op.drop_index('ix_worker_skill_minor')
        batch_op.drop_index('ix_worker_skill_major')

    op.drop_table('worker_skill')
    with op.batch_alter_table('worker_language', schema=None) as batch_op:
        batch_op.drop_index('ix_worker_language_search')

    op.drop_table('worker_language')
    with op.batch_alter_table('consent_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consent_record_worker_id'))

    op.drop_table('consent_record')
    with op.batch_alter_table('worker', schema=None) as batch_op:
        batch_op.drop_index('ix_worker_search_nationality')
        batch_op.drop_index(batch_op.f('ix_worker_agency_organization_id'))
        batch_op.drop_index('ix_worker_agency_id')

    op.drop_table('worker')
    op.drop_table('minimum_age_rule')
