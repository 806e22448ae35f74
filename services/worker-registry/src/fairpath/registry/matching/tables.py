"""The job orders the registry matches workers to, as contracts posted them (`contracts.job_order.posted`)."""

import uuid
from datetime import datetime

from sqlalchemy import JSON, Column, Index, Text, and_, case, cast, false, literal_column, true
from sqlmodel import Field

from fairpath.common.db import UtcDateTime
from fairpath.registry.db import RegistryModel
from fairpath.registry.workers.tables import Worker


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


# A worker matching may consider: active, consenting to registration, not placed. Written with literals (not bound
# parameters) so that PostgreSQL sees a query's condition is the partial indexes' own, whatever its plan; the
# consent as a CASE, which PostgreSQL estimates as true of half the workers (a LIKE of a long pattern it would
# estimate true of almost none, and plan the shortlist's joins for a handful of workers).
MATCHABLE = and_(
    Worker.status == literal_column("'active'"),
    Worker.currently_placed == false(),
    case((cast(Worker.consents, Text).like(literal_column("""'%"registration"%'""")), true()), else_=false()),
)
# The workers an agency may consider of its own, and any one worker's standing, by an index alone.
Index(
    "ix_worker_matchable_agency",
    Worker.agency_organization_id,
    Worker.id,
    postgresql_where=MATCHABLE,
    sqlite_where=MATCHABLE,
)
Index("ix_worker_matchable", Worker.id, postgresql_where=MATCHABLE, sqlite_where=MATCHABLE)
