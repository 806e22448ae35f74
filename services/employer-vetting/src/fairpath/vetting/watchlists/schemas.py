"""API models of the watchlists domain."""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from fairpath.common.domain_codes import WatchlistKind
from fairpath.common.text import Text


class ImportFormat(StrEnum):
    ftm = "ftm"  # FollowTheMoney JSON lines, as OpenSanctions publishes them
    csv = "csv"  # name,aliases,country,registration_number,id (aliases separated by ; or |)


class ImportMode(StrEnum):
    replace = "replace"  # the upload is the whole list: entries it does not contain are removed
    append = "append"  # the upload adds and changes entries; nothing is removed


class ImportStatus(StrEnum):
    running = "running"
    completed = "completed"
    failed = "failed"


class RescreeningStatus(StrEnum):
    """Re-screening businesses against what an import changed: after the load, in the background."""

    not_needed = "not_needed"  # the import changed no entry (or failed)
    pending = "pending"  # the list changed; businesses wait to be re-screened
    running = "running"
    completed = "completed"
    failed = "failed"


class WatchlistCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "OpenSanctions default",
                    "kind": "sanctions",
                    "source": "https://data.opensanctions.org/datasets/latest/default/entities.ftm.json",
                },
                {"name": "Operator blocklist", "kind": "blocklist", "source": "compliance team"},
            ]
        },
    )

    name: Annotated[Text, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    kind: WatchlistKind
    source: Annotated[Text, StringConstraints(strip_whitespace=True, max_length=500)] | None = None


class WatchlistPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    kind: WatchlistKind
    source: str | None
    entries: int = Field(description="entries currently on the list")
    created_at: datetime
    updated_at: datetime
    version: int


class ImportRejection(BaseModel):
    line: int
    reason: str


class WatchlistImportPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    watchlist_id: uuid.UUID
    format: ImportFormat
    mode: ImportMode
    status: ImportStatus
    progress: float | None = Field(description="share of the upload read, 0 to 1; null while its size is unknown")
    bytes_read: int
    bytes_total: int | None
    lines_read: int
    loaded: int = Field(description="new or changed entries")
    unchanged: int
    skipped: int = Field(description="valid entities of a schema that is not screened (vessels, programmes)")
    rejected: int
    removed: int
    rejections: list[ImportRejection] = Field(description="the first rejected lines, with their numbers and reasons")
    rejections_truncated: bool
    rescreening: RescreeningStatus = Field(
        description="re-screening businesses against the entries the import changed: it runs in the background "
        "once the list is loaded (`pending`, `running`), then `completed`; `not_needed` when nothing changed"
    )
    rescreened_businesses: int = Field(description="businesses re-screened so far (those resembling a changed entry)")
    new_hits: int = Field(description="potential hits the re-screening raised so far")
    error: str | None
    started_at: datetime
    finished_at: datetime | None
