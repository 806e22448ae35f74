"""Every table of the service, imported so that `metadata` is complete (migrations, drift test)."""

from fairpath.vetting.businesses import tables as _businesses  # noqa: F401
from fairpath.vetting.db import metadata

__all__ = ["metadata"]
