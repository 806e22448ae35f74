"""Alembic environment of the registry service."""

from fairpath.common.migrations import run_env
from fairpath.registry.all_tables import metadata

run_env(metadata)
