"""Alembic environment of the contracts service."""

from fairpath.common.migrations import run_env
from fairpath.contracts.all_tables import metadata

run_env(metadata)
