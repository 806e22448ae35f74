"""HTTP routes of the screening domain: compliance officers screen and resolve; auditors and admins read hits."""

import uuid

from fastapi import APIRouter, Request, status

from fairpath.common.auth import Role, roles
from fairpath.common.db import SessionDep
from fairpath.common.domain_codes import WatchlistKind
from fairpath.common.errors import PROBLEM_RESPONSES
from fairpath.common.pagination import CursorParam, LimitParam, Page, decode_cursor
from fairpath.vetting.screening import service
from fairpath.vetting.screening.schemas import (
    HitResolution,
    HitStatus,
    ScreeningHitPublic,
    ScreeningPublic,
)

router = APIRouter(tags=["screening"], responses=PROBLEM_RESPONSES)

Screener = roles(Role.compliance_officer)
# Hits name listed entities (possibly people): agencies and employers never see them.
HitReader = roles(Role.admin, Role.compliance_officer, Role.auditor)


@router.post(
    "/v1/businesses/{business_id}/screenings",
    status_code=status.HTTP_201_CREATED,
    response_model=ScreeningPublic,
    summary="Screen a business against every watchlist",
)
async def screen_business(
    business_id: uuid.UUID, request: Request, session: SessionDep, principal: Screener
) -> ScreeningPublic:
    threshold = getattr(request.app.state.settings, "screening_threshold", service.DEFAULT_THRESHOLD)
    screening, hits = await service.screen_business_by_id(
        session=session, principal=principal, business_id=business_id, threshold=threshold
    )
    return ScreeningPublic.model_validate(
        {**screening.model_dump(), "hits": [ScreeningHitPublic.model_validate(h) for h in hits]}
    )


def _page(rows: list, limit: int) -> Page[ScreeningHitPublic]:
    return Page.of([ScreeningHitPublic.model_validate(h) for h in rows[:limit]], more=len(rows) > limit)


@router.get(
    "/v1/businesses/{business_id}/screening-hits",
    response_model=Page[ScreeningHitPublic],
    summary="A business's screening hits, optionally by status",
)
async def list_hits(
    business_id: uuid.UUID,
    session: SessionDep,
    _: HitReader,
    status: HitStatus | None = None,
    cursor: CursorParam = None,
    limit: LimitParam = 50,
) -> Page[ScreeningHitPublic]:
    rows = await service.find_hits(
        session, business_id=business_id, status=status, after=decode_cursor(cursor), limit=limit + 1
    )
    return _page(rows, limit)


@router.get(
    "/v1/screening-hits",
    response_model=Page[ScreeningHitPublic],
    summary="Every business's screening hits, oldest first: status=potential is the review queue",
)
async def hit_queue(
    session: SessionDep,
    _: HitReader,
    status: HitStatus | None = None,
    watchlist_kind: WatchlistKind | None = None,
    cursor: CursorParam = None,
    limit: LimitParam = 50,
) -> Page[ScreeningHitPublic]:
    rows = await service.find_hits(
        session, status=status, watchlist_kind=watchlist_kind, after=decode_cursor(cursor), limit=limit + 1
    )
    return _page(rows, limit)


@router.get("/v1/screening-hits/{hit_id}", response_model=ScreeningHitPublic, summary="One screening hit")
async def get_hit(hit_id: uuid.UUID, session: SessionDep, _: HitReader) -> ScreeningHitPublic:
    return ScreeningHitPublic.model_validate(await service.get_hit(session, hit_id))


@router.post(
    "/v1/screening-hits/{hit_id}/resolution",
    response_model=ScreeningHitPublic,
    summary="Confirm or dismiss a potential hit, with a reason",
)
async def resolve_hit(
    hit_id: uuid.UUID, body: HitResolution, session: SessionDep, principal: Screener
) -> ScreeningHitPublic:
    return ScreeningHitPublic.model_validate(
        await service.resolve_hit(session=session, principal=principal, hit_id=hit_id, data=body)
    )
