"""The vetting case record: opening a case row, reopening review for a finding, finding and showing cases."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.auth import READ_ALL_ROLES, Principal
from fairpath.common.domain_codes import BusinessStatus
from fairpath.common.errors import NotFound
from fairpath.common.ids import uuid7
from fairpath.common.ledger import Ledger
from fairpath.common.timeutil import utcnow
from fairpath.vetting.businesses.tables import Business
from fairpath.vetting.cases.schemas import CasePublic, CaseStatus, Decision, DecisionOnBusiness
from fairpath.vetting.cases.tables import VettingCase

# Statuses after which a new finding reopens review (before a decision the open case already covers it).
_DECIDED = {
    BusinessStatus.approved,
    BusinessStatus.conditionally_approved,
    BusinessStatus.rejected,
    BusinessStatus.suspended,
    BusinessStatus.expired,
}


def present(case: VettingCase) -> CasePublic:
    return CasePublic.model_validate(case)


async def open_case_of(session: AsyncSession, business_id: uuid.UUID) -> VettingCase | None:
    return (
        (
            await session.execute(
                select(VettingCase).where(VettingCase.business_id == business_id, VettingCase.status == CaseStatus.open)
            )
        )
        .scalars()
        .first()
    )


async def start_case(
    session: AsyncSession,
    ledger: Ledger,
    *,
    business_id: uuid.UUID,
    opened_by: uuid.UUID | None,
    reason: str,
    actor: str,
    action: str,
    changes: dict[str, Any],
) -> VettingCase:
    """A new open case, audited as `action` (an officer's `case.opened`, the system's `case.reopened`)."""
    case = VettingCase(
        id=uuid7(),
        business_id=business_id,
        status=CaseStatus.open,
        opened_by=opened_by,
        opened_reason=reason,
        opened_at=utcnow(),
    )
    session.add(case)
    await session.flush()
    await ledger.append(
        session, actor=actor, action=action, record_type="vetting_case", record_id=case.id, changes=changes
    )
    return case


async def reopen_for_finding(
    session: AsyncSession,
    ledger: Ledger,
    *,
    business: Business,
    finding_id: uuid.UUID,
    finding_kind: str,
    actor: str,
) -> VettingCase | None:
    """A finding after a decision reopens review: an open case, by the system, for any officer to decide.
    Before any decision the finding simply waits for the case that decides the business."""
    case = await open_case_of(session, business.id)
    if case is not None or business.status not in _DECIDED:
        return case
    return await start_case(
        session,
        ledger,
        business_id=business.id,
        opened_by=None,
        reason=f"finding {finding_kind}",
        actor=actor,
        action="case.reopened",
        changes={"business_id": str(business.id), "finding_id": str(finding_id)},
    )


async def approved_on(session: AsyncSession, business_id: uuid.UUID) -> datetime | None:
    """When the business's last approval (conditional or not) was decided; None if it never was."""
    return (
        await session.execute(
            select(func.max(VettingCase.decided_at)).where(
                VettingCase.business_id == business_id,
                VettingCase.decision.in_([Decision.approved, Decision.conditionally_approved]),
            )
        )
    ).scalar_one_or_none()


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
        query = query.where(VettingCase.status == status)
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


def may_read_decisions(principal: Principal, business_id: uuid.UUID) -> bool:
    """The decisions on a business: the operator and auditors (who read the cases themselves), and the business's
    own users (an employer's or agency's user whose principal names that business). Not a counterpart in its
    recruitment chain, not another business's user."""
    return principal.role in READ_ALL_ROLES or (
        principal.business_id is not None and principal.business_id == business_id
    )


async def decisions_on(session: AsyncSession, principal: Principal, business_id: uuid.UUID) -> list[DecisionOnBusiness]:
    """The decided cases of a business, newest first, as its own users may read them (404 outside reach, as for a
    business that does not exist)."""
    if not may_read_decisions(principal, business_id) or await session.get(Business, business_id) is None:
        raise NotFound("business", business_id)
    rows = (
        await session.execute(
            select(VettingCase)
            .where(VettingCase.business_id == business_id, VettingCase.decided_at.is_not(None))
            .order_by(VettingCase.decided_at.desc(), VettingCase.id.desc())
        )
    ).scalars()
    return [DecisionOnBusiness.model_validate(case) for case in rows if case.decision is not None]
