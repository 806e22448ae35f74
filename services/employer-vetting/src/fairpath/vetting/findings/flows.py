"""What a finding does to the business it is against: review reopens, and the gravest suspend an
approved business at once. Every domain that finds something (licences, self-assessments, screening,
other services' events, the scheduled jobs) reports it here."""

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.domain_codes import BusinessStatus, Severity, SuspensionReason
from fairpath.common.ledger import Ledger
from fairpath.vetting.businesses import service as businesses
from fairpath.vetting.businesses.tables import Business
from fairpath.vetting.cases import service as cases
from fairpath.vetting.findings import service as findings
from fairpath.vetting.findings.schemas import FindingKind, FindingSource
from fairpath.vetting.findings.tables import Finding

SUSPENDABLE = {BusinessStatus.approved, BusinessStatus.conditionally_approved}


async def report_finding(
    session: AsyncSession,
    ledger: Ledger,
    *,
    business_id: uuid.UUID,
    kind: FindingKind,
    principle: str,
    severity: Severity,
    source: FindingSource,
    source_ref: str,
    evidence: dict[str, Any],
    actor: str,
    suspend: SuspensionReason | None = None,
    event_id: uuid.UUID | None = None,
) -> Finding | None:
    """Add a finding (once per source record), reopen review, and suspend when asked and approved.

    Review reopened after a decision shows on the business (`open_case_id`) whether or not it is suspended:
    an approved business that is not suspended stays approved while the case is open.
    Returns None when this source record already raised this finding, or the business is unknown."""
    # The business is locked first, so two reports of the same record (two replicas, a redelivery) queue
    # here and the second finds the first's finding instead of breaking the unique constraint.
    business = await session.get(Business, business_id, with_for_update=True)
    if business is None:
        return None
    if await findings.already_recorded(session, business_id=business_id, kind=kind, source_ref=source_ref):
        return None
    finding = await findings.record_finding(
        session,
        ledger,
        business_id=business_id,
        kind=kind,
        principle=principle,
        severity=severity,
        source=source,
        source_ref=source_ref,
        evidence=evidence,
        actor=actor,
    )
    case = await cases.reopen_for_finding(
        session, ledger, business=business, finding_id=finding.id, finding_kind=finding.kind, actor=actor
    )
    opened = case is not None and business.open_case_id != case.id
    if suspend is not None and business.status in SUSPENDABLE:
        await businesses.suspend(
            session,
            ledger,
            business,
            reason=suspend,
            actor=actor,
            case_id=case.id if case else None,
            finding_event_id=event_id,
            opens_review=opened,
        )
    elif opened:
        await businesses.open_review(session, ledger, business, case_id=case.id, actor=actor, under_review=False)
    return finding
