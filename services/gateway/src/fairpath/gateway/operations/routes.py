"""`/v1/admin/events/...`: see the dead letters and put them back (admins only)."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from fairpath.common.errors import PROBLEM_RESPONSES, ServiceUnavailable, problems
from fairpath.common.events import dlq
from fairpath.gateway.deps import connected_broker
from fairpath.gateway.operations.auth import EventOperator

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
