"""What contracts knows of each business: enough to decide, without asking vetting, whether it may contract."""

import uuid
from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field

from fairpath.common.db import EnumString, UtcDateTime
from fairpath.common.domain_codes import BusinessKind, BusinessStatus
from fairpath.contracts.db import ContractsModel


class BusinessProjection(ContractsModel, table=True):
    __tablename__ = "business_projection"

    business_id: uuid.UUID = Field(primary_key=True)
    kind: BusinessKind = Field(sa_type=EnumString(BusinessKind, 30))
    legal_name: str = Field(max_length=300)
    country: str = Field(max_length=2)
    sector: str | None = Field(default=None, max_length=1)
    status: BusinessStatus = Field(sa_type=EnumString(BusinessStatus, 30))
    organization_id: uuid.UUID | None = None
    # An approval lapses at this moment; a conditional approval counts only until its deadline.
    approval_expires_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    condition_deadline: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    version: int
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class RecruitmentLink(ContractsModel, table=True):
    """An agency vetting names as a recruiter of an employer (`recruiter_ids` of the employer's latest event): the
    relationship that puts the two within each other's reach. Replaced whenever a newer employer state arrives."""

    __tablename__ = "recruitment_link"

    employer_id: uuid.UUID = Field(primary_key=True)
    agency_id: uuid.UUID = Field(primary_key=True, index=True)
