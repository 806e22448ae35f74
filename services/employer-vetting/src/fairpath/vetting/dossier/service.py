"""What vetting adds to a business's compliance dossier: the recruitment chain both ways, and the risk now."""

import uuid

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.errors import NotFound
from fairpath.vetting.businesses.service import present_recruiter
from fairpath.vetting.businesses.tables import Business, RecruiterLink
from fairpath.vetting.dossier.schemas import BusinessChainAndRisk
from fairpath.vetting.risk import service as risk


async def chain_and_risk(session: AsyncSession, business_id: uuid.UUID) -> BusinessChainAndRisk:
    business = await session.get(Business, business_id)
    if business is None:
        raise NotFound("business", business_id)
    links = (
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
    return BusinessChainAndRisk(
        business_id=business_id,
        recruitment_links=[present_recruiter(link) for link in links],
        risk=await risk.assess(session, business),
    )
