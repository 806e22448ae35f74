"""The job orders the registry matches workers to, as contracts posted them (`contracts.job_order.posted`)."""

import uuid
from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field

from fairpath.common.db import UtcDateTime
from fairpath.registry.db import RegistryModel


class JobOrderProjection(RegistryModel, table=True):
    """A job order: its employer and the agencies of its service agreements are the recruiters it is matched for."""

    __tablename__ = "job_order_projection"

    job_order_id: uuid.UUID = Field(primary_key=True)
    employer_id: uuid.UUID = Field(index=True)
    agency_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    destination_country: str = Field(max_length=2)
    posted_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    version: int
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class JobOrderPositionProjection(RegistryModel, table=True):
    """A position of a job order and what it asks of a worker."""

    __tablename__ = "job_order_position"

    position_id: uuid.UUID = Field(primary_key=True)
    job_order_id: uuid.UUID = Field(index=True)
    occupation: str = Field(max_length=4)
    title: str = Field(max_length=500)
    number_of_workers: int
    # Languages the work asks (BCP 47 tags), in the job order's order.
    languages: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    minimum_years: int | None = None
