"""Tables of the watchlists domain: lists, their entries (one row per listed entity), retrieval keys, imports."""

import uuid
from datetime import datetime

from sqlalchemy import JSON, Column, Index, String, UniqueConstraint
from sqlmodel import Field

from fairpath.common.db import EnumString, UtcDateTime
from fairpath.common.domain_codes import WatchlistKind
from fairpath.vetting.db import VettingModel
from fairpath.vetting.watchlists.schemas import ImportFormat, ImportMode, ImportStatus, RescreeningStatus


class Watchlist(VettingModel, table=True):
    __tablename__ = "watchlist"
    # Named, since PostgreSQL's default name for it (watchlist_name_key) is the keys table's name.
    __table_args__ = (UniqueConstraint("name", name="uq_watchlist_name"),)

    id: uuid.UUID = Field(primary_key=True)
    name: str = Field(max_length=200)
    kind: WatchlistKind = Field(sa_type=EnumString(WatchlistKind, 20), index=True)
    source: str | None = Field(default=None, max_length=500)
    created_by: uuid.UUID
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    version: int = 1


class WatchlistEntry(VettingModel, table=True):
    """A listed entity as the list publishes it. Its content hash changes with its content, so a
    dismissed hit on an older version does not silence a changed entry."""

    __tablename__ = "watchlist_entry"
    __table_args__ = (UniqueConstraint("watchlist_id", "entity_id", name="uq_watchlist_entry_entity"),)

    id: uuid.UUID = Field(primary_key=True)
    watchlist_id: uuid.UUID = Field(foreign_key="watchlist.id", index=True)
    entity_id: str = Field(max_length=300)  # the list's own id (an OpenSanctions id, or the CSV's)
    schema_name: str = Field(max_length=40)  # FollowTheMoney schema: Company, Organization, LegalEntity, Person
    caption: str = Field(max_length=500)
    properties: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    content_hash: str = Field(max_length=64)
    # The import that last changed this entry's content (or removed it): list-change re-screening reads it.
    changed_import_id: uuid.UUID = Field(index=True)
    # The import that last saw it: a replacing import removes entries it did not see.
    seen_import_id: uuid.UUID
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    removed_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))


class WatchlistNameKey(VettingModel, table=True):
    """Retrieval keys of current entries (name tokens, their phonetic keys, registration numbers):
    a screening looks candidates up here instead of scoring every entry."""

    __tablename__ = "watchlist_name_key"
    __table_args__ = (Index("ix_watchlist_name_key_entry", "entry_id"),)

    key: str = Field(sa_column=Column(String(120), primary_key=True))
    entry_id: uuid.UUID = Field(primary_key=True, foreign_key="watchlist_entry.id")


class WatchlistTermVariant(VettingModel, table=True):
    """The spelling variants of the words in listed names (each word with up to two letters left out):
    a screening looks its own words' variants up here to find the listed words a few edits away."""

    __tablename__ = "watchlist_term_variant"

    variant: str = Field(sa_column=Column(String(120), primary_key=True))
    term: str = Field(sa_column=Column(String(120), primary_key=True))


class WatchlistImport(VettingModel, table=True):
    """An import job: its progress while the upload streams in, and its counts once done."""

    __tablename__ = "watchlist_import"

    id: uuid.UUID = Field(primary_key=True)
    watchlist_id: uuid.UUID = Field(foreign_key="watchlist.id", index=True)
    format: ImportFormat = Field(sa_type=EnumString(ImportFormat, 10))
    mode: ImportMode = Field(sa_type=EnumString(ImportMode, 10))
    status: ImportStatus = Field(sa_type=EnumString(ImportStatus, 20))
    bytes_total: int | None = None
    bytes_read: int = 0
    lines_read: int = 0
    loaded: int = 0  # new or changed entries
    unchanged: int = 0
    skipped: int = 0  # valid entities of a schema that is not screened (vessels, sanctions programmes, ...)
    rejected: int = 0
    removed: int = 0
    rescreening: RescreeningStatus = Field(
        default=RescreeningStatus.not_needed, sa_type=EnumString(RescreeningStatus, 20)
    )
    rescreened_businesses: int = 0
    new_hits: int = 0
    error: str | None = Field(default=None, max_length=500)
    started_by: uuid.UUID
    started_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    finished_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))


class WatchlistImportRejection(VettingModel, table=True):
    """A line an import refused, with its number and why; the other lines still load."""

    __tablename__ = "watchlist_import_rejection"

    import_id: uuid.UUID = Field(primary_key=True, foreign_key="watchlist_import.id")
    line: int = Field(primary_key=True)
    reason: str = Field(max_length=300)
