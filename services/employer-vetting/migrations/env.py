"""Alembic environment of the vetting service."""

from fairpath.common.migrations import run_env
from fairpath.vetting.all_tables import metadata

run_env(metadata)
