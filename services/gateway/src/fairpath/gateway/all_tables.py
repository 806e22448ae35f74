"""Every table of the gateway, imported so that `metadata` is complete (migrations, drift test)."""

from fairpath.gateway.accounts import tables as _accounts  # noqa: F401
from fairpath.gateway.db import metadata
from fairpath.gateway.portal import tables as _portal  # noqa: F401

__all__ = ["metadata"]
