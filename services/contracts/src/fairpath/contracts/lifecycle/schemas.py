"""API models of the lifecycle: what a client sends to draft, check, change, sign, verify, complete or end a contract."""

import uuid
from datetime import date
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from fairpath.common.domain_codes import ContractParty, TerminationReason
from fairpath.common.errors import Violation
from fairpath.contracts.contracts.terms import ContractTerms, SignatureMethod
from fairpath.contracts.values import plausible


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

    completed_on: Annotated[date, plausible()]
    good_standing: bool = True


class TerminationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    terminated_on: Annotated[date, plausible()]
    reason: TerminationReason
    ended_by: ContractParty
