"""Vetting's part of a business's compliance dossier, in one read: the business, its recruitment chain both ways,
its risk now, and its licences, findings, vetting cases and screening hits, each whole. Each record is read and
presented by the same functions its own endpoint uses, so it has the same shape there and here."""

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.auth import Principal
from fairpath.vetting.businesses import service as businesses
from fairpath.vetting.businesses.tables import RecruiterLink
from fairpath.vetting.cases import service as cases
from fairpath.vetting.dossier.schemas import VettingDossier
from fairpath.vetting.findings import service as findings
from fairpath.vetting.licences import service as licences
from fairpath.vetting.risk import service as risk
from fairpath.vetting.screening import service as screening

# Rows read at a time from a paged finder (its pages are walked to the last).
_BATCH = 500


async def _whole(find: Callable[..., Awaitable[list[Any]]], session: AsyncSession, **criteria: Any) -> list[Any]:
    """Every row a paged finder (`after`, `limit`, ordered by id) gives, page after page."""
    rows: list[Any] = []
    after: uuid.UUID | None = None
    while True:
        page = await find(session, after=after, limit=_BATCH, **criteria)
        rows += page
        if len(page) < _BATCH:
            return rows
        after = page[-1].id


async def _recruitment_links(session: AsyncSession, business_id: uuid.UUID) -> list[RecruiterLink]:
    return list(
        (
            await session.execute(
                select(RecruiterLink)
                .where(
                    or_(
                        RecruiterLink.employer_id == business_id,
                        RecruiterLink.agency_id == business_id,
                        RecruiterLink.sub_agent_of == business_id,
                    )
                )
                .order_by(RecruiterLink.id)
            )
        ).scalars()
    )


async def vetting_dossier(session: AsyncSession, principal: Principal, business_id: uuid.UUID) -> VettingDossier:
    """Everything vetting holds about the business (404 for a business outside the caller's reach)."""
    business = await businesses.get_business(session=session, principal=principal, business_id=business_id)
    return VettingDossier(
        business=businesses.present(business),
        recruitment_links=[
            businesses.present_recruiter(link) for link in await _recruitment_links(session, business_id)
        ],
        risk=await risk.assess(session, business),
        licences=[licences.present(lic) for lic in await licences.licences_of(session, business_id)],
        findings=[
            findings.present(f, principal)
            for f in await _whole(findings.find_findings, session, business_id=business_id, kind=None, status=None)
        ],
        vetting_cases=[
            cases.present(c) for c in await _whole(cases.find_cases, session, business_id=business_id, status=None)
        ],
        screening_hits=[
            screening.present_hit(h) for h in await _whole(screening.find_hits, session, business_id=business_id)
        ],
    )
