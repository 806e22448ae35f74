"""Every table of the gateway, imported so that `metadata` is complete (migrations, drift test)."""

from fairpath.gateway.db import metadata

__all__ = ["metadata"]
