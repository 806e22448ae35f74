"""Alembic environment of the gateway."""

from fairpath.common.migrations import run_env
from fairpath.gateway.all_tables import metadata

run_env(metadata)
