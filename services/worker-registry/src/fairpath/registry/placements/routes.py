"""HTTP routes of the placements domain: `GET /v1/workers/{id}/placements`."""

import uuid

from fastapi import APIRouter

from fairpath.common.errors import PROBLEM_RESPONSES, NotFound, problems
from fairpath.common.pagination import CursorParam, LimitParam, Page, decode_cursor
from fairpath.registry.deps import LedgerDep, WriteSessionDep
from fairpath.registry.placements import service
from fairpath.registry.placements.auth import PlacementReader
from fairpath.registry.placements.schemas import PlacementPublic

router = APIRouter(tags=["placements"], responses=PROBLEM_RESPONSES)


@router.get(
    "/v1/workers/{worker_id}/placements",
    response_model=Page[PlacementPublic],
    summary="The worker's placement history, with re-hire eligibility",
    responses=problems(NotFound),
)
async def list_placements(
    worker_id: uuid.UUID,
    session: WriteSessionDep,  # a read by anyone but the owner is an audit entry
    ledger: LedgerDep,
    principal: PlacementReader,
    cursor: CursorParam = None,
    limit: LimitParam = 50,
) -> Page[PlacementPublic]:
    rows = await service.placements_of(
        session=session,
        ledger=ledger,
        principal=principal,
        worker_id=worker_id,
        after=decode_cursor(cursor),
        limit=limit + 1,
    )
    items = [service.present(p) for p in rows[:limit]]
    return Page.of(items, more=len(rows) > limit, key="contract_id")
