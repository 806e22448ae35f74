"""Alembic environment of the vetting service."""

from fairpath.common.migrations import run_env
from fairpath.vetting.schema import metadata

run_env(metadata)
