"""API models of the reference domain."""

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from fairpath.common.occupations import OccupationCode
from fairpath.common.reference import CountryCode
from fairpath.common.text import single_line

DEFAULT_MINIMUM_AGE = 18
# IRIS A: no recruitment below 18; the operator's table may only raise the age.
Age = Annotated[int, Field(ge=DEFAULT_MINIMUM_AGE, le=30)]


class MinimumAgeRuleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    origin_country: CountryCode | None = Field(
        default=None, description="the worker's nationality; none: every country"
    )
    occupation: OccupationCode | None = Field(
        default=None, description="an ISCO-08 group; covers the occupations under it"
    )
    minimum_age: Age
    source: (
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=500), AfterValidator(single_line)] | None
    ) = Field(default=None, description="the law or agreement that sets this age")


class MinimumAgeTableIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "default_minimum_age": 18,
                    "rules": [
                        {
                            "origin_country": "NP",
                            "occupation": "9111",
                            "minimum_age": 21,
                            "source": "Nepal Foreign Employment Act 2007, domestic work abroad",
                        }
                    ],
                }
            ]
        },
    )

    default_minimum_age: Age = DEFAULT_MINIMUM_AGE
    rules: list[MinimumAgeRuleIn] = Field(default_factory=list, max_length=1000)

    @model_validator(mode="after")
    def _one_rule_per_scope(self) -> "MinimumAgeTableIn":
        scopes = [(r.origin_country, r.occupation) for r in self.rules]
        if len(set(scopes)) != len(scopes):
            raise ValueError("two rules cover the same origin country and occupation")
        if (None, None) in scopes:
            raise ValueError("the rule for every country and occupation is default_minimum_age")
        return self


class MinimumAgeRulePublic(MinimumAgeRuleIn):
    model_config = ConfigDict(from_attributes=True)


class MinimumAgeTable(BaseModel):
    default_minimum_age: int
    rules: list[MinimumAgeRulePublic]
    updated_at: datetime | None = None
    updated_by: str | None = None
