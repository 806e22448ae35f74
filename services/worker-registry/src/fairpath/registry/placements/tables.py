"""Tables of the placements domain: a projection of contracts, and the retaliation findings drawn from it."""

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field

from fairpath.common.db import EnumString, UtcDateTime
from fairpath.common.domain_codes import ContractParty, ContractStatus, ContractTerm, TerminationReason
from fairpath.registry.db import RegistryModel


class Placement(RegistryModel, table=True):
    """A contract of a worker, as of the newest contracts event applied (its `version`)."""

    __tablename__ = "placement"

    contract_id: uuid.UUID = Field(primary_key=True)
    worker_id: uuid.UUID = Field(index=True)
    employer_id: uuid.UUID = Field(index=True)
    agency_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    job_order_id: uuid.UUID | None = None
    status: ContractStatus = Field(sa_type=EnumString(ContractStatus, 20))
    term: ContractTerm = Field(sa_type=EnumString(ContractTerm, 20))
    start_date: date
    end_date: date | None = None
    destination_country: str = Field(max_length=2)
    occupation: str = Field(max_length=4)
    sector: str | None = Field(default=None, max_length=1)
    completed_on: date | None = None
    good_standing: bool | None = None
    terminated_on: date | None = None
    termination_reason: TerminationReason | None = Field(default=None, sa_type=EnumString(TerminationReason, 30))
    ended_by: ContractParty | None = Field(default=None, sa_type=EnumString(ContractParty, 20))
    rehire_eligible: bool = False
    version: int
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class RetaliationFinding(RegistryModel, table=True):
    """A contract terminated within the window after a grievance its worker filed: a finding against the employer."""

    __tablename__ = "retaliation_finding"

    id: uuid.UUID = Field(primary_key=True)
    contract_id: uuid.UUID = Field(unique=True)
    worker_id: uuid.UUID = Field(index=True)
    employer_id: uuid.UUID = Field(index=True)
    grievance_id: uuid.UUID
    grievance_anonymous: bool
    days_after_grievance: int
    terminated_on: date
    detected_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
