"""HTTP routes of the reference tables: everyone signed in reads them, the operator's admins replace them."""

from fastapi import APIRouter

from fairpath.common.errors import PROBLEM_RESPONSES, problems
from fairpath.common.pagination import Page
from fairpath.contracts.deps import LedgerDep, ReadSessionDep, WriteSessionDep
from fairpath.contracts.reference import service
from fairpath.contracts.reference.auth import ReferenceKeeper, ReferenceReader
from fairpath.contracts.reference.schemas import (
    ExchangeRateRow,
    ExchangeRateTable,
    MinimumWageRow,
    MinimumWageTable,
    WorkingTimeLimitRow,
    WorkingTimeLimitTable,
)

router = APIRouter(prefix="/v1/reference", tags=["reference"], responses=PROBLEM_RESPONSES)


@router.get(
    "/minimum-wages",
    response_model=Page[MinimumWageRow],
    summary="Minimum wages by destination and sector",
    responses=problems(),
)
async def list_minimum_wages(session: ReadSessionDep, _: ReferenceReader) -> Page[MinimumWageRow]:
    return service.present(MinimumWageRow, await service.minimum_wages(session))


@router.put(
    "/minimum-wages",
    response_model=Page[MinimumWageRow],
    summary="Replace the minimum-wage table (each row with its source and date)",
    responses=problems(),
)
async def replace_minimum_wages(
    body: MinimumWageTable, session: WriteSessionDep, ledger: LedgerDep, principal: ReferenceKeeper
) -> Page[MinimumWageRow]:
    rows = await service.replace_minimum_wages(session=session, ledger=ledger, principal=principal, table=body)
    return service.present(MinimumWageRow, rows)


@router.get(
    "/working-time-limits",
    response_model=Page[WorkingTimeLimitRow],
    summary="Working-time limits by destination (the ILO baselines apply where a destination has no row)",
    responses=problems(),
)
async def list_working_time_limits(session: ReadSessionDep, _: ReferenceReader) -> Page[WorkingTimeLimitRow]:
    return service.present(WorkingTimeLimitRow, await service.working_time_limits(session))


@router.put(
    "/working-time-limits",
    response_model=Page[WorkingTimeLimitRow],
    summary="Replace the working-time table",
    responses=problems(),
)
async def replace_working_time_limits(
    body: WorkingTimeLimitTable, session: WriteSessionDep, ledger: LedgerDep, principal: ReferenceKeeper
) -> Page[WorkingTimeLimitRow]:
    rows = await service.replace_working_time_limits(session=session, ledger=ledger, principal=principal, table=body)
    return service.present(WorkingTimeLimitRow, rows)


@router.get(
    "/exchange-rates",
    response_model=Page[ExchangeRateRow],
    summary="Exchange rates the substitution check converts pay with",
    responses=problems(),
)
async def list_exchange_rates(session: ReadSessionDep, _: ReferenceReader) -> Page[ExchangeRateRow]:
    return service.present(ExchangeRateRow, await service.exchange_rates(session))


@router.put(
    "/exchange-rates",
    response_model=Page[ExchangeRateRow],
    summary="Replace the exchange-rate table",
    responses=problems(),
)
async def replace_exchange_rates(
    body: ExchangeRateTable, session: WriteSessionDep, ledger: LedgerDep, principal: ReferenceKeeper
) -> Page[ExchangeRateRow]:
    rows = await service.replace_exchange_rates(session=session, ledger=ledger, principal=principal, table=body)
    return service.present(ExchangeRateRow, rows)
