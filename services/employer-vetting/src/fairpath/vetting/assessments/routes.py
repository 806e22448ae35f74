"""HTTP routes of the assessments domain."""

import uuid

from fastapi import APIRouter, status

from fairpath.common.errors import PROBLEM_RESPONSES, NotFound, problems
from fairpath.common.pagination import CursorParam, LimitParam, Page, decode_cursor
from fairpath.vetting.assessments import service
from fairpath.vetting.assessments.auth import AssessmentReader, AssessmentSubmitter, QuestionReader
from fairpath.vetting.assessments.questions import QuestionSet, question_set
from fairpath.vetting.assessments.schemas import AssessmentCreate, AssessmentPublic
from fairpath.vetting.deps import LedgerDep, ReadSessionDep, WriteSessionDep

router = APIRouter(tags=["assessments"], responses=PROBLEM_RESPONSES)


@router.get("/v1/assessment-questions", response_model=QuestionSet, summary="The IRIS-derived question set")
async def get_questions(_: QuestionReader) -> QuestionSet:
    return question_set()


@router.post(
    "/v1/businesses/{business_id}/assessments",
    status_code=status.HTTP_201_CREATED,
    response_model=AssessmentPublic,
    summary="Submit an IRIS self-assessment",
    responses=problems(NotFound),
)
async def submit_assessment(
    business_id: uuid.UUID,
    body: AssessmentCreate,
    session: WriteSessionDep,
    ledger: LedgerDep,
    principal: AssessmentSubmitter,
) -> AssessmentPublic:
    assessment, findings = await service.submit_assessment(
        session=session, ledger=ledger, principal=principal, business_id=business_id, data=body
    )
    return service.present(assessment, findings)


@router.get(
    "/v1/businesses/{business_id}/assessments",
    response_model=Page[AssessmentPublic],
    summary="A business's self-assessments, the latest first, each with its answers and the findings it raised",
    responses=problems(NotFound),
)
async def list_assessments(
    business_id: uuid.UUID,
    session: ReadSessionDep,
    principal: AssessmentReader,
    cursor: CursorParam = None,
    limit: LimitParam = 20,
) -> Page[AssessmentPublic]:
    rows = await service.list_assessments(
        session=session, principal=principal, business_id=business_id, after=decode_cursor(cursor), limit=limit + 1
    )
    return Page.of([service.present(a, findings) for a, findings in rows[:limit]], more=len(rows) > limit)
