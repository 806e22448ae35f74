"""HTTP routes of the reference tables: everyone signed in reads them, the operator's admins replace them."""

from fastapi import APIRouter

from fairpath.common.auth import Role, roles
from fairpath.common.db import SessionDep
from fairpath.common.errors import PROBLEM_RESPONSES
from fairpath.common.pagination import Page
from fairpath.contracts.reference import service
from fairpath.contracts.reference.schemas import (
    ExchangeRateRow,
    ExchangeRateTable,
    MinimumWageRow,
    MinimumWageTable,
    WorkingTimeLimitRow,
    WorkingTimeLimitTable,
)

router = APIRouter(prefix="/v1/reference", tags=["reference"], responses=PROBLEM_RESPONSES)

Reader = roles(*Role)
Operator = roles(Role.admin)


def _page(model, rows) -> Page:  # noqa: ANN001
    return Page(items=[model.model_validate(r) for r in rows], next_cursor=None)


@router.get("/minimum-wages", response_model=Page[MinimumWageRow], summary="Minimum wages by destination and sector")
async def list_minimum_wages(session: SessionDep, _: Reader) -> Page[MinimumWageRow]:
    return _page(MinimumWageRow, await service.minimum_wages(session))


@router.put(
    "/minimum-wages",
    response_model=Page[MinimumWageRow],
    summary="Replace the minimum-wage table (each row with its source and date)",
)
async def replace_minimum_wages(
    body: MinimumWageTable, session: SessionDep, principal: Operator
) -> Page[MinimumWageRow]:
    return _page(MinimumWageRow, await service.replace_minimum_wages(session=session, principal=principal, table=body))


@router.get(
    "/working-time-limits",
    response_model=Page[WorkingTimeLimitRow],
    summary="Working-time limits by destination (the ILO baselines apply where a destination has no row)",
)
async def list_working_time_limits(session: SessionDep, _: Reader) -> Page[WorkingTimeLimitRow]:
    return _page(WorkingTimeLimitRow, await service.working_time_limits(session))


@router.put("/working-time-limits", response_model=Page[WorkingTimeLimitRow], summary="Replace the working-time table")
async def replace_working_time_limits(
    body: WorkingTimeLimitTable, session: SessionDep, principal: Operator
) -> Page[WorkingTimeLimitRow]:
    return _page(
        WorkingTimeLimitRow, await service.replace_working_time_limits(session=session, principal=principal, table=body)
    )


@router.get(
    "/exchange-rates",
    response_model=Page[ExchangeRateRow],
    summary="Exchange rates the substitution check converts pay with",
)
async def list_exchange_rates(session: SessionDep, _: Reader) -> Page[ExchangeRateRow]:
    return _page(ExchangeRateRow, await service.exchange_rates(session))


@router.put("/exchange-rates", response_model=Page[ExchangeRateRow], summary="Replace the exchange-rate table")
async def replace_exchange_rates(
    body: ExchangeRateTable, session: SessionDep, principal: Operator
) -> Page[ExchangeRateRow]:
    return _page(
        ExchangeRateRow, await service.replace_exchange_rates(session=session, principal=principal, table=body)
    )
