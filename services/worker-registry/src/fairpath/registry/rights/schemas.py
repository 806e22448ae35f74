"""API models of data-subject rights."""

import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from fairpath.registry.fees.schemas import FeeReportPublic
from fairpath.registry.grievances.schemas import GrievancePublic
from fairpath.registry.placements.schemas import PlacementPublic
from fairpath.registry.workers.schemas import ConsentPublic, RequestReference, WorkerPublic


class RetaliationFindingPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    contract_id: uuid.UUID
    employer_id: uuid.UUID
    grievance_id: uuid.UUID | None
    check_in_id: uuid.UUID | None
    days_after_grievance: int
    detected_at: datetime


class WorkerExport(BaseModel):
    """Everything the registry holds about one worker (GDPR Art. 15 and 20 style)."""

    exported_at: datetime
    worker: WorkerPublic
    consents: list[ConsentPublic] = Field(description="every grant and withdrawal, oldest first")
    fee_reports: list[FeeReportPublic]
    grievances: list[GrievancePublic]
    placements: list[PlacementPublic]
    retaliation_findings: list[RetaliationFindingPublic]


class ErasureReason(StrEnum):
    data_subject_request = "data_subject_request"
    consent_withdrawn = "consent_withdrawn"
    retention_period_ended = "retention_period_ended"


class ErasureRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {},
                {"reason": "data_subject_request", "request_reference": "DSR-2026-0117"},
            ]
        },
    )

    reason: ErasureReason = ErasureReason.data_subject_request
    request_reference: RequestReference | None = Field(
        default=None,
        description="the worker's recorded request: required when an admin or compliance officer erases",
    )


class ErasureReceipt(BaseModel):
    worker_id: uuid.UUID
    pseudonym: str
    erased_at: datetime
    erased: list[str] = Field(description="what is gone for good")
    kept: list[str] = Field(description="the compliance facts kept under the pseudonym")
