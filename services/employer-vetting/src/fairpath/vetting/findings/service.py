"""Findings, the record: one per source record, audited; what a finding then does is flows.py's."""

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.auth import READ_ALL_ROLES, Principal
from fairpath.common.domain_codes import Severity
from fairpath.common.ids import uuid7
from fairpath.common.ledger import Ledger
from fairpath.common.timeutil import utcnow
from fairpath.vetting.findings.schemas import FindingKind, FindingPublic, FindingSource, FindingStatus
from fairpath.vetting.findings.tables import Finding

# What of a screening match's evidence the business itself sees: the kind of list, never the listed entity
# (hits name listed entities, possibly people, which agencies and employers never see).
_MATCH_EVIDENCE_FOR_THE_BUSINESS = ("watchlist_kind",)


def present(finding: Finding, principal: Principal) -> FindingPublic:
    public = FindingPublic.model_validate(finding)
    if finding.kind == FindingKind.screening_match and principal.role not in READ_ALL_ROLES:
        evidence = {k: v for k, v in finding.evidence.items() if k in _MATCH_EVIDENCE_FOR_THE_BUSINESS}
        public = public.model_copy(update={"evidence": evidence})
    return public


async def already_recorded(
    session: AsyncSession, *, business_id: uuid.UUID, kind: FindingKind, source_ref: str
) -> bool:
    """Whether this source record has already raised this finding against the business."""
    existing = (
        await session.execute(
            select(Finding.id).where(
                Finding.business_id == business_id, Finding.kind == kind, Finding.source_ref == source_ref
            )
        )
    ).scalar_one_or_none()
    return existing is not None


async def record_finding(
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
) -> Finding:
    """Add a finding row and its audit entry. `evidence` holds ids, codes and amounts only: never personal data."""
    finding = Finding(
        id=uuid7(),
        business_id=business_id,
        kind=kind,
        principle=principle,
        severity=severity,
        source=source,
        source_ref=source_ref,
        evidence=evidence,
        status=FindingStatus.open,
        created_at=utcnow(),
    )
    session.add(finding)
    await session.flush()
    await ledger.append(
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
    return finding


async def find_findings(
    session: AsyncSession,
    *,
    business_id: uuid.UUID,
    kind: FindingKind | None,
    status: FindingStatus | None,
    after: uuid.UUID | None,
    limit: int,
) -> list[Finding]:
    """A business's findings in the order they were recorded (ids are time-ordered)."""
    query = select(Finding).where(Finding.business_id == business_id).order_by(Finding.id).limit(limit)
    if kind is not None:
        query = query.where(Finding.kind == kind)
    if status is not None:
        query = query.where(Finding.status == status)
    if after is not None:
        query = query.where(Finding.id > after)
    return list((await session.execute(query)).scalars())


async def findings_of(session: AsyncSession, business_id: uuid.UUID) -> list[Finding]:
    return list(
        (
            await session.execute(
                select(Finding).where(Finding.business_id == business_id).order_by(Finding.created_at)
            )
        ).scalars()
    )
