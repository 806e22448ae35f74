"""API models of the journey domain."""

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from fairpath.common.domain_codes import ContractParty
from fairpath.registry.checkins.schemas import CheckInPublic
from fairpath.registry.offers.schemas import OfferPublic


class ReturnPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    contract_id: uuid.UUID
    employer_id: uuid.UUID
    travel_date: date | None = Field(default=None, description="the day the worker travelled home, once recorded")
    paid_by: ContractParty | None = None
    confirmed_home_at: datetime | None = Field(default=None, description="when the worker confirmed they got home")
    rehire_eligible: bool


class InvitationPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    invitation_id: uuid.UUID
    employer_id: uuid.UUID
    job_order_id: uuid.UUID = Field(description="the next season's job order")
    previous_contract_id: uuid.UUID
    invited_at: datetime


class JourneyPublic(BaseModel):
    worker_id: uuid.UUID
    offers: list[OfferPublic] = Field(description="the offers made to the worker, pending ones first")
    check_ins: list[CheckInPublic] = Field(description="the post-arrival check-ins, in the order scheduled")
    returns: list[ReturnPublic] = Field(description="the journey home at each contract's end")
    invitations: list[InvitationPublic] = Field(description="invitations to a next season")
