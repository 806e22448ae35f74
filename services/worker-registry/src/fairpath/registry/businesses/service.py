"""Whether a business id a caller names is one the registry knows, and within the caller's reach, from the
local projection of vetting events.

Any status counts: a fee paid to a rejected or suspended business is still a fact to record. An id the
projection does not hold and an id outside the caller's reach are refused in the same words, rule and field
(never registered, not yet heard of, or another tenant's), so a refusal reveals nothing of a business.

The reach of a business for a request about a worker (the business a fee was paid to, the one a grievance
is against), built by `fairpath.registry.workers.service.business_reach`:
- the operator (admin, compliance officer, auditor): any business the registry knows;
- the worker and their registering agency: the registering agency itself; the businesses party to the worker's
  contracts (the employer and every agency in the recruitment chain); the employers the registering agency
  recruits for (vetting's `recruiter_ids` of an employer); and the other agencies recruiting for those
  employers, so a worker can name a sub-agent that charged them. A broker vetting does not know is reported
  by naming no business at all (the fee and grievance models allow it);
- an employer or agency reaching a fee report as the business it names: itself, the businesses party to
  the worker's contracts it is party to, and the businesses linked to it by a recruitment relationship.
The employer a worker consents to share their profile with is resolved within the same reach (of the
employers in it: an employer the registering agency recruits for, or one the worker holds a contract with).
"""

import uuid
from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.domain_codes import BusinessKind
from fairpath.common.errors import Violation
from fairpath.registry.businesses.tables import BusinessProjection, BusinessRecruiter

UNKNOWN_BUSINESS = "unknown_business"


@dataclass(frozen=True)
class BusinessReach:
    """The businesses a request may name: `parties` outright, and any business linked to one of `anchors` by a
    recruitment relationship (an employer an anchor agency recruits for, an agency recruiting for an anchor
    employer, and an agency recruiting for the same employer as an anchor agency)."""

    parties: frozenset[uuid.UUID] = field(default_factory=frozenset)
    anchors: frozenset[uuid.UUID] = field(default_factory=frozenset)

    @classmethod
    def of_agency(cls, business_id: uuid.UUID | None) -> "BusinessReach":
        """An agency's own reach, before any contract: itself and the businesses linked to it."""
        ids = frozenset({business_id} if business_id is not None else set())
        return cls(parties=ids, anchors=ids)


def _unknown(field_name: str) -> Violation:
    return Violation(field=field_name, rule=UNKNOWN_BUSINESS, message="names no business known to the registry")


async def _linked(session: AsyncSession, anchors: frozenset[uuid.UUID], wanted: set[uuid.UUID]) -> set[uuid.UUID]:
    """Of `wanted`, those linked to an anchor by a recruitment relationship (by the two indexes of the links)."""
    if not anchors or not wanted:
        return set()
    links = list(
        (
            await session.execute(
                select(BusinessRecruiter).where(
                    or_(BusinessRecruiter.agency_id.in_(anchors), BusinessRecruiter.employer_id.in_(anchors))
                )
            )
        ).scalars()
    )
    linked = {link.employer_id for link in links} | {link.agency_id for link in links}
    recruited_for = {link.employer_id for link in links if link.agency_id in anchors}
    if recruited_for and (wanted - linked):
        # Co-recruiters: the other agencies (sub-agents among them) of the employers an anchor recruits for.
        linked |= set(
            (
                await session.execute(
                    select(BusinessRecruiter.agency_id).where(
                        BusinessRecruiter.employer_id.in_(recruited_for),
                        BusinessRecruiter.agency_id.in_(wanted - linked),
                    )
                )
            ).scalars()
        )
    return linked & wanted


async def unknown_businesses(
    session: AsyncSession,
    named: dict[str, uuid.UUID | None],
    *,
    reach: BusinessReach | None = None,
    kind: BusinessKind | None = None,
) -> list[Violation]:
    """One violation per field (of `named`: field -> business id, None when not given) naming no business known
    to the registry (of `kind`, when given) within `reach` (None: any business, the operator's reach). The
    violation is the same whichever it is."""
    wanted = {business_id for business_id in named.values() if business_id is not None}
    if not wanted:
        return []
    query = select(BusinessProjection.business_id).where(BusinessProjection.business_id.in_(wanted))
    if kind is not None:
        query = query.where(BusinessProjection.kind == kind)
    known = set((await session.execute(query)).scalars())
    if reach is not None:
        known &= set(reach.parties) | await _linked(session, reach.anchors, known - reach.parties)
    return [
        _unknown(field_name)
        for field_name, business_id in named.items()
        if business_id is not None and business_id not in known
    ]
