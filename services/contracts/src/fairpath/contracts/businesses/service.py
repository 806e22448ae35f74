"""Whether a business may be party to a contract now, decided from the local projection of vetting events."""

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.auth import OPERATOR_ROLES, Principal, Role
from fairpath.common.domain_codes import BusinessKind, BusinessStatus
from fairpath.contracts.businesses.tables import BusinessProjection, RecruitmentLink

# The businesses a caller may name (`Reach`): None for the operator, who may name any.
Reach = frozenset[uuid.UUID] | None


@dataclass(frozen=True)
class Standing:
    """The verdict on one business: `rule` names why it may not contract (None: it may)."""

    business_id: uuid.UUID
    rule: str | None
    message: str
    legal_name: str | None = None
    status: BusinessStatus | None = None  # None: vetting has not told us of the business (yet)

    @property
    def in_good_standing(self) -> bool:
        return self.rule is None

    @property
    def awaiting_vetting(self) -> bool:
        """Known and not approved yet, but nothing against it either: registered or under review."""
        if self.rule is None:
            return False
        return self.rule.endswith("_not_approved") and self.status in (
            BusinessStatus.registered,
            BusinessStatus.under_review,
        )


def standing_of(
    business: BusinessProjection | None, business_id: uuid.UUID, kind: BusinessKind, now: datetime
) -> Standing:
    """Approved, or conditionally approved before its deadline, and the approval not lapsed."""
    role = "employer" if kind == BusinessKind.employer else "recruiter"
    if business is None:
        # Worded the same for an id nobody registered as for one the caller may not see: it reveals nothing.
        return Standing(business_id, f"{role}_not_vetted", f"no {role} with this id is known to vetting")
    name, status = business.legal_name, business.status
    if business.kind != kind:
        return Standing(
            business_id,
            f"{role}_wrong_kind",
            f"{name} is registered as {business.kind}, not as {kind.value}",
            name,
            status,
        )
    if status == BusinessStatus.suspended:
        return Standing(business_id, f"{role}_suspended", f"{name} is suspended by vetting", name, status)
    if status == BusinessStatus.expired or (
        status in (BusinessStatus.approved, BusinessStatus.conditionally_approved)
        and business.approval_expires_at is not None
        and business.approval_expires_at <= now
    ):
        return Standing(
            business_id,
            f"{role}_approval_expired",
            f"the approval of {name} has expired: it is due for re-vetting",
            name,
            status,
        )
    if status == BusinessStatus.conditionally_approved:
        if business.condition_deadline is not None and business.condition_deadline <= now:
            return Standing(
                business_id,
                f"{role}_condition_deadline_passed",
                f"{name} was approved on conditions whose deadline has passed",
                name,
                status,
            )
        return Standing(business_id, None, "conditionally approved", name, status)
    if status == BusinessStatus.approved:
        return Standing(business_id, None, "approved", name, status)
    return Standing(
        business_id, f"{role}_not_approved", f"{name} is not approved by vetting (status: {status})", name, status
    )


async def standings(
    session: AsyncSession, parties: list[tuple[uuid.UUID, BusinessKind]], now: datetime, reach: Reach = None
) -> list[Standing]:
    """The standing of each party; one outside `reach` is judged as an id vetting never told of (`*_not_vetted`,
    worded the same): nothing of it, its name, kind or status, reaches the caller."""
    ids = {business_id for business_id, _ in parties if reach is None or business_id in reach}
    rows = (await session.execute(select(BusinessProjection).where(BusinessProjection.business_id.in_(ids)))).scalars()
    known = {row.business_id: row for row in rows}
    return [standing_of(known.get(business_id), business_id, kind, now) for business_id, kind in parties]


async def agencies_linked_to(session: AsyncSession, employer_id: uuid.UUID) -> set[uuid.UUID]:
    """The agencies vetting names as the employer's recruiters."""
    query = select(RecruitmentLink.agency_id).where(RecruitmentLink.employer_id == employer_id)
    return set((await session.execute(query)).scalars())


async def employers_linked_to(session: AsyncSession, agency_id: uuid.UUID) -> set[uuid.UUID]:
    """The employers vetting names the agency a recruiter of."""
    query = select(RecruitmentLink.employer_id).where(RecruitmentLink.agency_id == agency_id)
    return set((await session.execute(query)).scalars())


async def reach_of(session: AsyncSession, principal: Principal, employer_id: uuid.UUID | None = None) -> Reach:
    """The businesses the caller may name in a job order or contract for `employer_id`: its own business and those
    linked to it by a recruitment relationship; to an agency linked to `employer_id`, that employer's other
    recruiters too. The operator may name any (None); a caller acting for no business, none."""
    if principal.role in OPERATOR_ROLES:
        return None
    own = principal.business_id
    if own is None or principal.role not in (Role.employer, Role.agency):
        return frozenset()
    if principal.role == Role.employer:
        return frozenset({own} | await agencies_linked_to(session, own))
    employers = await employers_linked_to(session, own)
    others = await agencies_linked_to(session, employer_id) if employer_id in employers else set()
    return frozenset({own} | employers | others)
