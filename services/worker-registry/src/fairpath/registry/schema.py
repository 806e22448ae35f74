"""Every table of the service, imported so that `metadata` is complete (migrations, drift test)."""

from fairpath.registry.db import metadata
from fairpath.registry.reference import tables as _reference  # noqa: F401
from fairpath.registry.workers import tables as _workers  # noqa: F401

__all__ = ["metadata"]
