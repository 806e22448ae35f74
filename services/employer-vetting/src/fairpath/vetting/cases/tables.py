"""Tables of the cases domain."""

import uuid
from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field

from fairpath.common.db import EnumString, UtcDateTime
from fairpath.vetting.cases.schemas import CaseStatus, Decision
from fairpath.vetting.db import VettingModel


class VettingCase(VettingModel, table=True):
    __tablename__ = "vetting_case"

    id: uuid.UUID = Field(primary_key=True)
    business_id: uuid.UUID = Field(foreign_key="business.id", index=True)
    status: CaseStatus = Field(sa_type=EnumString(CaseStatus, 20), index=True)
    # None when the system reopened review because of a finding.
    opened_by: uuid.UUID | None = None
    opened_reason: str = Field(max_length=500)
    opened_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    decision: Decision | None = Field(default=None, sa_type=EnumString(Decision, 30))
    decision_reason: str | None = Field(default=None, max_length=2000)
    conditions: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    condition_deadline: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    decided_by: uuid.UUID | None = None
    decided_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    # The risk assessment the decision was made on, kept as it was.
    risk_at_decision: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
