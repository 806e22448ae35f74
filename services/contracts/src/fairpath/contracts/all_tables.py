"""Every table of the service, imported so that `metadata` is complete (migrations, drift test)."""

from fairpath.contracts.businesses import tables as _businesses  # noqa: F401
from fairpath.contracts.contracts import tables as _contracts  # noqa: F401
from fairpath.contracts.db import metadata
from fairpath.contracts.job_orders import tables as _job_orders  # noqa: F401
from fairpath.contracts.reference import tables as _reference  # noqa: F401
from fairpath.contracts.reintegration import tables as _reintegration  # noqa: F401
from fairpath.contracts.workers import tables as _workers  # noqa: F401

__all__ = ["metadata"]
