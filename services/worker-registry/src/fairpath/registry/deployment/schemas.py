"""API models of the deployment domain."""

import uuid
from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from fairpath.common.domain_codes import FeeCategory, FeePaymentMethod
from fairpath.common.reference import CurrencyCode
from fairpath.common.text import PastDate
from fairpath.registry.fees.schemas import Payer


class DeploymentStepKind(StrEnum):
    visa = "visa"
    medical = "medical"
    document_verification = "document_verification"
    travel = "travel"


# Every cost of a step is the employer's; paid by the worker, it is a fee of this ILO category.
STEP_FEE_CATEGORY = {
    DeploymentStepKind.visa: FeeCategory.administrative,
    DeploymentStepKind.medical: FeeCategory.medical,
    DeploymentStepKind.document_verification: FeeCategory.administrative,
    DeploymentStepKind.travel: FeeCategory.travel_lodging,
}


class StepState(StrEnum):
    pending = "pending"
    in_progress = "in_progress"
    done = "done"  # of travel: the worker departed
    not_needed = "not_needed"


class DeploymentCost(BaseModel):
    model_config = ConfigDict(extra="forbid")

    payer: Payer
    amount_minor: int = Field(gt=0, le=10**13, description="in the currency's minor units")
    currency: CurrencyCode
    payment_method: FeePaymentMethod | None = Field(default=None, description="required when the worker paid")
    paid_on: PastDate | None = None
    paid_to_business_id: uuid.UUID | None = Field(default=None, description="the business paid, where known")

    @model_validator(mode="after")
    def _worker_paid_how(self) -> "DeploymentCost":
        if self.payer == Payer.worker and self.payment_method is None:
            raise ValueError("a cost the worker paid gives payment_method")
        return self


class DeploymentStepChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    step: DeploymentStepKind
    state: StepState | None = None
    started_on: date | None = None
    completed_on: date | None = Field(default=None, description="of travel: the day the worker departed")
    cost: DeploymentCost | None = None


class DeploymentStepsUpdate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "steps": [
                        {
                            "step": "medical",
                            "state": "done",
                            "completed_on": "2026-04-02",
                            "cost": {"payer": "employer", "amount_minor": 450000, "currency": "QAR"},
                        },
                        {"step": "visa", "state": "in_progress", "started_on": "2026-04-03"},
                    ]
                }
            ]
        },
    )

    steps: list[DeploymentStepChange] = Field(min_length=1, max_length=len(DeploymentStepKind))

    @model_validator(mode="after")
    def _each_step_once(self) -> "DeploymentStepsUpdate":
        kinds = [c.step for c in self.steps]
        if len(set(kinds)) != len(kinds):
            raise ValueError("name each step once")
        return self


class DeploymentStepPublic(BaseModel):
    step: DeploymentStepKind
    state: StepState
    started_on: date | None
    completed_on: date | None
    payer: Payer | None
    amount_minor: int | None
    currency: str | None
    fee_report_id: uuid.UUID | None = Field(description="the fee report a cost the worker paid became")
    updated_at: datetime | None
    version: int


class DeploymentStepsPublic(BaseModel):
    contract_id: uuid.UUID
    worker_id: uuid.UUID
    steps: list[DeploymentStepPublic]
