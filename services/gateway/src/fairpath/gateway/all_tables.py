"""Every table of the gateway, imported so that `metadata` is complete (migrations, drift test)."""

from fairpath.gateway.db import metadata
from fairpath.gateway.organizations import tables as _organizations  # noqa: F401

__all__ = ["metadata"]
