"""Tables of the workers domain.

Personal data sits in the `*_sealed` columns only, each value encrypted with the key it
names (see fairpath.registry.crypto); the clear columns hold codes a search needs.
"""

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, Column, Index, Text
from sqlmodel import Field

from fairpath.common.db import EnumString, UtcDateTime
from fairpath.common.domain_codes import ConsentPurpose, ContractParty, ContractStatus, ContractTerm, TerminationReason
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

    # The purposes in force; `data_sharing_with_employer` while the worker shares their profile with at least
    # one employer (which ones: `WorkerEmployerConsent`); `considered_by_recruiter` likewise, per recruiter
    # (`WorkerRecruiterConsent`).
    consents: list[ConsentPurpose] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
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
    # Of `data_sharing_with_employer`: the employer business it is given to, or withdrawn from (None only in
    # records from before consent was tied to an employer, migration 0006); of `considered_by_recruiter`: the
    # recruiter.
    business_id: uuid.UUID | None = Field(default=None)
    # The worker's written request an agency acted on (method written_request).
    request_reference: str | None = Field(default=None, max_length=200)
    recorded_by: str = Field(max_length=200)
    recorded_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class WorkerEmployerConsent(RegistryModel, table=True):
    """An employer the worker shares their profile with, while the consent is in force (withdrawn: no row).

    With the worker's placements, the reach of an employer: it sees the profile of a worker who consented to
    share it with that employer, or who holds a contract with it (design.md, "References are reach too")."""

    __tablename__ = "worker_employer_consent"

    worker_id: uuid.UUID = Field(primary_key=True, foreign_key="worker.id")
    employer_id: uuid.UUID = Field(primary_key=True)
    consent_record_id: uuid.UUID
    granted_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


# An employer's worker list: the workers who share with it, by one index range.
Index("ix_worker_employer_consent_employer", WorkerEmployerConsent.employer_id, WorkerEmployerConsent.worker_id)


class WorkerRecruiterConsent(RegistryModel, table=True):
    """A recruiter (an agency or an employer) the worker consents to be considered by, while the consent is in
    force (withdrawn: no row): the recruiter's candidate shortlists may name the worker (fairpath.registry.matching)."""

    __tablename__ = "worker_recruiter_consent"

    worker_id: uuid.UUID = Field(primary_key=True, foreign_key="worker.id")
    recruiter_id: uuid.UUID = Field(primary_key=True)
    consent_record_id: uuid.UUID
    granted_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


# A recruiter's candidates: the workers who consented to be considered by it, by one index range.
Index("ix_worker_recruiter_consent_recruiter", WorkerRecruiterConsent.recruiter_id, WorkerRecruiterConsent.worker_id)


class Placement(RegistryModel, table=True):
    """A contract of a worker, as of the newest contracts event applied (its `version`): the placements
    domain's projection of contracts (fairpath.registry.placements builds and reads it).

    Declared with the workers' tables because a worker's reach reads it (an employer reaches the workers
    holding a contract with it) and the placements domain builds on the workers domain, not the reverse."""

    __tablename__ = "placement"

    contract_id: uuid.UUID = Field(primary_key=True)
    worker_id: uuid.UUID = Field(index=True)
    employer_id: uuid.UUID = Field(index=True)
    agency_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    job_order_id: uuid.UUID | None = None
    status: ContractStatus = Field(sa_type=EnumString(ContractStatus, 20))
    term: ContractTerm = Field(sa_type=EnumString(ContractTerm, 20))
    start_date: date
    end_date: date | None = None
    destination_country: str = Field(max_length=2)
    occupation: str = Field(max_length=4)
    sector: str | None = Field(default=None, max_length=1)
    completed_on: date | None = None
    good_standing: bool | None = None
    terminated_on: date | None = None
    termination_reason: TerminationReason | None = Field(default=None, sa_type=EnumString(TerminationReason, 30))
    ended_by: ContractParty | None = Field(default=None, sa_type=EnumString(ContractParty, 20))
    rehire_eligible: bool = False
    version: int
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
