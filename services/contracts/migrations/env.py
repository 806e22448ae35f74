"""Alembic environment of the contracts service."""

from fairpath.common.migrations import run_env
from fairpath.contracts.schema import metadata

run_env(metadata)
