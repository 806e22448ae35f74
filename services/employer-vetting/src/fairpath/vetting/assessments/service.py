"""Submitting a self-assessment: every question answered, each non-compliant answer a finding."""

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.auth import Principal
from fairpath.common.domain_codes import Severity
from fairpath.common.errors import RuleViolations, Violation
from fairpath.common.ids import uuid7
from fairpath.common.ledger import Ledger
from fairpath.common.timeutil import utcnow
from fairpath.vetting.assessments.questions import question_set
from fairpath.vetting.assessments.schemas import Answer, AssessmentCreate, AssessmentPublic
from fairpath.vetting.assessments.tables import SelfAssessment
from fairpath.vetting.businesses.service import get_business, get_business_for_change
from fairpath.vetting.findings.flows import report_finding
from fairpath.vetting.findings.schemas import FindingKind, FindingSource
from fairpath.vetting.findings.tables import Finding


def present(assessment: SelfAssessment, findings: int) -> AssessmentPublic:
    """The assessment as submitted, with how many findings its non-compliant answers raised."""
    return AssessmentPublic.model_validate(assessment).model_copy(update={"findings": findings})


async def list_assessments(
    *, session: AsyncSession, principal: Principal, business_id: uuid.UUID, after: uuid.UUID | None, limit: int
) -> list[tuple[SelfAssessment, int]]:
    """A business's self-assessments, the latest first, each with the findings it raised; 404 outside the caller's
    reach, as for a random id."""
    await get_business(session=session, principal=principal, business_id=business_id)
    query = (
        select(SelfAssessment)
        .where(SelfAssessment.business_id == business_id)
        .order_by(SelfAssessment.id.desc())
        .limit(limit)
    )
    if after is not None:
        query = query.where(SelfAssessment.id < after)
    assessments = list((await session.execute(query)).scalars())
    if not assessments:
        return []
    # Each finding names the assessment that raised it in its source reference (`assessment:<id>:<question>`).
    prefix = func.substr(Finding.source_ref, 1, len("assessment:") + 36)
    raised = dict(
        (
            await session.execute(
                select(prefix, func.count())
                .where(Finding.business_id == business_id, Finding.source_ref.like("assessment:%"))
                .group_by(prefix)
            )
        ).all()
    )
    return [(a, raised.get(f"assessment:{a.id}", 0)) for a in assessments]


async def submit_assessment(
    *, session: AsyncSession, ledger: Ledger, principal: Principal, business_id: uuid.UUID, data: AssessmentCreate
) -> tuple[SelfAssessment, int]:
    business = await get_business_for_change(session, principal, business_id)
    questions = question_set().by_id()
    violations = []
    seen: set[str] = set()
    for i, answer in enumerate(data.answers):
        if answer.question_id not in questions:
            violations.append(
                Violation(
                    field=f"answers.{i}.question_id",
                    rule="unknown_question",
                    message=f"{answer.question_id} is not in question set {question_set().version}",
                )
            )
        elif answer.question_id in seen:
            violations.append(Violation(field=f"answers.{i}.question_id", rule="unique", message="answered twice"))
        seen.add(answer.question_id)
    for qid in questions:
        if qid not in seen:
            violations.append(
                Violation(field="answers", rule="unanswered_question", message=f"question {qid} is not answered")
            )
    if violations:
        raise RuleViolations(violations)

    assessment = SelfAssessment(
        id=uuid7(),
        business_id=business.id,
        question_set=question_set().version,
        answers=[
            {
                "question_id": a.question_id,
                "principle": questions[a.question_id].principle,
                "answer": a.answer.value,
                "evidence": a.evidence,
            }
            for a in data.answers
        ],
        submitted_by=principal.user_id,
        submitted_at=utcnow(),
    )
    session.add(assessment)
    await session.flush()
    await ledger.append(
        session,
        actor=principal.actor,
        action="assessment.submitted",
        record_type="self_assessment",
        record_id=assessment.id,
        changes={"business_id": str(business.id), "answers": assessment.answers},
    )
    findings = 0
    for a in data.answers:
        if a.answer == Answer.non_compliant:
            recorded = await report_finding(
                session,
                ledger,
                business_id=business.id,
                kind=FindingKind.self_assessment_non_compliant,
                principle=questions[a.question_id].principle,
                severity=Severity.medium,
                source=FindingSource.vetting,
                source_ref=f"assessment:{assessment.id}:{a.question_id}",
                evidence={"question_id": a.question_id, "assessment_id": str(assessment.id)},
                actor=principal.actor,
            )
            findings += recorded is not None
    return assessment, findings
