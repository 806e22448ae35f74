"""consent to share a profile is given per employer; an employer's recruiters (vetting's `recruiter_ids`)

A worker's consent `data_sharing_with_employer` was a blanket consent (`worker.shares_with_employers`): any
employer read the profile of any consenting worker. It is now given to one employer at a time
(`worker_employer_consent`, and `consent_record.business_id` names the employer of each grant or withdrawal).

An old blanket consent names no employer and cannot be tied to one: it is dropped to "no employer". The
purpose leaves the worker's `consents` (no employer sees the profile by consent until the worker consents
again, per employer); its consent records stay in the history with no `business_id`. The worker's version is
not bumped and no event is emitted for it (the migration runs outside the service; the next change of the
worker carries the consents as they are now).

`business_recruiter` keeps the recruitment relationships of vetting's business events (an employer's
`recruiter_ids`), for the reach of a business a request names.

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa

import fairpath.common.db
from alembic import op


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SHARING = 'data_sharing_with_employer'


def upgrade() -> None:
    op.create_table('worker_employer_consent',
    sa.Column('worker_id', sa.Uuid(), nullable=False),
    sa.Column('employer_id', sa.Uuid(), nullable=False),
    sa.Column('consent_record_id', sa.Uuid(), nullable=False),
    sa.Column('granted_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['worker_id'], ['worker.id'], ),
    sa.PrimaryKeyConstraint('worker_id', 'employer_id')
    )
    op.create_index('ix_worker_employer_consent_employer', 'worker_employer_consent', ['employer_id', 'worker_id'], unique=False)
    op.create_table('business_recruiter',
    sa.Column('employer_id', sa.Uuid(), nullable=False),
    sa.Column('agency_id', sa.Uuid(), nullable=False),
    sa.PrimaryKeyConstraint('employer_id', 'agency_id')
    )
    op.create_index('ix_business_recruiter_agency', 'business_recruiter', ['agency_id', 'employer_id'], unique=False)
    with op.batch_alter_table('consent_record', schema=None) as batch_op:
        batch_op.add_column(sa.Column('business_id', sa.Uuid(), nullable=True))

    # The blanket consent, dropped to "no employer".
    worker = sa.table('worker', sa.column('id', sa.Uuid()), sa.column('consents', sa.JSON()),
                      sa.column('shares_with_employers', sa.Boolean()))
    bind = op.get_bind()
    rows = bind.execute(sa.select(worker.c.id, worker.c.consents)).all()
    for worker_id, consents in rows:
        if consents and SHARING in consents:
            bind.execute(
                worker.update().where(worker.c.id == worker_id).values(consents=[p for p in consents if p != SHARING])
            )
    # ALTER TABLE .. DROP COLUMN in place (SQLite 3.35 and later too): a batch would copy the table, and
    # dropping the old copy fails on SQLite while other tables' rows refer to workers.
    op.drop_column('worker', 'shares_with_employers')


def downgrade() -> None:
    op.add_column('worker', sa.Column('shares_with_employers', sa.Boolean(), nullable=False, server_default=sa.false()))
    # Sharing with some employer becomes the blanket consent again (the purpose is in `consents` then).
    worker = sa.table('worker', sa.column('id', sa.Uuid()), sa.column('consents', sa.JSON()),
                      sa.column('shares_with_employers', sa.Boolean()))
    bind = op.get_bind()
    for worker_id, consents in bind.execute(sa.select(worker.c.id, worker.c.consents)).all():
        if consents and SHARING in consents and 'registration' in consents:
            bind.execute(worker.update().where(worker.c.id == worker_id).values(shares_with_employers=True))
    with op.batch_alter_table('consent_record', schema=None) as batch_op:
        batch_op.drop_column('business_id')

    op.drop_index('ix_business_recruiter_agency', table_name='business_recruiter')
    op.drop_table('business_recruiter')
    op.drop_index('ix_worker_employer_consent_employer', table_name='worker_employer_consent')
    op.drop_table('worker_employer_consent')
