"""watchlists and screening

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
    op.create_table('watchlist',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('created_by', sa.Uuid(), nullable=False),
    sa.Column('created_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name', name='uq_watchlist_name')
    )
    with op.batch_alter_table('watchlist', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_watchlist_kind'), ['kind'], unique=False)

    op.create_table('watchlist_entry',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('watchlist_id', sa.Uuid(), nullable=False),
    sa.Column('entity_id', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('schema_name', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('caption', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('properties', sa.JSON(), nullable=False),
    sa.Column('content_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('changed_import_id', sa.Uuid(), nullable=False),
    sa.Column('seen_import_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('removed_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['watchlist_id'], ['watchlist.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('watchlist_id', 'entity_id', name='uq_watchlist_entry_entity')
    )
    with op.batch_alter_table('watchlist_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_watchlist_entry_changed_import_id'), ['changed_import_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_watchlist_entry_watchlist_id'), ['watchlist_id'], unique=False)

    op.create_table('watchlist_import',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('watchlist_id', sa.Uuid(), nullable=False),
    sa.Column('format', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('mode', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('bytes_total', sa.Integer(), nullable=True),
    sa.Column('bytes_read', sa.Integer(), nullable=False),
    sa.Column('lines_read', sa.Integer(), nullable=False),
    sa.Column('loaded', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('skipped', sa.Integer(), nullable=False),
    sa.Column('rejected', sa.Integer(), nullable=False),
    sa.Column('removed', sa.Integer(), nullable=False),
    sa.Column('rescreened_businesses', sa.Integer(), nullable=False),
    sa.Column('new_hits', sa.Integer(), nullable=False),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('started_by', sa.Uuid(), nullable=False),
    sa.Column('started_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['watchlist_id'], ['watchlist.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('watchlist_import', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_watchlist_import_watchlist_id'), ['watchlist_id'], unique=False)

    op.create_table('screening',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('business_id', sa.Uuid(), nullable=False),
    sa.Column('trigger', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('import_id', sa.Uuid(), nullable=True),
    sa.Column('threshold', sa.Float(), nullable=False),
    sa.Column('candidates_scored', sa.Integer(), nullable=False),
    sa.Column('hits_raised', sa.Integer(), nullable=False),
    sa.Column('screened_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('screened_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['business_id'], ['business.id'], ),
    sa.ForeignKeyConstraint(['import_id'], ['watchlist_import.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('screening', schema=None) as batch_op:
        batch_op.create_index('ix_screening_business_screened_at', ['business_id', 'screened_at'], unique=False)

    op.create_table('watchlist_import_rejection',
    sa.Column('import_id', sa.Uuid(), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.ForeignKeyConstraint(['import_id'], ['watchlist_import.id'], ),
    sa.PrimaryKeyConstraint('import_id', 'line')
    )
    op.create_table('watchlist_name_key',
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('entry_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['watchlist_entry.id'], ),
    sa.PrimaryKeyConstraint('key', 'entry_id')
    )
    with op.batch_alter_table('watchlist_name_key', schema=None) as batch_op:
        batch_op.create_index('ix_watchlist_name_key_entry', ['entry_id'], unique=False)

    op.create_table('screening_hit',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('business_id', sa.Uuid(), nullable=False),
    sa.Column('screening_id', sa.Uuid(), nullable=False),
    sa.Column('watchlist_id', sa.Uuid(), nullable=False),
    sa.Column('watchlist_kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('entry_id', sa.Uuid(), nullable=False),
    sa.Column('entity_id', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('entry_content_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('explanation', sa.JSON(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('created_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('resolved_by', sa.Uuid(), nullable=True),
    sa.Column('resolved_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('resolution_reason', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['business_id'], ['business.id'], ),
    sa.ForeignKeyConstraint(['entry_id'], ['watchlist_entry.id'], ),
    sa.ForeignKeyConstraint(['screening_id'], ['screening.id'], ),
    sa.ForeignKeyConstraint(['watchlist_id'], ['watchlist.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('business_id', 'entry_id', 'entry_content_hash', name='uq_screening_hit_entry_version')
    )
    with op.batch_alter_table('screening_hit', schema=None) as batch_op:
        batch_op.create_index('ix_screening_hit_business_status', ['business_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_screening_hit_entry_id'), ['entry_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('screening_hit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_screening_hit_entry_id'))
        batch_op.drop_index('ix_screening_hit_business_status')

    op.drop_table('screening_hit')
    with op.batch_alter_table('watchlist_name_key', schema=None) as batch_op:
        batch_op.drop_index('ix_watchlist_name_key_entry')

    op.drop_table('watchlist_name_key')
    op.drop_table('watchlist_import_rejection')
    with op.batch_alter_table('screening', schema=None) as batch_op:
        batch_op.drop_index('ix_screening_business_screened_at')

    op.drop_table('screening')
    with op.batch_alter_table('watchlist_import', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_watchlist_import_watchlist_id'))

    op.drop_table('watchlist_import')
    with op.batch_alter_table('watchlist_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_watchlist_entry_watchlist_id'))
        batch_op.drop_index(batch_op.f('ix_watchlist_entry_changed_import_id'))

    op.drop_table('watchlist_entry')
    with op.batch_alter_table('watchlist', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_watchlist_kind'))

    op.drop_table('watchlist')
