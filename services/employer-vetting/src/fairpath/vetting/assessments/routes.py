"""HTTP routes of the assessments domain."""

import uuid

from fastapi import APIRouter, status

from fairpath.common.auth import Role, roles
from fairpath.common.db import SessionDep
from fairpath.common.errors import PROBLEM_RESPONSES
from fairpath.vetting.assessments import service
from fairpath.vetting.assessments.questions import QuestionSet, question_set
from fairpath.vetting.assessments.schemas import AssessmentCreate, AssessmentPublic

router = APIRouter(tags=["assessments"], responses=PROBLEM_RESPONSES)


@router.get("/v1/assessment-questions", response_model=QuestionSet, summary="The IRIS-derived question set")
async def get_questions(_: roles(*list(Role))) -> QuestionSet:
    return question_set()


@router.post(
    "/v1/businesses/{business_id}/assessments",
    status_code=status.HTTP_201_CREATED,
    response_model=AssessmentPublic,
    summary="Submit an IRIS self-assessment",
)
async def submit_assessment(
    business_id: uuid.UUID,
    body: AssessmentCreate,
    session: SessionDep,
    principal: roles(Role.admin, Role.compliance_officer, Role.agency, Role.employer),
) -> AssessmentPublic:
    assessment, findings = await service.submit_assessment(
        session=session, principal=principal, business_id=business_id, data=body
    )
    return AssessmentPublic.model_validate(assessment).model_copy(update={"findings": findings})
