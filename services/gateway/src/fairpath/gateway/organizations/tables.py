"""Tables of the organisations domain."""

import uuid
from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field

from fairpath.common.db import UtcDateTime
from fairpath.gateway.db import GatewayModel


class LinkedBusiness(GatewayModel, table=True):
    """A business record in vetting and the organisation whose users act for it."""

    __tablename__ = "linked_business"

    business_id: uuid.UUID = Field(primary_key=True)
    organization_id: uuid.UUID | None = Field(default=None, index=True)
    version: int
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
