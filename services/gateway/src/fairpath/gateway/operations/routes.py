"""`/v1/admin/events/...`: see the dead letters and put them back (admins only)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from fairpath.common.auth import Principal, Role
from fairpath.common.errors import PROBLEM_RESPONSES, Forbidden, ServiceUnavailable
from fairpath.common.events import dlq
from fairpath.common.events.broker import Broker
from fairpath.gateway.identity.service import authenticate

router = APIRouter(prefix="/v1/admin/events", tags=["operations"], responses=PROBLEM_RESPONSES)


def _admin(principal: Annotated[Principal, Depends(authenticate)]) -> Principal:
    if principal.role != Role.admin:
        raise Forbidden("only an admin handles dead letters")
    return principal


Admin = Annotated[Principal, Depends(_admin)]


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


def _broker(request: Request) -> Broker:
    broker: Broker | None = getattr(request.app.state, "broker", None)
    if broker is None or not broker.connected:
        raise ServiceUnavailable("the event broker is not connected")
    return broker


@router.get("/dead-letters", response_model=list[DeadLetterView], summary="Events a consumer gave up on")
async def list_dead_letters(
    request: Request,
    _: Admin,
    consumer: Annotated[str | None, Query(max_length=100)] = None,
) -> list[DeadLetterView]:
    return [DeadLetterView(**vars(d)) for d in await dlq.dead_letters(_broker(request), consumer)]


@router.post("/replay", response_model=ReplayResult, summary="Put dead letters back on their original subject")
async def replay_dead_letters(request: Request, _: Admin, body: ReplayRequest | None = None) -> ReplayResult:
    body = body or ReplayRequest()
    replayed = await dlq.replay(_broker(request), body.consumer, body.limit)
    return ReplayResult(replayed=[DeadLetterView(**vars(d)) for d in replayed])
