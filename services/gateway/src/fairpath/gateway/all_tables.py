"""Every table of the gateway, imported so that `metadata` is complete (migrations, drift test)."""

from fairpath.gateway.accounts import tables as _accounts  # noqa: F401
from fairpath.gateway.db import metadata

__all__ = ["metadata"]
