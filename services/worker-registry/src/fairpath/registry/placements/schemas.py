"""API models of the placements domain."""

import uuid
from datetime import date

from pydantic import BaseModel, ConfigDict

from fairpath.common.domain_codes import ContractParty, ContractStatus, ContractTerm, TerminationReason


class PlacementPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    contract_id: uuid.UUID
    worker_id: uuid.UUID
    employer_id: uuid.UUID
    agency_ids: list[uuid.UUID]
    job_order_id: uuid.UUID | None
    status: ContractStatus
    term: ContractTerm
    start_date: date
    end_date: date | None
    destination_country: str
    occupation: str
    completed_on: date | None
    good_standing: bool | None
    terminated_on: date | None
    termination_reason: TerminationReason | None
    ended_by: ContractParty | None
    rehire_eligible: bool
    version: int
