"""HTTP routes of the findings domain: the findings against a business, for whoever may read the business."""

import uuid

from fastapi import APIRouter

from fairpath.common.errors import PROBLEM_RESPONSES, NotFound, problems
from fairpath.common.pagination import CursorParam, LimitParam, Page, decode_cursor
from fairpath.vetting.businesses.service import get_business
from fairpath.vetting.deps import ReadSessionDep
from fairpath.vetting.findings import service
from fairpath.vetting.findings.auth import FindingReader
from fairpath.vetting.findings.schemas import FindingKind, FindingPublic, FindingStatus

router = APIRouter(tags=["findings"], responses=PROBLEM_RESPONSES)


@router.get(
    "/v1/businesses/{business_id}/findings",
    response_model=Page[FindingPublic],
    summary="The findings against a business, oldest first: kind, IRIS principle, severity, source, evidence",
    description="Readable by every role that may read the business. A screening match names the listed entity "
    "only to the operator and the auditors; the business itself sees the kind of list it matched.",
    responses=problems(NotFound),
)
async def list_findings(
    business_id: uuid.UUID,
    session: ReadSessionDep,
    principal: FindingReader,
    kind: FindingKind | None = None,
    status: FindingStatus | None = None,
    cursor: CursorParam = None,
    limit: LimitParam = 50,
) -> Page[FindingPublic]:
    await get_business(session=session, principal=principal, business_id=business_id)
    rows = await service.find_findings(
        session, business_id=business_id, kind=kind, status=status, after=decode_cursor(cursor), limit=limit + 1
    )
    return Page.of([service.present(f, principal) for f in rows[:limit]], more=len(rows) > limit)
