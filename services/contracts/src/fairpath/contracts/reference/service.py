"""Reading and replacing the operator's reference tables, and the lookups the contract rules make."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TypeVar

from pydantic import BaseModel
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.auth import Principal
from fairpath.common.ids import uuid7
from fairpath.common.ledger import Ledger
from fairpath.common.pagination import Page
from fairpath.common.timeutil import utcnow
from fairpath.contracts.reference.schemas import (
    ExchangeRateTable,
    MinimumWageTable,
    WorkingTimeLimitTable,
)
from fairpath.contracts.reference.tables import ExchangeRate, MinimumWage, WorkingTimeLimit
from fairpath.contracts.values import STORED

ILO_BASELINE_SOURCE = (
    "ILO baselines: at most 48 normal hours a week (C1, C30), at least one rest day in seven (C14, C106), "
    "at least three working weeks of paid annual leave (C132)"
)


@dataclass(frozen=True)
class WorkingTimeRules:
    """The limits a contract's hours, rest and leave are held to, and where they come from."""

    max_hours_per_week: float
    max_hours_per_day: float | None
    min_weekly_rest_days: int
    # None: the ILO baseline of three working weeks, counted in the contract's own working days.
    min_annual_leave_days: int | None
    source: str
    is_baseline: bool

    def min_leave_days_for(self, weekly_rest_days: int) -> int:
        if self.min_annual_leave_days is not None:
            return self.min_annual_leave_days
        return 3 * max(1, 7 - weekly_rest_days)


ILO_BASELINE = WorkingTimeRules(48, None, 1, None, ILO_BASELINE_SOURCE, True)


async def minimum_wage_for(session: AsyncSession, country: str, sector: str | None) -> MinimumWage | None:
    """The sector's own row if there is one, else the country's row for every sector."""
    rows = (await session.execute(select(MinimumWage).where(MinimumWage.country == country))).scalars().all()
    by_sector = {row.sector: row for row in rows}
    return by_sector.get(sector or "") or by_sector.get("")


async def working_time_for(session: AsyncSession, country: str) -> WorkingTimeRules:
    row = await session.get(WorkingTimeLimit, country)
    if row is None:
        return ILO_BASELINE
    return WorkingTimeRules(
        row.max_hours_per_week,
        row.max_hours_per_day,
        row.min_weekly_rest_days,
        row.min_annual_leave_days,
        f"{row.source} (as of {row.effective_from})",
        False,
    )


class ExchangeRates:
    """The operator's recorded rates, loaded once for a comparison; a missing pair is None, never a guess."""

    def __init__(self, rates: dict[tuple[str, str], Decimal]) -> None:
        self._rates = rates

    @classmethod
    async def load(cls, session: AsyncSession) -> "ExchangeRates":
        rows = (await session.execute(select(ExchangeRate))).scalars().all()
        return cls({(r.base_currency, r.quote_currency): Decimal(r.rate) for r in rows})

    def rate(self, base: str, quote: str) -> Decimal | None:
        if base == quote:
            return Decimal(1)
        if (base, quote) in self._rates:
            return self._rates[(base, quote)]
        inverse = self._rates.get((quote, base))
        return Decimal(1) / inverse if inverse else None


async def minimum_wages(session: AsyncSession) -> list[MinimumWage]:
    return list(
        (await session.execute(select(MinimumWage).order_by(MinimumWage.country, MinimumWage.sector))).scalars()
    )


async def working_time_limits(session: AsyncSession) -> list[WorkingTimeLimit]:
    return list((await session.execute(select(WorkingTimeLimit).order_by(WorkingTimeLimit.country))).scalars())


async def exchange_rates(session: AsyncSession) -> list[ExchangeRate]:
    query = select(ExchangeRate).order_by(ExchangeRate.base_currency, ExchangeRate.quote_currency)
    return list((await session.execute(query)).scalars())


async def replace_minimum_wages(
    *, session: AsyncSession, ledger: Ledger, principal: Principal, table: MinimumWageTable
) -> list[MinimumWage]:
    now = utcnow()
    await session.execute(delete(MinimumWage))
    session.add_all(
        MinimumWage(
            id=uuid7(),
            country=r.country,
            sector=r.sector or "",
            amount=r.amount,
            currency=r.currency,
            period=r.period,
            source=r.source,
            effective_from=r.effective_from,
            updated_at=now,
        )
        for r in table.items
    )
    await _audit(session, ledger, principal, "minimum_wage", table)
    return await minimum_wages(session)


async def replace_working_time_limits(
    *, session: AsyncSession, ledger: Ledger, principal: Principal, table: WorkingTimeLimitTable
) -> list[WorkingTimeLimit]:
    now = utcnow()
    await session.execute(delete(WorkingTimeLimit))
    session.add_all(WorkingTimeLimit(**r.model_dump(), updated_at=now) for r in table.items)
    await _audit(session, ledger, principal, "working_time_limit", table)
    return await working_time_limits(session)


async def replace_exchange_rates(
    *, session: AsyncSession, ledger: Ledger, principal: Principal, table: ExchangeRateTable
) -> list[ExchangeRate]:
    now = utcnow()
    await session.execute(delete(ExchangeRate))
    session.add_all(
        ExchangeRate(
            base_currency=r.base_currency,
            quote_currency=r.quote_currency,
            rate=str(r.rate),
            source=r.source,
            as_of=r.as_of,
            updated_at=now,
        )
        for r in table.items
    )
    await _audit(session, ledger, principal, "exchange_rate", table)
    return await exchange_rates(session)


async def _audit(session: AsyncSession, ledger: Ledger, principal: Principal, table_name: str, table) -> None:  # noqa: ANN001
    await session.flush()
    await ledger.append(
        session,
        actor=principal.actor,
        action=f"reference.{table_name}.replaced",
        record_type="reference_table",
        record_id=table_name,
        changes={"items": table.model_dump(mode="json")["items"]},
    )


Row = TypeVar("Row", bound=BaseModel)


def present(model: type[Row], rows: Sequence[object]) -> Page[Row]:
    """A whole reference table as the API shows it: every row, each with its source and date, on one page
    (as stored: the checks on what callers send do not apply to rows read back)."""
    return Page(items=[model.model_validate(r, context=STORED) for r in rows], next_cursor=None)


def today() -> date:
    return utcnow().date()
