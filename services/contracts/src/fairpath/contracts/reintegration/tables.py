"""Tables of return and reintegration: a contract's return journey and the invitations to a next season."""

import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, Column, UniqueConstraint
from sqlmodel import Field

from fairpath.common.db import EnumString, UtcDateTime
from fairpath.contracts.contracts.terms import PaidBy
from fairpath.contracts.db import ContractsModel


class ContractReturn(ContractsModel, table=True):
    """The return journey of one contract: recorded by the employer or agency, confirmed by the worker, in
    either order. Its changes move the contract's version, which its events carry."""

    __tablename__ = "contract_return"

    contract_id: uuid.UUID = Field(foreign_key="contract.id", primary_key=True)
    travel_date: date | None = None
    paid_by: PaidBy | None = Field(default=None, sa_type=EnumString(PaidBy, 20))
    # What the worker paid for the journey, when they did (a finding): minor units of the currency.
    worker_paid_amount: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    currency: str | None = Field(default=None, max_length=3)
    recorded_by: str | None = Field(default=None, max_length=200)
    recorded_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    confirmed_home_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))


class SeasonInvitation(ContractsModel, table=True):
    """A worker invited to the next season's job order, on the strength of a season completed in good standing."""

    __tablename__ = "season_invitation"
    __table_args__ = (UniqueConstraint("job_order_id", "worker_id", name="uq_season_invitation_worker"),)

    id: uuid.UUID = Field(primary_key=True)
    job_order_id: uuid.UUID = Field(foreign_key="job_order.id", index=True)
    previous_contract_id: uuid.UUID = Field(foreign_key="contract.id", index=True)
    worker_id: uuid.UUID = Field(index=True)
    employer_id: uuid.UUID = Field(index=True)
    invited_by: str = Field(max_length=200)
    invited_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    version: int = 1
