"""Tables of the offers domain."""

import uuid
from datetime import datetime

from sqlalchemy import Column, Index
from sqlmodel import Field

from fairpath.common.db import EnumString, UtcDateTime
from fairpath.registry.db import RegistryModel
from fairpath.registry.offers.schemas import OfferStatus, WithdrawalReason


class Offer(RegistryModel, table=True):
    """A recruiter's pick of a worker for a position of a job order, and the worker's answer."""

    __tablename__ = "offer"

    id: uuid.UUID = Field(primary_key=True)
    job_order_id: uuid.UUID = Field(index=True)
    position_id: uuid.UUID
    worker_id: uuid.UUID = Field(foreign_key="worker.id", index=True)
    # The business (an agency or the job order's employer) that made the offer.
    recruiter_id: uuid.UUID
    # The worker was registered by the recruiting agency (else: they consented to be considered by it), which
    # decides whether a withdrawn consent withdraws the offer.
    own_worker: bool
    status: OfferStatus = Field(sa_type=EnumString(OfferStatus, 20))
    withdrawal_reason: WithdrawalReason | None = Field(default=None, sa_type=EnumString(WithdrawalReason, 30))
    made_by: str = Field(max_length=200)
    made_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    # When it was accepted, declined or withdrawn.
    closed_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    version: int = 1


# A recruiter's offers, by one index range.
Index("ix_offer_recruiter", Offer.recruiter_id, Offer.id)
