"""Tables of the orientation domain."""

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field

from fairpath.common.db import UtcDateTime
from fairpath.registry.db import RegistryModel
from fairpath.registry.orientation.schemas import OrientationTopic


class OrientationSession(RegistryModel, table=True):
    __tablename__ = "orientation_session"

    id: uuid.UUID = Field(primary_key=True)
    # The agency's organisation holds it (as it owns the workers it registered).
    agency_organization_id: uuid.UUID | None = Field(default=None)  # indexed with id below
    agency_business_id: uuid.UUID | None = Field(default=None)
    held_on: date
    days: int
    place: str | None = Field(default=None, max_length=300)
    online: bool
    language: str = Field(max_length=35)
    topics: list[OrientationTopic] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_by: str = Field(max_length=200)
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    version: int = 1


Index("ix_orientation_session_agency", OrientationSession.agency_organization_id, OrientationSession.id)


class OrientationAttendance(RegistryModel, table=True):
    """A worker's attendance of a session: recorded by their agency, then confirmed by the worker."""

    __tablename__ = "orientation_attendance"

    id: uuid.UUID = Field(primary_key=True)
    session_id: uuid.UUID = Field(foreign_key="orientation_session.id")
    worker_id: uuid.UUID = Field(foreign_key="worker.id", index=True)
    recorded_by: str = Field(max_length=200)
    recorded_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    confirmed_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    version: int = 1


Index(
    "ix_orientation_attendance_session_worker",
    OrientationAttendance.session_id,
    OrientationAttendance.worker_id,
    unique=True,
)
