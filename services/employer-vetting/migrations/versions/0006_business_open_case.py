"""business open case: the vetting case open on a business, shown with it (review_open)

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('business', schema=None) as batch_op:
        batch_op.add_column(sa.Column('open_case_id', sa.Uuid(), nullable=True))
        batch_op.create_index(batch_op.f('ix_business_open_case_id'), ['open_case_id'], unique=False)
    # The cases open before this revision: each business names its open case.
    op.execute(
        "UPDATE business SET open_case_id = ("
        "SELECT vetting_case.id FROM vetting_case "
        "WHERE vetting_case.business_id = business.id AND vetting_case.status = 'open' "
        "ORDER BY vetting_case.opened_at DESC LIMIT 1)"
    )


def downgrade() -> None:
    with op.batch_alter_table('business', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_business_open_case_id'))
        batch_op.drop_column('open_case_id')
