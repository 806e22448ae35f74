"""Tables of the contracts domain: the contract, its immutable versions, and arrival verifications."""

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, Text
from sqlmodel import Field

from fairpath.common.db import EnumString, UtcDateTime
from fairpath.common.domain_codes import ContractParty, ContractTerm, TerminationReason
from fairpath.contracts.contracts.codes import new_code
from fairpath.contracts.contracts.terms import SignatureMethod
from fairpath.contracts.db import ContractsModel


class ContractState(StrEnum):
    """The lifecycle: the shared ContractStatus of the events, plus `disputed` (a substitution finding),
    which no contract event reports as a status (the finding travels as its own event)."""

    draft = "draft"
    issued = "issued"
    signed = "signed"
    active = "active"
    disputed = "disputed"
    completed = "completed"
    terminated = "terminated"


class Contract(ContractsModel, table=True):
    __tablename__ = "contract"

    id: uuid.UUID = Field(primary_key=True)
    # The enums below are stored as VARCHAR: a new value needs no migration.
    status: ContractState = Field(sa_type=EnumString(ContractState, 20), index=True)
    job_order_id: uuid.UUID = Field(foreign_key="job_order.id", index=True)
    position_id: uuid.UUID = Field(foreign_key="job_position.id", index=True)
    employer_id: uuid.UUID = Field(index=True)
    agency_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    worker_id: uuid.UUID = Field(index=True)
    destination_country: str = Field(max_length=2)
    sector: str = Field(max_length=1)
    occupation: str = Field(max_length=4)
    term: ContractTerm = Field(sa_type=EnumString(ContractTerm, 20))
    departure_date: date
    start_date: date
    end_date: date | None = None
    current_version: int
    issued_version: int | None = None
    issued_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    signed_version: int | None = None
    signed_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    signature_method: SignatureMethod | None = Field(default=None, sa_type=EnumString(SignatureMethod, 20))
    activated_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    disputed_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    completed_on: date | None = None
    good_standing: bool | None = None
    terminated_on: date | None = None
    termination_reason: TerminationReason | None = Field(default=None, sa_type=EnumString(TerminationReason, 40))
    ended_by: ContractParty | None = Field(default=None, sa_type=EnumString(ContractParty, 20))
    warnings: list[dict] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_by_organization_id: uuid.UUID | None = None
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    # The aggregate's version in events: every change of terms or state adds one.
    version: int = 1


class ContractVersion(ContractsModel, table=True):
    """One version of the terms. Its terms and hash never change; what happens to the version (issued to the
    worker, signed, replaced by a later version) is stamped on it once and never cleared, so its history
    reads the same whatever happens to the contract afterwards."""

    __tablename__ = "contract_version"

    contract_id: uuid.UUID = Field(foreign_key="contract.id", primary_key=True)
    number: int = Field(primary_key=True)
    # The terms without the worker's personal data, which is sealed (encrypted) beside them.
    terms: dict = Field(sa_column=Column(JSON, nullable=False))
    worker_sealed: str = Field(sa_column=Column(Text, nullable=False))
    content_hash: str = Field(max_length=64)
    # Printed on the version's document (and in its QR code): anyone may check with it, without logging in,
    # whether a copy is the signed version (verification/). Random, never derived from the contract.
    verification_code: str = Field(default_factory=new_code, max_length=13, unique=True, index=True)
    warnings: list[dict] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_by: str = Field(max_length=200)
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    issued_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    signed_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    signature_method: SignatureMethod | None = Field(default=None, sa_type=EnumString(SignatureMethod, 20))
    superseded_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    superseded_by: int | None = None


class ArrivalVerification(ContractsModel, table=True):
    """The terms presented at destination, compared with the signed version; a finding if any is less favourable."""

    __tablename__ = "arrival_verification"

    id: uuid.UUID = Field(primary_key=True)
    contract_id: uuid.UUID = Field(foreign_key="contract.id", index=True)
    signed_version: int
    presented_hash: str = Field(max_length=64)
    presented_terms: dict = Field(sa_column=Column(JSON, nullable=False))
    presented_worker_sealed: str = Field(sa_column=Column(Text, nullable=False))
    changes: list[dict] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    substitution_found: bool
    verified_by: str = Field(max_length=200)
    verified_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class ContractRecruiter(ContractsModel, table=True):
    """Which recruiters a contract names, so that an agency finds its contracts by index."""

    __tablename__ = "contract_recruiter"

    contract_id: uuid.UUID = Field(foreign_key="contract.id", primary_key=True)
    agency_id: uuid.UUID = Field(primary_key=True, index=True)
