"""API models of a business's contracts as the compliance dossier shows them."""

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from fairpath.contracts.contracts.schemas import TermChangeOut
from fairpath.contracts.contracts.tables import ContractState


class SubstitutionFinding(BaseModel):
    """An arrival verification that found terms less favourable than the signed ones."""

    verification_id: uuid.UUID
    contract_id: uuid.UUID
    worker_id: uuid.UUID = Field(description="pseudonymous: the worker's id, never who they are")
    worker_erased: bool = Field(description="the registry has erased the worker's personal data")
    employer_id: uuid.UUID
    signed_version: int
    contract_status: ContractState
    verified_by: str = Field(description="the officer who verified the arrival (role and user id)")
    verified_at: datetime
    changes: list[TermChangeOut] = Field(description="every changed term: signed and presented values, and why")


class BusinessContracts(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "business_id": "0190b3c6-8a7e-7b6c-9d3e-2f1a0b9c8d7e",
                    "total": 3,
                    "by_status": {"signed": 1, "active": 1, "disputed": 1},
                    "substitution_findings": [],
                }
            ]
        }
    )

    business_id: uuid.UUID
    total: int
    by_status: dict[ContractState, int] = Field(description="the business's contracts (as employer or recruiter)")
    substitution_findings: list[SubstitutionFinding]
