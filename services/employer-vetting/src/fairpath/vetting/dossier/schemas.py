"""API models of what vetting adds to a business's compliance dossier beyond its other reads."""

import uuid

from pydantic import BaseModel, ConfigDict, Field

from fairpath.vetting.businesses.schemas import RecruiterLinkPublic
from fairpath.vetting.risk.schemas import RiskAssessment


class BusinessChainAndRisk(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "business_id": "0190b3c6-8a7e-7b6c-9d3e-2f1a0b9c8d7e",
                    "recruitment_links": [
                        {
                            "id": "0190b3c6-aaaa-7000-8000-000000000001",
                            "employer_id": "0190b3c6-8a7e-7b6c-9d3e-2f1a0b9c8d7e",
                            "agency_id": "0190b3c6-bbbb-7000-8000-000000000002",
                            "sub_agent_of": None,
                            "created_at": "2026-03-01T09:00:00Z",
                        }
                    ],
                    "risk": {
                        "score": 35,
                        "band": "medium",
                        "factors": [{"factor": "country_risk", "points": 20, "evidence": "AE/F: 20 points"}],
                    },
                }
            ]
        }
    )

    business_id: uuid.UUID
    recruitment_links: list[RecruiterLinkPublic] = Field(
        description="every link naming the business: as the employer, the agency recruiting, or the agency a "
        "sub-agent recruits for"
    )
    risk: RiskAssessment = Field(description="the business's risk now, every factor with its evidence")
