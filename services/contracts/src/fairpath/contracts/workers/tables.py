"""What contracts knows of each worker: consent and the languages they read, never who they are."""

import uuid
from datetime import datetime

from sqlalchemy import JSON, Column
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
