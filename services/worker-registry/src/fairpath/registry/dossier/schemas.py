"""API models of the fee reports and grievances about a business, as the compliance dossier shows them:
pseudonymous (design.md's auditor view), with no free text, and an erased worker as an erasure marker."""

import uuid
from datetime import date, datetime

from pydantic import BaseModel, Field

from fairpath.common.domain_codes import (
    EscalationBody,
    FeeCategory,
    FeePaymentMethod,
    ForcedLabourIndicator,
    Remedy,
    Severity,
)
from fairpath.registry.fees.schemas import Payer, ReimbursementStatus, ReportChannel
from fairpath.registry.grievances.schemas import GrievanceStatus, GrievanceStepKind

_BUSINESS = "0190b3c6-8a7e-7b6c-9d3e-2f1a0b9c8d7e"
_WORKER = "0190b3c6-9b1f-7c2d-8e4f-3a2b1c0d9e8f"


class WorkerMarker(BaseModel):
    """A worker by id alone; once erased, the date of the erasure instead of what was erased."""

    worker_id: uuid.UUID
    nationality: str | None = Field(description="kept after an erasure too")
    erased: bool
    erased_at: datetime | None


class DossierFeeReport(BaseModel):
    id: uuid.UUID
    worker: WorkerMarker
    category: FeeCategory
    amount_minor: int
    currency: str
    payment_method: FeePaymentMethod
    paid_by: Payer
    paid_to_business_id: uuid.UUID | None
    contract_id: uuid.UUID | None
    paid_on: date | None
    channel: ReportChannel
    reported_at: datetime
    finding: bool = Field(description="the worker paid: a finding under IRIS principle C")
    finding_business_id: uuid.UUID | None
    reimbursement_status: ReimbursementStatus
    promised_by_date: date | None
    reimbursed_amount_minor: int | None
    reimbursed_on: date | None
    confirmed_at: datetime | None
    disputed_at: datetime | None


class DossierGrievanceStep(BaseModel):
    step: GrievanceStepKind
    actor: str | None = Field(description="who took the step; null for the filer of an anonymous grievance")
    at: datetime


class DossierGrievance(BaseModel):
    """A grievance against the business: its indicators, outcome and deadlines; no one's words, and for an
    anonymous one no worker at all."""

    id: uuid.UUID
    worker: WorkerMarker | None = Field(description="null for an anonymous grievance")
    anonymous: bool
    alleged_indicators: list[ForcedLabourIndicator]
    indicators: list[ForcedLabourIndicator] = Field(description="those substantiated")
    status: GrievanceStatus
    severity: Severity | None
    filed_at: datetime
    acknowledge_by: datetime
    acknowledged_at: datetime | None
    acknowledgement_deadline_met: bool | None = Field(description="null while it is open and not yet late")
    resolve_by: datetime
    resolved_at: datetime | None
    resolution_deadline_met: bool | None = Field(description="null while it is open and not yet late")
    decided_at: datetime | None
    decided_by: str | None
    remedies: list[Remedy]
    escalated_to: EscalationBody | None
    escalated_at: datetime | None
    steps: list[DossierGrievanceStep] = Field(description="who moved it, to what, and when")


class RegistryDossier(BaseModel):
    """The registry's part of a business's compliance dossier: every fee report naming the business as paid or
    as answerable for the finding, and every grievance against it, each oldest first."""

    business_id: uuid.UUID
    fee_reports: list[DossierFeeReport]
    grievances: list[DossierGrievance]

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "business_id": _BUSINESS,
                    "fee_reports": [
                        {
                            "id": "0190b3c7-1111-7000-8000-000000000001",
                            "worker": {"worker_id": _WORKER, "nationality": "NP", "erased": False, "erased_at": None},
                            "category": "recruitment_fee",
                            "amount_minor": 15000000,
                            "currency": "NPR",
                            "payment_method": "loan",
                            "paid_by": "worker",
                            "paid_to_business_id": _BUSINESS,
                            "contract_id": None,
                            "paid_on": "2026-03-02",
                            "channel": "worker",
                            "reported_at": "2026-04-01T08:00:00Z",
                            "finding": True,
                            "finding_business_id": _BUSINESS,
                            "reimbursement_status": "owed",
                            "promised_by_date": None,
                            "reimbursed_amount_minor": None,
                            "reimbursed_on": None,
                            "confirmed_at": None,
                            "disputed_at": None,
                        }
                    ],
                    "grievances": [
                        {
                            "id": "0190b3c7-2222-7000-8000-000000000002",
                            "worker": None,
                            "anonymous": True,
                            "alleged_indicators": ["retention_of_identity_documents"],
                            "indicators": ["retention_of_identity_documents"],
                            "status": "resolved",
                            "severity": "critical",
                            "filed_at": "2026-04-01T08:00:00Z",
                            "acknowledge_by": "2026-04-08T08:00:00Z",
                            "acknowledged_at": "2026-04-02T08:00:00Z",
                            "acknowledgement_deadline_met": True,
                            "resolve_by": "2026-05-01T08:00:00Z",
                            "resolved_at": "2026-05-03T08:00:00Z",
                            "resolution_deadline_met": False,
                            "decided_at": "2026-04-20T08:00:00Z",
                            "decided_by": "compliance_officer:0190b3c6-0000-7000-8000-000000000009",
                            "remedies": ["corrective_action"],
                            "escalated_to": None,
                            "escalated_at": None,
                            "steps": [],
                        }
                    ],
                }
            ]
        }
    }
