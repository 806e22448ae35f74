"""Tables of the fees domain."""

import uuid
from datetime import date, datetime

from sqlalchemy import Column, Text
from sqlmodel import Field

from fairpath.common.db import EnumString, UtcDateTime
from fairpath.common.domain_codes import FeeCategory, FeePaymentMethod
from fairpath.registry.db import RegistryModel
from fairpath.registry.fees.schemas import Payer, ReimbursementStatus, ReportChannel


class FeeReport(RegistryModel, table=True):
    __tablename__ = "fee_report"

    id: uuid.UUID = Field(primary_key=True)
    worker_id: uuid.UUID = Field(foreign_key="worker.id", index=True)
    category: FeeCategory = Field(sa_type=EnumString(FeeCategory, 30))
    amount_minor: int
    currency: str = Field(max_length=3)
    payment_method: FeePaymentMethod = Field(sa_type=EnumString(FeePaymentMethod, 30))
    paid_by: Payer = Field(sa_type=EnumString(Payer, 20))
    paid_to_business_id: uuid.UUID | None = Field(default=None, index=True)
    contract_id: uuid.UUID | None = None
    paid_on: date | None = None
    # Evidence (receipts, statements, the worker's account) may name people: sealed like personal data.
    evidence_sealed: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    channel: ReportChannel = Field(sa_type=EnumString(ReportChannel, 20))
    reported_by: str = Field(max_length=200)
    reported_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    # A worker-paid amount is a finding against this business (the one paid, else the registering agency).
    finding: bool
    finding_business_id: uuid.UUID | None = Field(default=None, index=True)
    reimbursement_status: ReimbursementStatus = Field(sa_type=EnumString(ReimbursementStatus, 20), index=True)
    promised_by_date: date | None = None
    promised_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    reimbursed_amount_minor: int | None = None
    reimbursed_on: date | None = None
    paid_recorded_by: str | None = Field(default=None, max_length=200)
    confirmed_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    disputed_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    version: int = 1
