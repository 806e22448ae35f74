"""API models of the contracts domain: a contract, its versions and its arrival verifications as clients read them."""

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from fairpath.common.domain_codes import ChangeDirection, ContractParty, ContractTerm, TerminationReason
from fairpath.common.errors import Violation
from fairpath.contracts.contracts.tables import ContractState
from fairpath.contracts.contracts.terms import ContractTerms, SignatureMethod


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
    verification_code: str = Field(
        description="the current version's code, printed on its document: anyone may check the document with it "
        "at `GET /v1/verify/contracts/{code}`, without logging in"
    )
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
    """A version of the terms and what happened to it, never rewritten by what happened to the contract later."""

    number: int
    content_hash: str = Field(description="SHA-256 of the RFC 8785 canonical JSON of the terms")
    verification_code: str = Field(
        description="printed on this version's document: `GET /v1/verify/contracts/{code}` checks it, without login"
    )
    created_at: datetime
    issued: bool = Field(description="this version was issued to the worker (even if a later one replaced it)")
    issued_at: datetime | None
    signed: bool
    signed_at: datetime | None
    signature_method: SignatureMethod | None
    superseded_at: datetime | None = Field(description="when a later version replaced this one")
    superseded_by: int | None = Field(description="the number of the version that replaced this one")
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
