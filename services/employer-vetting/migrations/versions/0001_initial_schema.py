"""initial schema

Revision ID: 0001
Revises: 
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import fairpath.common.db
from fairpath.common.migrations import create_common_tables, drop_common_tables
from alembic import op


revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_common_tables()
    op.create_table('business',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('legal_name', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('name_key', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('other_names', sa.JSON(), nullable=False),
    sa.Column('country', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('registration_number', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('registration_key', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('sector', sqlmodel.sql.sqltypes.AutoString(length=1), nullable=True),
    sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=True),
    sa.Column('owner_organization_id', sa.Uuid(), nullable=True),
    sa.Column('registered_by', sa.Uuid(), nullable=False),
    sa.Column('created_at', fairpath.common.db.UtcDateTime(), nullable=False),
    sa.Column('updated_at', fairpath.common.db.UtcDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('country', 'registration_key', name='uq_business_registration')
    )
    with op.batch_alter_table('business', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_business_country'), ['country'], unique=False)
        batch_op.create_index(batch_op.f('ix_business_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_business_name_key'), ['name_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_business_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_business_owner_organization_id'), ['owner_organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_business_status'), ['status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('business', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_business_status'))
        batch_op.drop_index(batch_op.f('ix_business_owner_organization_id'))
        batch_op.drop_index(batch_op.f('ix_business_organization_id'))
        batch_op.drop_index(batch_op.f('ix_business_name_key'))
        batch_op.drop_index(batch_op.f('ix_business_kind'))
        batch_op.drop_index(batch_op.f('ix_business_country'))

    op.drop_table('business')
    drop_common_tables()
