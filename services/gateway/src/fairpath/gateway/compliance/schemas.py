"""API models of the compliance dossier. The records inside each part are the owning service's own views (see
its operations in this document); the dossier adds the groupings, the worker markers, the missing parts and
one timeline."""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class DossierFormat(StrEnum):
    json = "json"
    csv = "csv"


class Section(StrEnum):
    """The parts of a dossier, in the order it lists them."""

    recruitment_chain = "recruitment_chain"
    licences = "licences"
    findings = "findings"
    vetting_cases = "vetting_cases"
    risk = "risk"
    screening_hits = "screening_hits"
    contracts = "contracts"
    fee_reports = "fee_reports"
    grievances = "grievances"


class MissingSection(BaseModel):
    """A part the dossier could not fill: which, from which service, and why. Never a silent gap."""

    section: Section
    service: str
    reason: str = Field(description="timed_out, unavailable (no replica answered) or refused (an error status)")
    detail: str


class WorkerMarker(BaseModel):
    """A worker as an auditor sees them: by id (pseudonymous); an erased one as an erasure marker with its date."""

    worker_id: uuid.UUID
    nationality: str | None = None
    erased: bool
    erased_at: datetime | None = Field(default=None, description="when the worker's personal data was erased")


class RecruitmentChain(BaseModel):
    recruiters: list[dict[str, Any]] = Field(description="agencies (and their sub-agents) recruiting for the business")
    recruits_for: list[dict[str, Any]] = Field(
        description="employers the business recruits for, and agencies it recruits for as a sub-agent"
    )


class ContractsPart(BaseModel):
    total: int
    by_status: dict[str, int]
    substitution_findings: list[dict[str, Any]] = Field(
        description="each with its changed terms (signed and presented values) and the worker as a marker"
    )


class FeeCategorySummary(BaseModel):
    reports: int
    worker_paid: int = Field(description="reports the worker paid: findings under IRIS principle C")
    amounts_minor: dict[str, int] = Field(description="the amounts reported, by currency, in minor units")
    by_reimbursement_status: dict[str, int]


class FeeReportsPart(BaseModel):
    by_category: dict[str, FeeCategorySummary] = Field(description="by the ILO's categories of fees and costs")
    items: list[dict[str, Any]]


class IndicatorSummary(BaseModel):
    alleged: int
    substantiated: int
    by_status: dict[str, int]
    acknowledgement_deadlines_missed: int
    resolution_deadlines_missed: int


class GrievancesPart(BaseModel):
    by_indicator: dict[str, IndicatorSummary] = Field(description="by the ILO's indicators of forced labour")
    deadlines_met: int = Field(description="acknowledgement and resolution deadlines met")
    deadlines_missed: int
    items: list[dict[str, Any]] = Field(description="an anonymous grievance names no worker")


class TimelineEntry(BaseModel):
    at: datetime
    section: str
    event: str
    record_id: str
    actor: str | None = None


_B = "0190b3c6-8a7e-7b6c-9d3e-2f1a0b9c8d7e"
_EXAMPLE = {
    "business": {"id": _B, "kind": "employer", "legal_name": "Gulf Horizon Construction LLC", "status": "suspended"},
    "generated_at": "2026-06-01T09:00:00Z",
    "complete": False,
    "missing": [
        {
            "section": "grievances",
            "service": "registry",
            "reason": "timed_out",
            "detail": "the registry service did not answer within 10 s",
        }
    ],
    "recruitment_chain": {"recruiters": [], "recruits_for": []},
    "licences": [],
    "findings_by_principle": {"E": [{"kind": "contract_substitution", "severity": "critical"}]},
    "vetting_cases": [],
    "risk": {"score": 60, "band": "high", "factors": []},
    "screening_hits": [],
    "contracts": {"total": 2, "by_status": {"active": 1, "disputed": 1}, "substitution_findings": []},
    "fee_reports": {
        "by_category": {
            "medical": {
                "reports": 1,
                "worker_paid": 1,
                "amounts_minor": {"NPR": 1500000},
                "by_reimbursement_status": {"owed": 1},
            }
        },
        "items": [],
    },
    "grievances": None,
    "timeline": [
        {"at": "2026-03-01T09:00:00Z", "section": "business", "event": "registered", "record_id": _B, "actor": None}
    ],
}


class Dossier(BaseModel):
    """Everything the services hold about a business, for an auditor: each part null when its service could
    not give it, and then named in `missing` with the reason."""

    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE]})

    business: dict[str, Any] = Field(description="the business as vetting holds it")
    generated_at: datetime
    complete: bool = Field(description="false when a part is missing (see `missing`)")
    missing: list[MissingSection]
    recruitment_chain: RecruitmentChain | None
    licences: list[dict[str, Any]] | None = Field(description="each with its register verification")
    findings_by_principle: dict[str, list[dict[str, Any]]] | None = Field(
        description="findings (self-assessment and every other kind) by IRIS principle, A to G"
    )
    vetting_cases: list[dict[str, Any]] | None = Field(description="decisions with reasons, who decided and when")
    risk: dict[str, Any] | None = Field(description="the risk now: score, band, every factor with its evidence")
    screening_hits: list[dict[str, Any]] | None = Field(description="each with how it was resolved, by whom, when")
    contracts: ContractsPart | None
    fee_reports: FeeReportsPart | None
    grievances: GrievancesPart | None
    timeline: list[TimelineEntry] = Field(description="every dated event of the parts present, oldest first")
