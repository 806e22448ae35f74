"""API model of vetting's part of a business's compliance dossier: everything vetting holds about the business,
each record in the shape of its own endpoint."""

from pydantic import BaseModel, ConfigDict, Field

from fairpath.vetting.businesses.schemas import BusinessPublic, RecruiterLinkPublic
from fairpath.vetting.cases.schemas import CasePublic
from fairpath.vetting.findings.schemas import FindingPublic
from fairpath.vetting.licences.schemas import LicencePublic
from fairpath.vetting.risk.schemas import RiskAssessment
from fairpath.vetting.screening.schemas import ScreeningHitPublic

_BUSINESS = "0190b3c6-8a7e-7b6c-9d3e-2f1a0b9c8d7e"


class VettingDossier(BaseModel):
    """The business, its recruitment chain both ways, its risk now, and its licences, findings, vetting cases and
    screening hits, each whole (not paged) and each record as `GET /v1/businesses/{id}`, `.../licences`,
    `.../findings`, `/v1/vetting-cases` and `.../screening-hits` give it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "business": {
                        "id": _BUSINESS,
                        "kind": "employer",
                        "legal_name": "Gulf Horizon Construction LLC",
                        "country": "AE",
                        "status": "approved",
                    },
                    "recruitment_links": [
                        {
                            "id": "0190b3c6-aaaa-7000-8000-000000000001",
                            "employer_id": _BUSINESS,
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
                    "licences": [],
                    "findings": [],
                    "vetting_cases": [],
                    "screening_hits": [],
                }
            ]
        }
    )

    business: BusinessPublic
    recruitment_links: list[RecruiterLinkPublic] = Field(
        description="every link naming the business: as the employer, the agency recruiting, or the agency a "
        "sub-agent recruits for"
    )
    risk: RiskAssessment = Field(description="the business's risk now, every factor with its evidence")
    licences: list[LicencePublic] = Field(description="each with its register verification, latest expiry first")
    findings: list[FindingPublic] = Field(description="every finding against the business, oldest first")
    vetting_cases: list[CasePublic] = Field(description="every vetting case of the business, in the order opened")
    screening_hits: list[ScreeningHitPublic] = Field(description="every screening hit, oldest first")
