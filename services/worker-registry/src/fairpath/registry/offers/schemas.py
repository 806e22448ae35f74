"""API models of the offers domain."""

import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from fairpath.registry.workers.schemas import WorkerPublic


class OfferStatus(StrEnum):
    pending = "pending"  # waiting for the worker's answer
    accepted = "accepted"
    declined = "declined"
    withdrawn = "withdrawn"


class WithdrawalReason(StrEnum):
    by_recruiter = "by_recruiter"
    # The worker withdrew their consent to be considered by the recruiter (or to registration), or was erased.
    consent_withdrawn = "consent_withdrawn"


class OfferCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "job_order_id": "0192f0c4-5b6a-7e00-8000-000000000010",
                    "worker_id": "0192f0c4-5b6a-7e00-8000-000000000020",
                    "position_id": "0192f0c4-5b6a-7e00-8000-000000000011",
                }
            ]
        },
    )

    job_order_id: uuid.UUID
    worker_id: uuid.UUID = Field(description="a candidate of the caller's shortlist for the job order")
    position_id: uuid.UUID = Field(description="the job order's position offered (`position_id` of the shortlist)")


class OfferPublic(BaseModel):
    id: uuid.UUID
    job_order_id: uuid.UUID
    position_id: uuid.UUID
    position_title: str | None = Field(default=None, description="the position as the job order names it")
    occupation: str | None = Field(default=None, description="the position's ISCO-08 occupation")
    destination_country: str | None = None
    worker_id: uuid.UUID
    recruiter_id: uuid.UUID = Field(description="the business (agency or employer) that made the offer")
    own_worker: bool = Field(description="the worker was registered by the recruiting agency")
    status: OfferStatus
    withdrawal_reason: WithdrawalReason | None = None
    made_at: datetime
    closed_at: datetime | None = Field(default=None, description="when it was accepted, declined or withdrawn")
    worker: WorkerPublic | None = Field(
        default=None,
        description="to the recruiter, while the offer is pending or accepted: the full record of its own worker, "
        "else the profile view",
    )
    version: int
