"""Tables of the grievances domain."""

import uuid
from datetime import datetime

from sqlalchemy import JSON, Column, Text
from sqlmodel import Field

from fairpath.common.auth import Role
from fairpath.common.db import EnumString, UtcDateTime
from fairpath.common.domain_codes import EscalationBody, ForcedLabourIndicator, Remedy, Severity
from fairpath.registry.db import RegistryModel
from fairpath.registry.grievances.schemas import GrievanceChannel, GrievanceStatus, GrievanceStepKind


class Grievance(RegistryModel, table=True):
    __tablename__ = "grievance"

    id: uuid.UUID = Field(primary_key=True)
    worker_id: uuid.UUID = Field(foreign_key="worker.id", index=True)
    business_id: uuid.UUID | None = Field(default=None, index=True)  # the business it is against
    contract_id: uuid.UUID | None = None
    fee_report_id: uuid.UUID | None = None
    anonymous: bool
    channel: GrievanceChannel = Field(sa_type=EnumString(GrievanceChannel, 20))
    filed_by_role: Role = Field(sa_type=EnumString(Role, 30))
    filed_by: str = Field(max_length=200)
    alleged_indicators: list[ForcedLabourIndicator] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    # What the worker wrote, and the officers' notes: free text about people, sealed.
    description_sealed: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    language: str | None = Field(default=None, max_length=35)
    status: GrievanceStatus = Field(sa_type=EnumString(GrievanceStatus, 30), index=True)
    filed_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    acknowledge_by: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    resolve_by: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    acknowledged_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    acknowledged_by: str | None = Field(default=None, max_length=200)
    decided_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    decided_by: str | None = Field(default=None, max_length=200)
    indicators: list[ForcedLabourIndicator] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    severity: Severity | None = Field(default=None, sa_type=EnumString(Severity, 20))
    decision_note_sealed: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    resolved_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    resolved_by: str | None = Field(default=None, max_length=200)
    remedies: list[Remedy] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    remedy_note_sealed: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    escalated_to: EscalationBody | None = Field(default=None, sa_type=EnumString(EscalationBody, 30))
    escalation_reference: str | None = Field(default=None, max_length=200)
    escalated_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    escalated_by: str | None = Field(default=None, max_length=200)
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    version: int = 1


class GrievanceStep(RegistryModel, table=True):
    """Who moved a grievance, to what, and when: one row per step."""

    __tablename__ = "grievance_step"

    id: uuid.UUID = Field(primary_key=True)
    grievance_id: uuid.UUID = Field(foreign_key="grievance.id", index=True)
    step: GrievanceStepKind = Field(sa_type=EnumString(GrievanceStepKind, 30))
    actor: str = Field(max_length=200)
    at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
