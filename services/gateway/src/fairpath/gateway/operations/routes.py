"""`/v1/admin/events/...`: see the dead letters and put them back; `/v1/admin/clock`: the clock every
service sees, outside production (admins only)."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from fairpath.common.errors import PROBLEM_RESPONSES, ServiceUnavailable, problems
from fairpath.common.events import dlq
from fairpath.gateway.deps import LedgerDep, WriteSessionDep, connected_broker
from fairpath.gateway.operations import service
from fairpath.gateway.operations.auth import ClockKeeper, EventOperator
from fairpath.gateway.operations.service import ClockChange, ClockNotSettable, ClockView

router = APIRouter(prefix="/v1/admin/events", tags=["operations"], responses=PROBLEM_RESPONSES)


class DeadLetterView(BaseModel):
    seq: int
    consumer: str
    subject: str
    stream: str
    stream_seq: int
    error: str
    event_id: str | None


class ReplayRequest(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"consumer": "registry-placements", "limit": 100}]})

    consumer: str | None = Field(default=None, max_length=100, description="only this consumer's dead letters")
    limit: int = Field(default=1000, ge=1, le=10000)


class ReplayResult(BaseModel):
    replayed: list[DeadLetterView]


@router.get(
    "/dead-letters",
    response_model=list[DeadLetterView],
    summary="Events a consumer gave up on",
    responses=problems(ServiceUnavailable),
)
async def list_dead_letters(
    request: Request,
    _: EventOperator,
    consumer: Annotated[str | None, Query(max_length=100)] = None,
) -> list[DeadLetterView]:
    return [DeadLetterView(**vars(d)) for d in await dlq.dead_letters(connected_broker(request), consumer)]


@router.post(
    "/replay",
    response_model=ReplayResult,
    summary="Put dead letters back on their original subject",
    responses=problems(ServiceUnavailable),
)
async def replay_dead_letters(request: Request, _: EventOperator, body: ReplayRequest | None = None) -> ReplayResult:
    body = body or ReplayRequest()
    replayed = await dlq.replay(connected_broker(request), body.consumer, body.limit)
    return ReplayResult(replayed=[DeadLetterView(**vars(d)) for d in replayed])


clock_router = APIRouter(prefix="/v1/admin/clock", tags=["operations"], responses=PROBLEM_RESPONSES)


@clock_router.get(
    "", response_model=ClockView, summary="The time every service sees (outside production)",
    responses=problems(ClockNotSettable),
)  # fmt: skip
async def get_clock(_: ClockKeeper) -> ClockView:
    return service.view_clock()


@clock_router.put(
    "",
    response_model=ClockView,
    summary="Move the clock every service sees (outside production)",
    description="Time-dependent rules (approval expiry, condition and grievance deadlines, the retaliation "
    "window, signing before departure) follow it, so a case that needs weeks to pass can be walked through "
    "the API. The clock runs on from the time given; `null` puts the system's clock back.",
    responses=problems(ClockNotSettable, ServiceUnavailable),
)
async def put_clock(
    request: Request, session: WriteSessionDep, ledger: LedgerDep, principal: ClockKeeper, change: ClockChange
) -> ClockView:
    service.ensure_settable()  # before the broker: production answers 403 whether or not it is connected
    return await service.move_clock(
        session=session, ledger=ledger, broker=connected_broker(request), principal=principal, change=change
    )
