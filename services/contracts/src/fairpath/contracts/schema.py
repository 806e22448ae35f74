"""Every table of the service, imported so that `metadata` is complete (migrations, drift test)."""

from fairpath.contracts.businesses import tables as _businesses  # noqa: F401
from fairpath.contracts.db import metadata

__all__ = ["metadata"]
