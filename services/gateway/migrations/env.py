"""Alembic environment of the gateway."""

from fairpath.common.migrations import run_env
from fairpath.gateway.schema import metadata

run_env(metadata)
