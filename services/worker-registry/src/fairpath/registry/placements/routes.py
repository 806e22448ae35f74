"""HTTP routes of the placements domain: `GET /v1/workers/{id}/placements`."""

import uuid

from fastapi import APIRouter

from fairpath.common.auth import Role, roles
from fairpath.common.errors import PROBLEM_RESPONSES
from fairpath.common.pagination import CursorParam, LimitParam, Page, decode_cursor
from fairpath.registry.dependencies import AuditedReadSessionDep
from fairpath.registry.placements import service
from fairpath.registry.placements.schemas import PlacementPublic

router = APIRouter(tags=["placements"], responses=PROBLEM_RESPONSES)

Reader = roles(*Role)


@router.get(
    "/v1/workers/{worker_id}/placements",
    response_model=Page[PlacementPublic],
    summary="The worker's placement history, with re-hire eligibility",
)
async def list_placements(
    worker_id: uuid.UUID,
    session: AuditedReadSessionDep,
    principal: Reader,
    cursor: CursorParam = None,
    limit: LimitParam = 50,
) -> Page[PlacementPublic]:
    rows = await service.placements_of(
        session=session, principal=principal, worker_id=worker_id, after=decode_cursor(cursor), limit=limit + 1
    )
    items = [PlacementPublic.model_validate(p) for p in rows[:limit]]
    return Page.of(items, more=len(rows) > limit, key="contract_id")
