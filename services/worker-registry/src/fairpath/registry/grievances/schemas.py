"""API models of the grievances domain."""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from fairpath.common.auth import Role
from fairpath.common.domain_codes import EscalationBody, ForcedLabourIndicator, Remedy, Severity
from fairpath.common.reference import LanguageTag
from fairpath.common.text import prose, single_line


class GrievanceStatus(StrEnum):
    received = "received"
    under_investigation = "under_investigation"
    substantiated = "substantiated"
    unsubstantiated = "unsubstantiated"
    resolved = "resolved"


class GrievanceStepKind(StrEnum):
    """A recorded step: a move to a status, or an escalation beside the status."""

    received = "received"
    under_investigation = "under_investigation"
    substantiated = "substantiated"
    unsubstantiated = "unsubstantiated"
    resolved = "resolved"
    escalated = "escalated"


class GrievanceChannel(StrEnum):
    """How a grievance came in: from the worker directly, through their agency, or through the operator."""

    worker = "worker"
    agency = "agency"
    operator = "operator"


# What a worker or an officer writes may run over lines (tab, line feed, carriage return), nothing else of control.
Account = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000), AfterValidator(prose)
]


class GrievanceCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "business_id": "0190b3c6-8a7e-7b6c-9d3e-2f1a0b9c8d7e",
                    "anonymous": True,
                    "alleged_indicators": ["retention_of_identity_documents", "withholding_of_wages"],
                    "description": "My passport was taken on arrival and two months of wages are unpaid.",
                    "language": "ne",
                }
            ]
        },
    )

    business_id: uuid.UUID | None = Field(default=None, description="the business it is against, where known")
    contract_id: uuid.UUID | None = None
    fee_report_id: uuid.UUID | None = None
    anonymous: bool = Field(default=False, description="hide who filed it from the business it is against")
    alleged_indicators: list[ForcedLabourIndicator] = Field(default_factory=list, max_length=11)
    description: Account
    language: LanguageTag | None = None


class GrievanceUpdate(BaseModel):
    """A compliance officer's step: move the status, escalate, correct the business; every step is recorded."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"status": "under_investigation"},
                {
                    "status": "substantiated",
                    "indicators": ["retention_of_identity_documents"],
                    "severity": "critical",
                    "decision_note": "Passports held in the employer's office, confirmed on site.",
                },
                {
                    "status": "resolved",
                    "remedies": ["reimbursement", "corrective_action"],
                    "remedy_note": "Passports returned.",
                },
                {"escalated_to": "labour_inspectorate", "escalation_reference": "LI-2026-0412"},
            ]
        },
    )

    status: GrievanceStatus | None = None
    indicators: list[ForcedLabourIndicator] | None = Field(default=None, max_length=11)
    severity: Severity | None = None
    decision_note: Account | None = None
    remedies: list[Remedy] | None = Field(default=None, max_length=5)
    remedy_note: Account | None = None
    escalated_to: EscalationBody | None = None
    escalation_reference: (
        Annotated[
            str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), AfterValidator(single_line)
        ]
        | None
    ) = None
    business_id: uuid.UUID | None = None


class GrievanceStepPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    step: GrievanceStepKind
    actor: str
    at: datetime


class GrievancePublic(BaseModel):
    """An anonymous grievance, as the business it is against sees it, names neither the worker nor the contract."""

    id: uuid.UUID
    worker_id: uuid.UUID | None
    business_id: uuid.UUID | None
    contract_id: uuid.UUID | None
    fee_report_id: uuid.UUID | None
    anonymous: bool
    channel: GrievanceChannel | None
    filed_by_role: Role | None
    alleged_indicators: list[ForcedLabourIndicator]
    description: str | None
    language: str | None
    status: GrievanceStatus
    filed_at: datetime
    acknowledge_by: datetime
    resolve_by: datetime
    acknowledged_at: datetime | None
    acknowledgement_overdue: bool
    resolved_at: datetime | None
    resolution_overdue: bool
    decided_at: datetime | None
    indicators: list[ForcedLabourIndicator]
    severity: Severity | None
    decision_note: str | None
    remedies: list[Remedy]
    remedy_note: str | None
    escalated_to: EscalationBody | None
    escalation_reference: str | None
    escalated_at: datetime | None
    steps: list[GrievanceStepPublic] | None = Field(
        default=None, description="who and when at every step (not to the business)"
    )
    updated_at: datetime
    version: int
