"""API models of the fees domain."""

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from fairpath.common.domain_codes import FeeCategory, FeePaymentMethod
from fairpath.common.reference import CurrencyCode
from fairpath.common.text import EARLIEST_PLAUSIBLE, PastDate, plausible_date, prose, single_line


class Payer(StrEnum):
    worker = "worker"
    employer = "employer"
    agency = "agency"


class ReportChannel(StrEnum):
    """Who reported a fee: the worker through their own channel, or their agency for them; or the placement's
    agency or employer, as a cost of the worker's deployment they recorded as paid by the worker."""

    worker = "worker"
    agency = "agency"
    deployment = "deployment"


class ReimbursementStatus(StrEnum):
    not_applicable = "not_applicable"  # the worker did not pay: nothing to give back
    owed = "owed"
    promised = "promised"
    paid = "paid"  # the business says it paid; the worker has not confirmed yet
    confirmed = "confirmed"  # the worker confirmed: the finding is remedied


class EvidenceKind(StrEnum):
    receipt = "receipt"
    bank_statement = "bank_statement"
    payslip = "payslip"
    photo = "photo"
    testimony = "testimony"
    other = "other"


class Evidence(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: EvidenceKind
    reference: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), AfterValidator(single_line)
    ] = Field(description="where the evidence is kept: a document id or a link")
    description: (
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000), AfterValidator(prose)] | None
    ) = None


class FeeReportCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "category": "recruitment_fee",
                    "amount_minor": 15000000,
                    "currency": "NPR",
                    "payment_method": "loan",
                    "paid_to_business_id": "0190b3c6-8a7e-7b6c-9d3e-2f1a0b9c8d7e",
                    "paid_on": "2026-03-02",
                    "evidence": [{"kind": "receipt", "reference": "doc-7731"}],
                }
            ]
        },
    )

    category: FeeCategory
    amount_minor: int = Field(gt=0, le=10**13, description="in the currency's minor units")
    currency: CurrencyCode
    payment_method: FeePaymentMethod
    paid_by: Payer = Payer.worker
    paid_to_business_id: uuid.UUID | None = Field(default=None, description="the business paid, where known")
    contract_id: uuid.UUID | None = None
    paid_on: PastDate | None = Field(default=None, description="not in the future, nor before the worker's birth")
    evidence: list[Evidence] = Field(default_factory=list, max_length=20)


class ReimbursementStep(StrEnum):
    promised = "promised"
    paid = "paid"
    confirmed = "confirmed"  # the worker's own confirmation
    disputed = "disputed"  # the worker says the money did not come: owed again


class FeeReportUpdate(BaseModel):
    """A step of the reimbursement: promised and paid by the business (or the operator), confirmed or disputed by the worker."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"step": "paid", "reimbursed_amount_minor": 15000000, "reimbursed_on": "2026-05-01"},
                {"step": "confirmed"},
            ]
        },
    )

    step: ReimbursementStep
    promised_by_date: Annotated[date, plausible_date(earliest=EARLIEST_PLAUSIBLE)] | None = None
    reimbursed_amount_minor: int | None = Field(default=None, ge=0, le=10**13)
    reimbursed_on: PastDate | None = Field(default=None, description="not in the future, nor before the fee was paid")
    paid_to_business_id: uuid.UUID | None = Field(default=None, description="name the business paid, once known")

    @model_validator(mode="after")
    def _paid_step_has_amount(self) -> "FeeReportUpdate":
        if self.step == ReimbursementStep.paid and (self.reimbursed_amount_minor is None or self.reimbursed_on is None):
            raise ValueError("a paid step gives reimbursed_amount_minor and reimbursed_on")
        return self


class FeeReportPublic(BaseModel):
    id: uuid.UUID
    worker_id: uuid.UUID
    category: FeeCategory
    amount_minor: int
    currency: str
    payment_method: FeePaymentMethod
    paid_by: Payer
    paid_to_business_id: uuid.UUID | None
    contract_id: uuid.UUID | None
    paid_on: date | None
    evidence: list[Evidence] | None = Field(
        default=None, description="to the worker, their agency and the operator only"
    )
    channel: ReportChannel
    reported_at: datetime
    finding: bool = Field(description="a worker-paid amount: a finding under IRIS principle C")
    finding_business_id: uuid.UUID | None
    reimbursement_status: ReimbursementStatus
    promised_by_date: date | None
    reimbursed_amount_minor: int | None
    reimbursed_on: date | None
    confirmed_at: datetime | None
    disputed_at: datetime | None
    updated_at: datetime
    version: int
