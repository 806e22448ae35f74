"""API models of the risk domain."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from fairpath.common.domain_codes import RiskBand
from fairpath.common.reference import CountryCode, IsicSection
from fairpath.common.text import PastDate, Text


class RiskFactor(BaseModel):
    factor: str
    points: int
    evidence: str


class RiskAssessment(BaseModel):
    score: int = Field(ge=0, le=100)
    band: RiskBand
    factors: list[RiskFactor]


class CountryRiskRow(BaseModel):
    """An operator's risk rating of a country, or of one sector in it."""

    model_config = ConfigDict(extra="forbid")

    country: CountryCode
    sector: IsicSection | None = None
    points: int = Field(ge=0, le=40)
    source: Annotated[Text, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    as_of: PastDate


class CountryRiskTable(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rows: list[CountryRiskRow] = Field(max_length=5000)
