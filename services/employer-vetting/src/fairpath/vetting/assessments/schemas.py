"""API models of the assessments domain."""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from fairpath.common.text import Prose, Text


class Answer(StrEnum):
    compliant = "compliant"
    non_compliant = "non_compliant"
    not_applicable = "not_applicable"


class AnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question_id: Annotated[Text, StringConstraints(max_length=10)]
    answer: Answer
    evidence: Annotated[Prose, StringConstraints(strip_whitespace=True, max_length=2000)] | None = Field(
        default=None, description="what supports the answer: a policy, a document reference"
    )


class AssessmentCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "answers": [
                        {"question_id": "C1", "answer": "compliant", "evidence": "fee policy 2025 section 2"},
                        {"question_id": "D1", "answer": "non_compliant"},
                    ]
                }
            ]
        },
    )

    answers: list[AnswerIn] = Field(min_length=1, max_length=200)


class AnswerOut(BaseModel):
    question_id: str
    principle: str
    answer: Answer
    evidence: str | None


class AssessmentPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    business_id: uuid.UUID
    question_set: str
    answers: list[AnswerOut]
    submitted_at: datetime
    findings: int = 0
