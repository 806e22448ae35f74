"""Opening and deciding vetting cases: four eyes, no decision over an unresolved hit, expiry set at approval."""

import uuid
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.auth import Principal
from fairpath.common.domain_codes import BusinessStatus
from fairpath.common.errors import Conflict, Forbidden, NotFound, RuleViolations, Violation
from fairpath.common.events.catalogue import (
    BusinessApproved,
    BusinessConditionallyApproved,
    BusinessRejected,
    BusinessUpdated,
)
from fairpath.common.ids import uuid7
from fairpath.common.timeutil import utcnow
from fairpath.vetting.businesses import service as businesses
from fairpath.vetting.businesses.tables import Business
from fairpath.vetting.cases.schemas import CaseStatus, Decision, DecisionCreate
from fairpath.vetting.cases.tables import VettingCase
from fairpath.vetting.db import common
from fairpath.vetting.risk import service as risk

# Statuses after which a new finding reopens review (before a decision the open case already covers it).
_DECIDED = {
    s.value
    for s in (
        BusinessStatus.approved,
        BusinessStatus.conditionally_approved,
        BusinessStatus.rejected,
        BusinessStatus.suspended,
        BusinessStatus.expired,
    )
}


async def open_case_of(session: AsyncSession, business_id: uuid.UUID) -> VettingCase | None:
    return (
        (
            await session.execute(
                select(VettingCase).where(VettingCase.business_id == business_id, VettingCase.status == "open")
            )
        )
        .scalars()
        .first()
    )


async def open_case(
    *,
    session: AsyncSession,
    principal: Principal,
    business_id: uuid.UUID,
    reason: str,
    screening_threshold: float,
) -> VettingCase:
    business = await session.get(Business, business_id, with_for_update=True)
    if business is None:
        raise NotFound("business", business_id)
    existing = await open_case_of(session, business_id)
    if existing is not None:
        raise Conflict("the business already has an open vetting case", name="case_open", existing_id=str(existing.id))
    case = VettingCase(
        id=uuid7(),
        business_id=business_id,
        status="open",
        opened_by=principal.user_id,
        opened_reason=reason,
        opened_at=utcnow(),
    )
    session.add(case)
    await session.flush()
    await common.audit.append(
        session,
        actor=principal.actor,
        action="case.opened",
        record_type="vetting_case",
        record_id=case.id,
        changes={"business_id": str(business_id), "reason": reason},
    )
    if business.status in (BusinessStatus.registered.value, BusinessStatus.expired.value):
        business.status = BusinessStatus.under_review.value
        business.version += 1
        business.updated_at = utcnow()
        await session.flush()
        await common.audit.append(
            session,
            actor=principal.actor,
            action="business.under_review",
            record_type="business",
            record_id=business.id,
            changes={"status": business.status},
        )
        from fairpath.common.events.outbox import record_event

        await record_event(
            session,
            common.outbox,
            BusinessUpdated(**businesses.business_state(business), changed_fields=["status"]),
            business.id,
        )
    await _licence_finding(session, business, case, principal.actor)
    from fairpath.vetting.screening.schemas import ScreeningTrigger
    from fairpath.vetting.screening.service import screen_business

    await screen_business(
        session, business=business, actor=principal.actor, threshold=screening_threshold, trigger=ScreeningTrigger.case
    )
    return case


async def _licence_finding(session: AsyncSession, business: Business, case: VettingCase, actor: str) -> None:
    """An agency without a valid operating licence is a finding under IRIS A (employers need none here)."""
    if business.kind != "recruitment_agency":
        return
    from fairpath.common.domain_codes import Severity
    from fairpath.vetting.findings.schemas import FindingKind
    from fairpath.vetting.findings.service import record_finding
    from fairpath.vetting.licences.service import licence_state

    state, evidence = await licence_state(session, business)
    kinds = {"missing": FindingKind.licence_missing, "expired": FindingKind.licence_expired}
    if state in kinds:
        await record_finding(
            session,
            business_id=business.id,
            kind=kinds[state],
            principle="A",
            severity=Severity.high,
            source="vetting",
            source_ref=f"case:{case.id}",
            evidence={"state": state, "detail": evidence},
            actor=actor,
        )


async def reopen_for_finding(session: AsyncSession, *, business: Business, finding, actor: str) -> VettingCase | None:  # noqa: ANN001
    """A finding after a decision reopens review: an open case, by the system, for any officer to decide.
    Before any decision the finding simply waits for the case that decides the business."""
    case = await open_case_of(session, business.id)
    if case is not None or business.status not in _DECIDED:
        return case
    case = VettingCase(
        id=uuid7(),
        business_id=business.id,
        status="open",
        opened_by=None,
        opened_reason=f"finding {finding.kind}",
        opened_at=utcnow(),
    )
    session.add(case)
    await session.flush()
    await common.audit.append(
        session,
        actor=actor,
        action="case.reopened",
        record_type="vetting_case",
        record_id=case.id,
        changes={"business_id": str(business.id), "finding_id": str(finding.id)},
    )
    return case


async def find_cases(
    session: AsyncSession,
    *,
    status: CaseStatus | None,
    business_id: uuid.UUID | None,
    after: uuid.UUID | None,
    limit: int,
) -> list[VettingCase]:
    """Cases in the order they were opened: status=open is the compliance team's work list."""
    query = select(VettingCase).order_by(VettingCase.id).limit(limit)
    if status is not None:
        query = query.where(VettingCase.status == status.value)
    if business_id is not None:
        query = query.where(VettingCase.business_id == business_id)
    if after is not None:
        query = query.where(VettingCase.id > after)
    return list((await session.execute(query)).scalars())


async def get_case(session: AsyncSession, case_id: uuid.UUID) -> VettingCase:
    case = await session.get(VettingCase, case_id)
    if case is None:
        raise NotFound("vetting case", case_id)
    return case


async def decide(
    *,
    session: AsyncSession,
    principal: Principal,
    case_id: uuid.UUID,
    data: DecisionCreate,
    approval_months: int,
) -> VettingCase:
    case = await session.get(VettingCase, case_id, with_for_update=True)
    if case is None:
        raise NotFound("vetting case", case_id)
    if case.opened_by == principal.user_id:
        raise Forbidden("four eyes: the compliance officer who opened a case may not decide it", name="four_eyes")
    if case.status != "open":
        raise Conflict(f"the case was already decided ({case.decision})", name="case_decided")
    from fairpath.vetting.screening.service import confirmed_sanctions_hits, unresolved_hit_count

    unresolved = await unresolved_hit_count(session, case.business_id)
    if unresolved:
        raise Conflict(
            f"{unresolved} potential screening hit(s) must be confirmed or dismissed first",
            name="unresolved_hits",
            unresolved_hits=unresolved,
        )
    if data.decision != Decision.rejected:
        sanctioned = await confirmed_sanctions_hits(session, case.business_id)
        if sanctioned:
            # A confirmed sanctions match suspends an approved business; approving one would be undone at once.
            raise Conflict(
                f"the business is confirmed as a sanctioned entity ({', '.join(sanctioned)}): it can only be rejected",
                name="confirmed_sanctions_match",
                entity_ids=sanctioned,
            )
    now = utcnow()
    if data.condition_deadline is not None and data.condition_deadline <= now:
        raise RuleViolations([Violation(field="condition_deadline", rule="future", message="the deadline has passed")])
    business = await session.get(Business, case.business_id, with_for_update=True)
    assessment = await risk.assess(session, business)

    case.status, case.decision, case.decision_reason = "decided", data.decision.value, data.reason
    case.conditions, case.condition_deadline = data.conditions, data.condition_deadline
    case.decided_by, case.decided_at = principal.user_id, now
    case.risk_at_decision = assessment.model_dump(mode="json")
    await session.flush()
    await common.audit.append(
        session,
        actor=principal.actor,
        action="case.decided",
        record_type="vetting_case",
        record_id=case.id,
        changes={"decision": data.decision.value, "reason": data.reason, "risk_score": assessment.score},
    )
    expires = _add_months(now, approval_months)
    common_fields = {
        "actor": principal.actor,
        "vetting_case_id": case.id,
        "decided_at": now,
        "risk_band": assessment.band,
    }
    if data.decision == Decision.approved:
        await businesses.transition(
            session,
            business,
            status=BusinessStatus.approved,
            event=BusinessApproved,
            action="business.approved",
            approval_expires_at=expires,
            **common_fields,
        )
    elif data.decision == Decision.conditionally_approved:
        await businesses.transition(
            session,
            business,
            status=BusinessStatus.conditionally_approved,
            event=BusinessConditionallyApproved,
            action="business.conditionally_approved",
            approval_expires_at=expires,
            condition_deadline=data.condition_deadline,
            conditions=data.conditions,
            **common_fields,
        )
    else:
        await businesses.transition(
            session,
            business,
            status=BusinessStatus.rejected,
            event=BusinessRejected,
            action="business.rejected",
            **common_fields,
        )
    return case


def _add_months(moment: datetime, months: int) -> datetime:
    year, month = divmod(moment.month - 1 + months, 12)
    try:
        return moment.replace(year=moment.year + year, month=month + 1)
    except ValueError:  # 31 January + 1 month: the last day of February
        return moment.replace(year=moment.year + year, month=month + 2, day=1) - timedelta(days=1)
