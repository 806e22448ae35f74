"""Tables of the journey domain: contracts' returns and next-season invitations, as its events said."""

import uuid
from datetime import date, datetime

from sqlalchemy import Column
from sqlmodel import Field

from fairpath.common.db import EnumString, UtcDateTime
from fairpath.common.domain_codes import ContractParty
from fairpath.registry.db import RegistryModel


class ReturnJourney(RegistryModel, table=True):
    """The journey home at a contract's end (`contracts.contract.returned`), at the contract's version."""

    __tablename__ = "return_journey"

    contract_id: uuid.UUID = Field(primary_key=True)
    worker_id: uuid.UUID = Field(index=True)
    employer_id: uuid.UUID
    travel_date: date | None = None
    paid_by: ContractParty | None = Field(default=None, sa_type=EnumString(ContractParty, 20))
    confirmed_home_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    rehire_eligible: bool = False
    version: int
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class SeasonInvitation(RegistryModel, table=True):
    """A worker invited back by an employer for the next season (`contracts.worker.invited_to_next_season`)."""

    __tablename__ = "season_invitation"

    invitation_id: uuid.UUID = Field(primary_key=True)
    worker_id: uuid.UUID = Field(index=True)
    employer_id: uuid.UUID
    job_order_id: uuid.UUID
    previous_contract_id: uuid.UUID
    invited_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    version: int
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
