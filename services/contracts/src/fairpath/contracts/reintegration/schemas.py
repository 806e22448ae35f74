"""API models of return and reintegration: the return journey and the invitation to a next season."""

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from fairpath.common.domain_codes import ContractTerm
from fairpath.common.reference import CurrencyCode
from fairpath.contracts.contracts.tables import ContractState
from fairpath.contracts.contracts.terms import MinorUnits, PaidBy
from fairpath.contracts.values import plausible


class WorkerPaid(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: MinorUnits = Field(gt=0, description="what the worker paid for the journey home")
    currency: CurrencyCode


class ReturnIn(BaseModel):
    """The employer or agency records the journey (`travel_date`, `paid_by`); the worker, from their own login,
    confirms they got home (`confirmed_home`). Each sends only their own part."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"travel_date": "2026-11-02", "paid_by": "employer"}, {"confirmed_home": True}]
        },
    )

    travel_date: Annotated[date, plausible(not_future=True)] | None = Field(
        default=None, description="the day the worker travelled home"
    )
    paid_by: PaidBy | None = Field(
        default=None, description="who paid the journey: the employer, by the contract's repatriation term"
    )
    worker_paid: WorkerPaid | None = Field(
        default=None, description="what the worker paid, when `paid_by` is `worker` (a finding under IRIS C)"
    )
    confirmed_home: bool | None = Field(default=None, description="the worker's own word that they got home")


class ReturnPublic(BaseModel):
    contract_id: uuid.UUID
    contract_status: ContractState
    term: ContractTerm
    version: int = Field(description="the contract's version after this change")
    travel_date: date | None
    paid_by: PaidBy | None
    worker_paid: WorkerPaid | None
    recorded_at: datetime | None
    confirmed_home_at: datetime | None
    fee_finding: bool = Field(description="the worker paid for their return: reported to vetting as a finding")
    rehire_eligible: bool = Field(
        description="a seasonal contract completed in good standing whose worker confirmed the return"
    )


class InvitationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    contract_id: uuid.UUID = Field(description="the worker's contract of the season that ended")


class InvitationPublic(BaseModel):
    id: uuid.UUID
    job_order_id: uuid.UUID
    previous_contract_id: uuid.UUID
    worker_id: uuid.UUID
    employer_id: uuid.UUID
    invited_at: datetime
