"""Alembic environment of the registry service."""

from fairpath.common.migrations import run_env
from fairpath.registry.schema import metadata

run_env(metadata)
