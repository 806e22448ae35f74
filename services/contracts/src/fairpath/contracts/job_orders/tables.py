"""Tables of the job-orders domain."""

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Column, UniqueConstraint
from sqlmodel import Field

from fairpath.common.db import EnumString, UtcDateTime
from fairpath.contracts.contracts.terms import Provision
from fairpath.contracts.db import ContractsModel
from fairpath.contracts.reference.schemas import PayPeriod


class JobOrder(ContractsModel, table=True):
    __tablename__ = "job_order"

    id: uuid.UUID = Field(primary_key=True)
    employer_id: uuid.UUID = Field(index=True)
    destination_country: str = Field(max_length=2)
    sector: str = Field(max_length=1)
    reference: str | None = Field(default=None, max_length=100)
    created_by_organization_id: uuid.UUID | None = None
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class ServiceAgreement(ContractsModel, table=True):
    """Employer and one recruiting agency: the agency recruits for the job order, the employer pays every cost."""

    __tablename__ = "service_agreement"
    __table_args__ = (UniqueConstraint("job_order_id", "agency_id", name="uq_service_agreement_agency"),)

    id: uuid.UUID = Field(primary_key=True)
    job_order_id: uuid.UUID = Field(foreign_key="job_order.id", index=True)
    agency_id: uuid.UUID = Field(index=True)
    signed_on: date
    employer_pays_all_costs: bool
    reference: str | None = Field(default=None, max_length=100)


class JobPosition(ContractsModel, table=True):
    """One kind of position of a job order, with the least its contracts may offer."""

    __tablename__ = "job_position"

    id: uuid.UUID = Field(primary_key=True)
    job_order_id: uuid.UUID = Field(foreign_key="job_order.id", index=True)
    occupation: str = Field(max_length=4)
    title: str = Field(max_length=500)
    number_of_workers: int
    # What the work asks of a worker (matching weighs it): languages (BCP 47 tags) and years of experience.
    languages: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    min_years_experience: int | None = None
    # Minor units: a monthly wage in rupiah is past 2^31 sen.
    pay_amount: int = Field(sa_column=Column(BigInteger, nullable=False))
    currency: str = Field(max_length=3)
    pay_period: PayPeriod = Field(sa_type=EnumString(PayPeriod, 10))
    normal_hours_per_day: float
    normal_hours_per_week: float
    weekly_rest_days: int
    paid_annual_leave_days: int
    duration_months: int | None = None
    housing: Provision = Field(sa_type=EnumString(Provision, 20))
    food: Provision = Field(sa_type=EnumString(Provision, 20))
