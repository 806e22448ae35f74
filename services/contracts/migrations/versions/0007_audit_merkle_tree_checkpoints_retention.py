"""audit: the Merkle tree over the chain, tombstones of pruned entries, signed checkpoints, signing keys, legal holds

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

from fairpath.common.migrations import create_audit_proof_tables, drop_audit_proof_tables

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_audit_proof_tables()


def downgrade() -> None:
    drop_audit_proof_tables()
