"""Tables of the screening domain: each screening run, and the hits it raised."""

import uuid
from datetime import datetime

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field

from fairpath.common.db import EnumString, UtcDateTime
from fairpath.common.domain_codes import WatchlistKind
from fairpath.vetting.db import VettingModel
from fairpath.vetting.screening.schemas import HitStatus, ScreeningTrigger


class Screening(VettingModel, table=True):
    """One business screened: against every list, or against the entries one import changed."""

    __tablename__ = "screening"
    __table_args__ = (Index("ix_screening_business_screened_at", "business_id", "screened_at"),)

    id: uuid.UUID = Field(primary_key=True)
    business_id: uuid.UUID = Field(foreign_key="business.id")
    trigger: ScreeningTrigger = Field(sa_type=EnumString(ScreeningTrigger, 20))
    import_id: uuid.UUID | None = Field(default=None, foreign_key="watchlist_import.id", index=True)
    threshold: float
    candidates_scored: int
    hits_raised: int
    screened_by: str = Field(max_length=200)  # the actor, as the audit chain names it
    screened_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class ScreeningHit(VettingModel, table=True):
    """A listed entity that may be the business: potential until a compliance officer confirms or dismisses it."""

    __tablename__ = "screening_hit"
    # One hit per business and entry version: a dismissed entry is raised again only once its content changes.
    __table_args__ = (
        UniqueConstraint("business_id", "entry_id", "entry_content_hash", name="uq_screening_hit_entry_version"),
        Index("ix_screening_hit_business_status", "business_id", "status"),
        # The review queue: every business's potential hits, oldest first.
        Index("ix_screening_hit_status", "status", "id"),
    )

    id: uuid.UUID = Field(primary_key=True)
    business_id: uuid.UUID = Field(foreign_key="business.id")
    screening_id: uuid.UUID = Field(foreign_key="screening.id")
    watchlist_id: uuid.UUID = Field(foreign_key="watchlist.id")
    watchlist_kind: WatchlistKind = Field(sa_type=EnumString(WatchlistKind, 20))
    entry_id: uuid.UUID = Field(foreign_key="watchlist_entry.id", index=True)
    entity_id: str = Field(max_length=300)
    # The listed entity's name as the list gave it when it matched (its caption), so that a reviewer reads a name.
    listed_name: str | None = Field(default=None, max_length=500)
    entry_content_hash: str = Field(max_length=64)
    score: float
    # logic-v2's per-feature scores and details: why the matcher thinks so.
    explanation: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: HitStatus = Field(sa_type=EnumString(HitStatus, 20))
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    resolved_by: uuid.UUID | None = None
    resolved_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    resolution_reason: str | None = Field(default=None, max_length=2000)
    version: int = 1
