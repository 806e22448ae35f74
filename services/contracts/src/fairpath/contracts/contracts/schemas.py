"""API models of the contracts domain."""

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from fairpath.common.domain_codes import ChangeDirection, ContractParty, ContractTerm, TerminationReason
from fairpath.common.errors import Violation
from fairpath.contracts.contracts.terms import ContractTerms, SignatureMethod


class ContractState(StrEnum):
    """The lifecycle: the shared ContractStatus of the events, plus `disputed` (a substitution finding),
    which no contract event reports as a status (the finding travels as its own event)."""

    draft = "draft"
    issued = "issued"
    signed = "signed"
    active = "active"
    disputed = "disputed"
    completed = "completed"
    terminated = "terminated"


class ContractDraft(BaseModel):
    model_config = ConfigDict(extra="forbid")

    job_order_id: uuid.UUID
    position_id: uuid.UUID
    terms: ContractTerms


class ContractChange(BaseModel):
    """A JSON merge patch (RFC 7396) of the terms; the result must be a complete, valid contract."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"terms": {"pay": {"amount": 190000}}, "expected_version": 1}]}
    )

    terms: dict[str, Any]
    expected_version: int | None = Field(
        default=None, ge=1, description="the contract version this change was made against (optimistic lock)"
    )


class RuleCheck(BaseModel):
    passes: bool
    violations: list[Violation]
    warnings: list[Violation]


class SignatureIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1, description="the version the worker read and signs")
    method: SignatureMethod
    signed_at: AwareDatetime | None = Field(default=None, description="when the worker signed; now if omitted")


class ArrivalVerificationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    presented_terms: ContractTerms = Field(description="the terms as presented at destination")


class CompletionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    completed_on: date
    good_standing: bool = True


class TerminationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    terminated_on: date
    reason: TerminationReason
    ended_by: ContractParty


class ContractPublic(BaseModel):
    id: uuid.UUID
    status: ContractState
    job_order_id: uuid.UUID
    position_id: uuid.UUID
    employer_id: uuid.UUID
    agency_ids: list[uuid.UUID]
    worker_id: uuid.UUID
    destination_country: str
    occupation: str
    term: ContractTerm
    departure_date: date
    start_date: date
    end_date: date | None
    current_version: int
    content_hash: str
    issued_version: int | None
    issued_at: datetime | None
    signed_version: int | None
    signed_at: datetime | None
    signature_method: SignatureMethod | None
    activated_at: datetime | None
    disputed_at: datetime | None
    completed_on: date | None
    good_standing: bool | None
    terminated_on: date | None
    termination_reason: TerminationReason | None
    ended_by: ContractParty | None
    warnings: list[Violation]
    terms: ContractTerms
    created_at: datetime
    updated_at: datetime
    version: int


class ContractVersionPublic(BaseModel):
    number: int
    content_hash: str = Field(description="SHA-256 of the RFC 8785 canonical JSON of the terms")
    created_at: datetime
    issued: bool
    signed: bool
    warnings: list[Violation]
    terms: ContractTerms


class TermChangeOut(BaseModel):
    field: str
    change: ChangeDirection
    signed: Any
    presented: Any
    reason: str


class ArrivalVerificationPublic(BaseModel):
    id: uuid.UUID
    contract_id: uuid.UUID
    signed_version: int
    presented_hash: str
    substitution_found: bool
    changes: list[TermChangeOut]
    contract_status: ContractState
    verified_at: datetime
