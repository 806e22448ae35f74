"""Tables of the deployment domain."""

import uuid
from datetime import date, datetime

from sqlalchemy import Column, Index
from sqlmodel import Field

from fairpath.common.db import EnumString, UtcDateTime
from fairpath.registry.db import RegistryModel
from fairpath.registry.deployment.schemas import DeploymentStepKind, StepState
from fairpath.registry.fees.schemas import Payer


class DeploymentStep(RegistryModel, table=True):
    """One step of a placement's deployment, once someone moved it (until then it is pending)."""

    __tablename__ = "deployment_step"

    id: uuid.UUID = Field(primary_key=True)
    contract_id: uuid.UUID
    worker_id: uuid.UUID = Field(index=True)
    step: DeploymentStepKind = Field(sa_type=EnumString(DeploymentStepKind, 30))
    state: StepState = Field(sa_type=EnumString(StepState, 20))
    started_on: date | None = None
    completed_on: date | None = None
    payer: Payer | None = Field(default=None, sa_type=EnumString(Payer, 20))
    amount_minor: int | None = None
    currency: str | None = Field(default=None, max_length=3)
    fee_report_id: uuid.UUID | None = None
    updated_by: str = Field(max_length=200)
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    version: int = 1


Index("ix_deployment_step_contract_step", DeploymentStep.contract_id, DeploymentStep.step, unique=True)
