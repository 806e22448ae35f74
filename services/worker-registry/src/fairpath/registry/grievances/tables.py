"""Tables of the grievances domain."""

import uuid
from datetime import datetime

from sqlalchemy import JSON, Column, Text
from sqlmodel import Field

from fairpath.common.db import UtcDateTime
from fairpath.registry.db import RegistryModel


class Grievance(RegistryModel, table=True):
    __tablename__ = "grievance"

    id: uuid.UUID = Field(primary_key=True)
    worker_id: uuid.UUID = Field(foreign_key="worker.id", index=True)
    business_id: uuid.UUID | None = Field(default=None, index=True)  # the business it is against
    contract_id: uuid.UUID | None = None
    fee_report_id: uuid.UUID | None = None
    anonymous: bool
    channel: str = Field(max_length=20)  # worker | agency | operator
    filed_by_role: str = Field(max_length=30)
    filed_by: str = Field(max_length=200)
    alleged_indicators: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # What the worker wrote, and the officers' notes: free text about people, sealed.
    description_sealed: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    language: str | None = Field(default=None, max_length=35)
    status: str = Field(max_length=30, index=True)
    filed_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    acknowledge_by: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    resolve_by: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    acknowledged_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    acknowledged_by: str | None = Field(default=None, max_length=200)
    decided_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    decided_by: str | None = Field(default=None, max_length=200)
    indicators: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    severity: str | None = Field(default=None, max_length=20)
    decision_note_sealed: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    resolved_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    resolved_by: str | None = Field(default=None, max_length=200)
    remedies: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    remedy_note_sealed: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    escalated_to: str | None = Field(default=None, max_length=30)
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
    step: str = Field(
        max_length=30
    )  # received | under_investigation | substantiated | unsubstantiated | resolved | escalated
    actor: str = Field(max_length=200)
    at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
