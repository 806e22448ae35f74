"""Tables of the workers domain.

Personal data sits in the `*_sealed` columns only, each value encrypted with the key it
names (see fairpath.registry.crypto); the clear columns hold codes a search needs.
"""

import uuid
from datetime import datetime

from sqlalchemy import JSON, Column, Index, Text
from sqlmodel import Field

from fairpath.common.db import EnumString, UtcDateTime
from fairpath.common.domain_codes import ConsentPurpose
from fairpath.registry.db import RegistryModel
from fairpath.registry.workers.schemas import (
    ConsentMethod,
    DocumentKind,
    Education,
    Proficiency,
    Sex,
    SkillLevel,
    WorkerStatus,
)


class Worker(RegistryModel, table=True):
    __tablename__ = "worker"

    id: uuid.UUID = Field(primary_key=True)
    status: WorkerStatus = Field(sa_type=EnumString(WorkerStatus, 20))
    # The organisation of the agency that registered the worker: it owns the record.
    agency_organization_id: uuid.UUID | None = Field(default=None)  # indexed with id below
    agency_business_id: uuid.UUID | None = Field(default=None)
    registered_by: str = Field(max_length=200)

    full_name_sealed: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    date_of_birth_sealed: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    document_number_sealed: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    phone_sealed: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    document_kind: DocumentKind | None = Field(default=None, sa_type=EnumString(DocumentKind, 20))
    document_country: str | None = Field(default=None, max_length=2)
    # HMAC of the document's country, kind and number: finds a second registration, reveals nothing.
    document_hash: str | None = Field(default=None, max_length=64, unique=True)

    sex: Sex | None = Field(default=None, sa_type=EnumString(Sex, 20))
    nationality: str | None = Field(default=None, max_length=2)
    origin_region: str | None = Field(default=None, max_length=200)
    education: Education | None = Field(default=None, sa_type=EnumString(Education, 30))

    consents: list[ConsentPurpose] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    shares_with_employers: bool = False
    currently_placed: bool = False
    rehire_eligible: bool = False

    pseudonym: str | None = Field(default=None, max_length=40)
    erased_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    version: int = 1


# The searches a typical employer or agency runs, by the columns they filter on.
Index("ix_worker_search_nationality", Worker.nationality, Worker.id)
Index("ix_worker_agency_id", Worker.agency_organization_id, Worker.id)


class WorkerLanguage(RegistryModel, table=True):
    __tablename__ = "worker_language"

    worker_id: uuid.UUID = Field(primary_key=True, foreign_key="worker.id")
    language: str = Field(primary_key=True, max_length=35)
    proficiency: Proficiency = Field(sa_type=EnumString(Proficiency, 20))
    proficiency_rank: int
    preference: int = 0


Index("ix_worker_language_search", WorkerLanguage.language, WorkerLanguage.worker_id)


class WorkerSkill(RegistryModel, table=True):
    """An occupation the worker has, with each ISCO-08 ancestor so a search by any level is an equality."""

    __tablename__ = "worker_skill"

    worker_id: uuid.UUID = Field(primary_key=True, foreign_key="worker.id")
    occupation: str = Field(primary_key=True, max_length=4)
    major: str = Field(max_length=1)
    sub_major: str | None = Field(default=None, max_length=2)
    minor: str | None = Field(default=None, max_length=3)
    unit: str | None = Field(default=None, max_length=4)
    level: SkillLevel = Field(sa_type=EnumString(SkillLevel, 20))
    level_rank: int
    years_experience: int | None = None


Index("ix_worker_skill_major", WorkerSkill.major, WorkerSkill.level_rank, WorkerSkill.worker_id)
Index("ix_worker_skill_sub_major", WorkerSkill.sub_major, WorkerSkill.level_rank, WorkerSkill.worker_id)
Index("ix_worker_skill_minor", WorkerSkill.minor, WorkerSkill.level_rank, WorkerSkill.worker_id)
Index("ix_worker_skill_unit", WorkerSkill.unit, WorkerSkill.level_rank, WorkerSkill.worker_id)


class ConsentRecord(RegistryModel, table=True):
    """One grant or withdrawal of consent for one purpose; the latest per purpose is in force."""

    __tablename__ = "consent_record"

    id: uuid.UUID = Field(primary_key=True)
    worker_id: uuid.UUID = Field(foreign_key="worker.id", index=True)
    purpose: ConsentPurpose = Field(sa_type=EnumString(ConsentPurpose, 40))
    granted: bool
    method: ConsentMethod = Field(sa_type=EnumString(ConsentMethod, 30))
    language: str = Field(max_length=35)
    given_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    # The worker's written request an agency acted on (method written_request).
    request_reference: str | None = Field(default=None, max_length=200)
    recorded_by: str = Field(max_length=200)
    recorded_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
