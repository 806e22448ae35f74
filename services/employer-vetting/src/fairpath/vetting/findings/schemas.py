"""API models and codes of the findings domain."""

import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from fairpath.common.domain_codes import Severity


class FindingKind(StrEnum):
    licence_missing = "licence_missing"
    licence_expired = "licence_expired"
    licence_not_in_register = "licence_not_in_register"
    self_assessment_non_compliant = "self_assessment_non_compliant"
    screening_match = "screening_match"
    contract_substitution = "contract_substitution"
    worker_paid_fee = "worker_paid_fee"
    substantiated_grievance = "substantiated_grievance"
    retaliation = "retaliation"


class FindingStatus(StrEnum):
    open = "open"


class FindingSource(StrEnum):
    """The service whose records raised the finding."""

    vetting = "vetting"
    contracts = "contracts"
    registry = "registry"


class FindingPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    business_id: uuid.UUID
    kind: FindingKind
    principle: str = Field(description="the IRIS principle (A to G) the finding is under")
    severity: Severity
    source: FindingSource = Field(description="the service whose records raised it")
    source_ref: str = Field(description="the record that raised it: a case, a licence, a hit, a contract, a report")
    evidence: dict = Field(description="ids, codes and amounts behind the finding; never personal data")
    status: FindingStatus
    created_at: datetime = Field(description="when it was recorded")
