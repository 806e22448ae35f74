"""Tables of the placements domain: a projection of contracts (`Placement`, declared with the workers' tables,
whose reach reads it), and the retaliation findings drawn from it."""

import uuid
from datetime import date, datetime

from sqlalchemy import Column
from sqlmodel import Field

from fairpath.common.db import UtcDateTime
from fairpath.registry.db import RegistryModel
from fairpath.registry.workers.tables import Placement

__all__ = ["Placement", "RetaliationFinding"]


class RetaliationFinding(RegistryModel, table=True):
    """A contract terminated within the window after its worker filed a grievance or answered a check-in: a finding
    against the employer."""

    __tablename__ = "retaliation_finding"

    id: uuid.UUID = Field(primary_key=True)
    contract_id: uuid.UUID = Field(unique=True)
    worker_id: uuid.UUID = Field(index=True)
    employer_id: uuid.UUID = Field(index=True)
    # What the worker said before it: a grievance they filed, or a check-in they answered (one of the two).
    grievance_id: uuid.UUID | None = None
    check_in_id: uuid.UUID | None = None
    grievance_anonymous: bool
    days_after_grievance: int
    terminated_on: date
    detected_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
