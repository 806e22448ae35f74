"""Each contract version has a verification code, printed on its document, for the public check of a copy

Revision ID: 0008
Revises: 0007
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op


revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As fairpath.contracts.contracts.codes makes them (a migration keeps its own copy: the code may change later).
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _new_code() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(13))


def upgrade() -> None:
    with op.batch_alter_table('contract_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('verification_code', sqlmodel.sql.sqltypes.AutoString(length=13), nullable=True))

    # A code for every version made before: random, as for a new one.
    bind = op.get_bind()
    versions = sa.table(
        'contract_version',
        sa.column('contract_id', sa.Uuid()),
        sa.column('number', sa.Integer()),
        sa.column('verification_code', sa.String(13)),
    )
    keys = bind.execute(sa.select(versions.c.contract_id, versions.c.number)).all()
    given: set[str] = set()
    for contract_id, number in keys:
        code = _new_code()
        while code in given:
            code = _new_code()
        given.add(code)
        bind.execute(
            versions.update()
            .where(versions.c.contract_id == contract_id, versions.c.number == number)
            .values(verification_code=code)
        )

    with op.batch_alter_table('contract_version', schema=None) as batch_op:
        batch_op.alter_column(
            'verification_code', existing_type=sqlmodel.sql.sqltypes.AutoString(length=13), nullable=False
        )
        batch_op.create_index(batch_op.f('ix_contract_version_verification_code'), ['verification_code'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('contract_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contract_version_verification_code'))
        batch_op.drop_column('verification_code')
