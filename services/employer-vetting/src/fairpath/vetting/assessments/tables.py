"""Tables of the assessments domain."""

import uuid
from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field

from fairpath.common.db import UtcDateTime
from fairpath.vetting.db import VettingModel


class SelfAssessment(VettingModel, table=True):
    __tablename__ = "self_assessment"

    id: uuid.UUID = Field(primary_key=True)
    business_id: uuid.UUID = Field(foreign_key="business.id", index=True)
    question_set: str = Field(max_length=40)
    # [{question_id, principle, answer, evidence}]
    answers: list[dict] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    submitted_by: uuid.UUID
    submitted_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
