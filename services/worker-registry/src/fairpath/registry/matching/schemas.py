"""API models of the matching domain: a ranked shortlist of candidates, every point of each score explained."""

import uuid
from enum import StrEnum

from pydantic import BaseModel, Field

from fairpath.registry.workers.schemas import WorkerPublic


class Factor(StrEnum):
    occupation = "occupation"
    skill_level = "skill_level"
    languages = "languages"
    experience = "experience"
    availability = "availability"


class Point(BaseModel):
    factor: Factor
    points: float = Field(ge=0, description="what the factor adds to the score")
    why: str = Field(description="the facts the points come from, in words")


class Candidate(BaseModel):
    rank: int = Field(ge=1)
    position_id: uuid.UUID = Field(description="the position the worker is matched to (their best)")
    score: float = Field(ge=0, le=100, description="the sum of `explanation`'s points, out of 100")
    explanation: list[Point]
    own_worker: bool = Field(description="registered by the caller's agency (else: consented to be considered)")
    worker: WorkerPublic = Field(description="the full record of the caller's own worker, else the profile view")


class Shortlist(BaseModel):
    job_order_id: uuid.UUID
    position_id: uuid.UUID | None = Field(default=None, description="the position asked for, if one was")
    candidates: list[Candidate] = Field(
        description="best first; the employer and the agency choose, never the score alone"
    )
