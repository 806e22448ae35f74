"""Every table of the service, imported so that `metadata` is complete (migrations, drift test)."""

from fairpath.vetting.assessments import tables as _assessments  # noqa: F401
from fairpath.vetting.businesses import tables as _businesses  # noqa: F401
from fairpath.vetting.cases import tables as _cases  # noqa: F401
from fairpath.vetting.db import metadata
from fairpath.vetting.findings import tables as _findings  # noqa: F401
from fairpath.vetting.licences import tables as _licences  # noqa: F401
from fairpath.vetting.risk import tables as _risk  # noqa: F401
from fairpath.vetting.screening import tables as _screening  # noqa: F401
from fairpath.vetting.watchlists import tables as _watchlists  # noqa: F401

__all__ = ["metadata"]
