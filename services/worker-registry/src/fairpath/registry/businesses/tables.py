"""What the registry knows of each business: that vetting holds it, its kind and status, and the organisation acting for it."""

import uuid
from datetime import datetime

from sqlalchemy import Column, Index
from sqlmodel import Field

from fairpath.common.db import EnumString, UtcDateTime
from fairpath.common.domain_codes import BusinessKind, BusinessStatus
from fairpath.registry.db import RegistryModel


class BusinessProjection(RegistryModel, table=True):
    __tablename__ = "business_projection"

    business_id: uuid.UUID = Field(primary_key=True)
    kind: BusinessKind = Field(sa_type=EnumString(BusinessKind, 30))
    status: BusinessStatus = Field(sa_type=EnumString(BusinessStatus, 30))
    # The organisation that acts for the business (its login's), once vetting links one: the reach of tenancy.
    organization_id: uuid.UUID | None = None
    version: int
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class BusinessRecruiter(RegistryModel, table=True):
    """A recruitment relationship: an agency vetting names as a recruiter of an employer (its `recruiter_ids`,
    directly or as a sub-agent), kept as the employer's latest event says. It puts the two within each
    other's reach when a request names a business (fairpath.registry.businesses.service)."""

    __tablename__ = "business_recruiter"

    employer_id: uuid.UUID = Field(primary_key=True)
    agency_id: uuid.UUID = Field(primary_key=True)


# The employers an agency recruits for, by one index range (the primary key serves an employer's recruiters).
Index("ix_business_recruiter_agency", BusinessRecruiter.agency_id, BusinessRecruiter.employer_id)
