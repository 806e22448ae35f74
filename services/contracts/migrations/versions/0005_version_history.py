"""Each contract version keeps what happened to it: issued, signed, superseded (and by which version)

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import fairpath.common.db
from alembic import op


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('contract_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('issued_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('signed_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('signature_method', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True))
        batch_op.add_column(sa.Column('superseded_at', fairpath.common.db.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('superseded_by', sa.Integer(), nullable=True))

    # What the contracts still say. An issued version that a change replaced had lost its issue time
    # on the contract: it is recorded as superseded, not as issued (nothing is invented).
    op.execute(
        """
        UPDATE contract_version SET issued_at = (
            SELECT c.issued_at FROM contract c
            WHERE c.id = contract_version.contract_id
              AND (c.issued_version = contract_version.number OR c.signed_version = contract_version.number)
        )
        """
    )
    op.execute(
        """
        UPDATE contract_version SET
            signed_at = (
                SELECT c.signed_at FROM contract c
                WHERE c.id = contract_version.contract_id AND c.signed_version = contract_version.number
            ),
            signature_method = (
                SELECT c.signature_method FROM contract c
                WHERE c.id = contract_version.contract_id AND c.signed_version = contract_version.number
            )
        """
    )
    op.execute(
        """
        UPDATE contract_version SET
            superseded_by = number + 1,
            superseded_at = (
                SELECT n.created_at FROM contract_version n
                WHERE n.contract_id = contract_version.contract_id AND n.number = contract_version.number + 1
            )
        WHERE EXISTS (
            SELECT 1 FROM contract_version n
            WHERE n.contract_id = contract_version.contract_id AND n.number = contract_version.number + 1
        )
        """
    )


def downgrade() -> None:
    with op.batch_alter_table('contract_version', schema=None) as batch_op:
        batch_op.drop_column('superseded_by')
        batch_op.drop_column('superseded_at')
        batch_op.drop_column('signature_method')
        batch_op.drop_column('signed_at')
        batch_op.drop_column('issued_at')
