"""Tables of the businesses domain."""

import uuid
from datetime import datetime

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field

from fairpath.common.db import EnumString, UtcDateTime
from fairpath.common.domain_codes import BusinessKind, BusinessStatus
from fairpath.vetting.db import VettingModel


class Business(VettingModel, table=True):
    __tablename__ = "business"
    __table_args__ = (UniqueConstraint("country", "registration_key", name="uq_business_registration"),)

    id: uuid.UUID = Field(primary_key=True)
    kind: BusinessKind = Field(sa_type=EnumString(BusinessKind, 30), index=True)
    legal_name: str = Field(max_length=300)
    # Lower-cased legal name for case-insensitive search on both databases.
    name_key: str = Field(max_length=300, index=True)
    other_names: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    country: str = Field(max_length=2, index=True)
    registration_number: str = Field(max_length=100)
    # The registration number without spaces, dots or dashes, upper-cased: what duplicates are found by.
    registration_key: str = Field(max_length=100)
    sector: str | None = Field(default=None, max_length=1)
    address: str | None = Field(default=None, max_length=500)
    status: BusinessStatus = Field(sa_type=EnumString(BusinessStatus, 30), index=True)
    approval_expires_at: datetime | None = Field(
        default=None, sa_column=Column(UtcDateTime(), nullable=True, index=True)
    )
    condition_deadline: datetime | None = Field(
        default=None, sa_column=Column(UtcDateTime(), nullable=True, index=True)
    )
    organization_id: uuid.UUID | None = Field(default=None, index=True)
    # The vetting case open on the business (None when none is): kept with every case opened and decided.
    open_case_id: uuid.UUID | None = Field(default=None, index=True)
    owner_organization_id: uuid.UUID | None = Field(default=None, index=True)
    registered_by: uuid.UUID
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    version: int = 1


class RecruiterLink(VettingModel, table=True):
    """An agency recruiting for an employer, directly or as another agency's sub-agent (the chain)."""

    __tablename__ = "recruiter_link"
    __table_args__ = (UniqueConstraint("employer_id", "agency_id", name="uq_recruiter_link"),)

    id: uuid.UUID = Field(primary_key=True)
    employer_id: uuid.UUID = Field(foreign_key="business.id", index=True)
    agency_id: uuid.UUID = Field(foreign_key="business.id", index=True)
    sub_agent_of: uuid.UUID | None = Field(default=None, foreign_key="business.id")
    created_by: uuid.UUID
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
