"""Return and re-hire: a contract's return journey (recorded by the employer or agency, confirmed by the worker)
and the invitations of seasonal workers to the next season

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import fairpath.common.db
from alembic import op


revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "contract_return",
        sa.Column("contract_id", sa.Uuid(), nullable=False),
        sa.Column("travel_date", sa.Date(), nullable=True),
        sa.Column("paid_by", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("worker_paid_amount", sa.BigInteger(), nullable=True),
        sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=True),
        sa.Column("recorded_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("recorded_at", fairpath.common.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("confirmed_home_at", fairpath.common.db.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contract.id"],
        ),
        sa.PrimaryKeyConstraint("contract_id"),
    )
    op.create_table(
        "season_invitation",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("job_order_id", sa.Uuid(), nullable=False),
        sa.Column("previous_contract_id", sa.Uuid(), nullable=False),
        sa.Column("worker_id", sa.Uuid(), nullable=False),
        sa.Column("employer_id", sa.Uuid(), nullable=False),
        sa.Column("invited_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("invited_at", fairpath.common.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_order_id"],
            ["job_order.id"],
        ),
        sa.ForeignKeyConstraint(
            ["previous_contract_id"],
            ["contract.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("job_order_id", "worker_id", name="uq_season_invitation_worker"),
    )
    with op.batch_alter_table("season_invitation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_season_invitation_employer_id"), ["employer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_season_invitation_job_order_id"), ["job_order_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_season_invitation_previous_contract_id"), ["previous_contract_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_season_invitation_worker_id"), ["worker_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("season_invitation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_season_invitation_worker_id"))
        batch_op.drop_index(batch_op.f("ix_season_invitation_previous_contract_id"))
        batch_op.drop_index(batch_op.f("ix_season_invitation_job_order_id"))
        batch_op.drop_index(batch_op.f("ix_season_invitation_employer_id"))

    op.drop_table("season_invitation")
    op.drop_table("contract_return")
