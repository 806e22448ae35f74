"""Opening and deciding vetting cases: four eyes, no decision over an unresolved hit, expiry set at approval.

Opening screens the business and checks an agency's licence; deciding weighs the risk and the screening
hits: these flows compose the cases, findings, licences, screening and risk domains."""

import uuid
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.auth import Principal
from fairpath.common.domain_codes import BusinessStatus, Severity
from fairpath.common.errors import Conflict, Forbidden, NotFound, RuleViolations, Violation
from fairpath.common.events.catalogue import BusinessApproved, BusinessConditionallyApproved, BusinessRejected
from fairpath.common.ledger import Ledger
from fairpath.common.timeutil import utcnow
from fairpath.vetting.businesses import service as businesses
from fairpath.vetting.businesses.tables import Business
from fairpath.vetting.cases import service as cases
from fairpath.vetting.cases.schemas import CaseStatus, Decision, DecisionCreate
from fairpath.vetting.cases.tables import VettingCase
from fairpath.vetting.findings.flows import report_finding
from fairpath.vetting.findings.schemas import FindingKind, FindingSource
from fairpath.vetting.licences.schemas import LicenceState
from fairpath.vetting.licences.service import licence_required, licence_state
from fairpath.vetting.review.schemas import CaseView
from fairpath.vetting.risk import service as risk
from fairpath.vetting.screening import service as screening
from fairpath.vetting.screening.schemas import ScreeningTrigger


class CaseAlreadyOpen(Conflict):
    name = "case_open"
    description = "the business already has an open vetting case; `existing_id` names it"


class FourEyes(Forbidden):
    name = "four_eyes"
    description = "the compliance officer who opened a case may not decide it"


class CaseDecided(Conflict):
    name = "case_decided"
    description = "the case was already decided"


class UnresolvedHits(Conflict):
    name = "unresolved_hits"
    description = "potential screening hits must be confirmed or dismissed first; `unresolved_hits` counts them"


class ConfirmedSanctionsMatch(Conflict):
    name = "confirmed_sanctions_match"
    description = "the business is confirmed as a sanctioned entity (`entity_ids`): it can only be rejected"


# An agency's licence state at opening that is a finding, and which one.
_LICENCE_FINDINGS = {
    LicenceState.missing: FindingKind.licence_missing,
    LicenceState.expired: FindingKind.licence_expired,
}


async def open_case(
    *,
    session: AsyncSession,
    ledger: Ledger,
    principal: Principal,
    business_id: uuid.UUID,
    reason: str,
    screening_threshold: float,
) -> VettingCase:
    business = await session.get(Business, business_id, with_for_update=True)
    if business is None:
        raise NotFound("business", business_id)
    existing = await cases.open_case_of(session, business_id)
    if existing is not None:
        raise CaseAlreadyOpen("the business already has an open vetting case", existing_id=str(existing.id))
    case = await cases.start_case(
        session,
        ledger,
        business_id=business_id,
        opened_by=principal.user_id,
        reason=reason,
        actor=principal.actor,
        action="case.opened",
        changes={"business_id": str(business_id), "reason": reason},
    )
    await businesses.open_review(
        session,
        ledger,
        business,
        case_id=case.id,
        actor=principal.actor,
        under_review=business.status in (BusinessStatus.registered, BusinessStatus.expired),
    )
    await _licence_finding(session, ledger, business, case, principal.actor)
    await screening.screen_business(
        session,
        ledger,
        business=business,
        actor=principal.actor,
        threshold=screening_threshold,
        trigger=ScreeningTrigger.case,
    )
    return case


async def _licence_finding(
    session: AsyncSession, ledger: Ledger, business: Business, case: VettingCase, actor: str
) -> None:
    """An agency without a valid operating licence is a finding under IRIS A (employers need none here):
    `licence_missing` when it recorded none, `licence_expired` when the latest has run out."""
    if not licence_required(business):
        return
    state, evidence = await licence_state(session, business)
    if state in _LICENCE_FINDINGS:
        await report_finding(
            session,
            ledger,
            business_id=business.id,
            kind=_LICENCE_FINDINGS[state],
            principle="A",
            severity=Severity.high,
            source=FindingSource.vetting,
            source_ref=f"case:{case.id}",
            evidence={"state": state, "detail": evidence},
            actor=actor,
        )


async def view_case(session: AsyncSession, case_id: uuid.UUID) -> CaseView:
    """A case with the business's current risk, every factor behind it, and its unresolved hits."""
    case = await cases.get_case(session, case_id)
    business = await session.get(Business, case.business_id)
    return CaseView.model_validate(
        {
            **cases.present(case).model_dump(),
            "risk": await risk.assess(session, business),
            "unresolved_hits": await screening.unresolved_hit_count(session, case.business_id),
        }
    )


async def decide(
    *,
    session: AsyncSession,
    ledger: Ledger,
    principal: Principal,
    case_id: uuid.UUID,
    data: DecisionCreate,
    approval_months: int,
) -> VettingCase:
    case = await session.get(VettingCase, case_id, with_for_update=True)
    if case is None:
        raise NotFound("vetting case", case_id)
    if case.opened_by == principal.user_id:
        raise FourEyes("four eyes: the compliance officer who opened a case may not decide it")
    if case.status != CaseStatus.open:
        raise CaseDecided(f"the case was already decided ({case.decision})")
    unresolved = await screening.unresolved_hit_count(session, case.business_id)
    if unresolved:
        raise UnresolvedHits(
            f"{unresolved} potential screening hit(s) must be confirmed or dismissed first",
            unresolved_hits=unresolved,
        )
    if data.decision != Decision.rejected:
        sanctioned = await screening.confirmed_sanctions_hits(session, case.business_id)
        if sanctioned:
            # A confirmed sanctions match suspends an approved business; approving one would be undone at once.
            raise ConfirmedSanctionsMatch(
                f"the business is confirmed as a sanctioned entity ({', '.join(sanctioned)}): it can only be rejected",
                entity_ids=sanctioned,
            )
    now = utcnow()
    if data.condition_deadline is not None and data.condition_deadline <= now:
        raise RuleViolations([Violation(field="condition_deadline", rule="future", message="the deadline has passed")])
    business = await session.get(Business, case.business_id, with_for_update=True)
    assessment = await risk.assess(session, business)

    case.status, case.decision, case.decision_reason = CaseStatus.decided, data.decision, data.reason
    case.conditions, case.condition_deadline = data.conditions, data.condition_deadline
    case.decided_by, case.decided_at = principal.user_id, now
    case.risk_at_decision = assessment.model_dump(mode="json")
    await session.flush()
    await ledger.append(
        session,
        actor=principal.actor,
        action="case.decided",
        record_type="vetting_case",
        record_id=case.id,
        changes={"decision": data.decision.value, "reason": data.reason, "risk_score": assessment.score},
    )
    expires = _add_months(now, approval_months)
    decision_fields = {
        "actor": principal.actor,
        "close_review": True,
        "vetting_case_id": case.id,
        "decided_at": now,
        "risk_band": assessment.band,
    }
    if data.decision == Decision.approved:
        await businesses.transition(
            session,
            ledger,
            business,
            status=BusinessStatus.approved,
            event=BusinessApproved,
            action="business.approved",
            approval_expires_at=expires,
            **decision_fields,
        )
    elif data.decision == Decision.conditionally_approved:
        await businesses.transition(
            session,
            ledger,
            business,
            status=BusinessStatus.conditionally_approved,
            event=BusinessConditionallyApproved,
            action="business.conditionally_approved",
            approval_expires_at=expires,
            condition_deadline=data.condition_deadline,
            conditions=data.conditions,
            **decision_fields,
        )
    else:
        await businesses.transition(
            session,
            ledger,
            business,
            status=BusinessStatus.rejected,
            event=BusinessRejected,
            action="business.rejected",
            **decision_fields,
        )
    return case


def _add_months(moment: datetime, months: int) -> datetime:
    year, month = divmod(moment.month - 1 + months, 12)
    try:
        return moment.replace(year=moment.year + year, month=month + 1)
    except ValueError:  # 31 January + 1 month: the last day of February
        return moment.replace(year=moment.year + year, month=month + 2, day=1) - timedelta(days=1)
