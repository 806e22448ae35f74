"""What the registry knows of each business: that vetting holds it, its kind and status, and the organisation acting for it."""

import uuid
from datetime import datetime

from sqlalchemy import Column
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
