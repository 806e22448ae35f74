"""Every table of the service, imported so that `metadata` is complete (migrations, drift test)."""

from fairpath.registry.businesses import tables as _businesses  # noqa: F401
from fairpath.registry.checkins import tables as _checkins  # noqa: F401
from fairpath.registry.db import metadata
from fairpath.registry.deployment import tables as _deployment  # noqa: F401
from fairpath.registry.fees import tables as _fees  # noqa: F401
from fairpath.registry.grievances import tables as _grievances  # noqa: F401
from fairpath.registry.journey import tables as _journey  # noqa: F401
from fairpath.registry.matching import tables as _matching  # noqa: F401
from fairpath.registry.offers import tables as _offers  # noqa: F401
from fairpath.registry.orientation import tables as _orientation  # noqa: F401
from fairpath.registry.placements import tables as _placements  # noqa: F401
from fairpath.registry.reference import tables as _reference  # noqa: F401
from fairpath.registry.workers import tables as _workers  # noqa: F401

__all__ = ["metadata"]
