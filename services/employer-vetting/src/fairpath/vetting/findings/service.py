"""Recording findings: each one reopens review, and the gravest suspend an approved business at once."""

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.domain_codes import BusinessStatus, Severity, SuspensionReason
from fairpath.common.ids import uuid7
from fairpath.common.timeutil import utcnow
from fairpath.vetting.businesses import service as businesses
from fairpath.vetting.businesses.tables import Business
from fairpath.vetting.cases import service as cases
from fairpath.vetting.db import common
from fairpath.vetting.findings.schemas import FindingKind
from fairpath.vetting.findings.tables import Finding

SUSPENDABLE = {BusinessStatus.approved, BusinessStatus.conditionally_approved}


async def record_finding(
    session: AsyncSession,
    *,
    business_id: uuid.UUID,
    kind: FindingKind,
    principle: str,
    severity: Severity,
    source: str,
    source_ref: str,
    evidence: dict[str, Any],
    actor: str,
    suspend: SuspensionReason | None = None,
    event_id: uuid.UUID | None = None,
) -> Finding | None:
    """Add a finding (once per source record), reopen review, and suspend when asked and approved.

    Returns None when this source record already raised this finding. `evidence` holds ids,
    codes and amounts only: never personal data."""
    existing = (
        await session.execute(
            select(Finding).where(
                Finding.business_id == business_id, Finding.kind == kind.value, Finding.source_ref == source_ref
            )
        )
    ).scalar_one_or_none()
    if existing is not None:
        return None
    business = await session.get(Business, business_id, with_for_update=True)
    if business is None:
        return None
    finding = Finding(
        id=uuid7(),
        business_id=business_id,
        kind=kind.value,
        principle=principle,
        severity=severity.value,
        source=source,
        source_ref=source_ref,
        evidence=evidence,
        status="open",
        created_at=utcnow(),
    )
    session.add(finding)
    await session.flush()
    await common.audit.append(
        session,
        actor=actor,
        action="finding.recorded",
        record_type="finding",
        record_id=finding.id,
        changes={
            "business_id": str(business_id),
            "kind": kind.value,
            "severity": severity.value,
            "source_ref": source_ref,
        },
    )
    case = await cases.reopen_for_finding(session, business=business, finding=finding, actor=actor)
    if suspend is not None and business.status in SUSPENDABLE:
        await businesses.suspend(
            session, business, reason=suspend, actor=actor, case_id=case.id if case else None, finding_event_id=event_id
        )
    return finding


async def findings_of(session: AsyncSession, business_id: uuid.UUID) -> list[Finding]:
    return list(
        (
            await session.execute(
                select(Finding).where(Finding.business_id == business_id).order_by(Finding.created_at)
            )
        ).scalars()
    )
