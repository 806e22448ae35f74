"""API models and codes of the findings domain."""

import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

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
    principle: str
    severity: Severity
    source: FindingSource
    source_ref: str
    evidence: dict
    status: FindingStatus
    created_at: datetime
