"""Tables of the findings domain."""

import uuid
from datetime import datetime

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field

from fairpath.common.db import EnumString, UtcDateTime
from fairpath.common.domain_codes import Severity
from fairpath.vetting.db import VettingModel
from fairpath.vetting.findings.schemas import FindingKind, FindingSource, FindingStatus


class Finding(VettingModel, table=True):
    __tablename__ = "finding"
    # One finding per (business, kind, source record): the same report twice adds nothing.
    __table_args__ = (UniqueConstraint("business_id", "kind", "source_ref", name="uq_finding_source"),)

    id: uuid.UUID = Field(primary_key=True)
    business_id: uuid.UUID = Field(foreign_key="business.id", index=True)
    kind: FindingKind = Field(sa_type=EnumString(FindingKind, 60))
    principle: str = Field(max_length=1)  # IRIS A to G
    severity: Severity = Field(sa_type=EnumString(Severity, 20))
    source: FindingSource = Field(sa_type=EnumString(FindingSource, 30))
    source_ref: str = Field(max_length=100)  # the event id or record that raised it
    evidence: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: FindingStatus = Field(default=FindingStatus.open, sa_type=EnumString(FindingStatus, 20))
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
