"""What contracts knows of each worker: consent and the languages they read, never who they are; and the
recruiters whose offer the worker accepted, which may contract them."""

import uuid
from datetime import datetime

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field

from fairpath.common.db import UtcDateTime
from fairpath.contracts.db import ContractsModel


class WorkerProjection(ContractsModel, table=True):
    __tablename__ = "worker_projection"

    worker_id: uuid.UUID = Field(primary_key=True)
    consents: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    languages: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    agency_id: uuid.UUID | None = None
    # An erased worker keeps a row (and its version) so that a late event cannot bring it back.
    erased: bool = False
    version: int
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class AcceptedOffer(ContractsModel, table=True):
    """A recruiter (an agency or an employer) whose offer the worker accepted in the registry
    (`registry.offer.accepted`): it may contract the worker, as an agency contracts the workers it registered."""

    __tablename__ = "accepted_offer"

    offer_id: uuid.UUID = Field(primary_key=True)
    worker_id: uuid.UUID
    recruiter_id: uuid.UUID
    job_order_id: uuid.UUID
    accepted_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    version: int
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


# Whether a recruiter may contract a worker: one index range.
Index("ix_accepted_offer_worker_recruiter", AcceptedOffer.worker_id, AcceptedOffer.recruiter_id)
