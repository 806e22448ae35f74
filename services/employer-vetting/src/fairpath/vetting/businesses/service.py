"""Registering and finding businesses, with their record-level access rules, and every change of a
business's status (one helper, so each is one version, one audit entry and one event)."""

import re
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CompoundSelect, Select, false, or_, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.auth import OPERATOR_ROLES, READ_ALL_ROLES, Principal, Role
from fairpath.common.domain_codes import BusinessKind, BusinessStatus, SuspensionReason
from fairpath.common.errors import Conflict, Forbidden, NotFound, RuleViolations, Violation
from fairpath.common.events.catalogue import (
    BusinessRegistered,
    BusinessSuspended,
    BusinessUpdated,
)
from fairpath.common.events.envelope import EventPayload
from fairpath.common.ids import uuid7
from fairpath.common.ledger import Ledger
from fairpath.common.timeutil import utcnow
from fairpath.vetting.businesses.schemas import (
    BusinessCreate,
    BusinessPublic,
    BusinessUpdate,
    RecruiterLinkCreate,
    RecruiterLinkPublic,
)
from fairpath.vetting.businesses.tables import Business, RecruiterLink


class DuplicateBusiness(Conflict):
    name = "duplicate"
    description = (
        "a business with this registration number is already registered in the country; `existing_id` names it"
    )


class AlreadyRegistered(Conflict):
    name = "already_registered"
    description = "the business is already registered, by someone whose records the caller may not read"


class NotAnEmployer(Conflict):
    name = "not_an_employer"
    description = "recruiters are named for an employer, and this business is a recruitment agency"


class DuplicateRecruiter(Conflict):
    name = "duplicate"
    description = "the agency is already named as a recruiter for the employer; `existing_id` names the link"


_NOT_KEY_CHARS = re.compile(r"[\s./\-]+")


def registration_key(number: str) -> str:
    return _NOT_KEY_CHARS.sub("", number).upper()


def present(business: Business) -> BusinessPublic:
    return BusinessPublic.model_validate(business)


def present_recruiter(link: RecruiterLink) -> RecruiterLinkPublic:
    return RecruiterLinkPublic.model_validate(link)


def can_read(principal: Principal, business: Business) -> bool:
    if principal.role in READ_ALL_ROLES:
        return True
    if principal.role in (Role.agency, Role.employer):
        return business.id == principal.business_id or (
            principal.organization_id is not None
            and principal.organization_id in (business.owner_organization_id, business.organization_id)
        )
    return False


def _check_may_register(principal: Principal, data: BusinessCreate) -> None:
    if principal.role == Role.employer and data.kind != BusinessKind.employer:
        raise Forbidden("an employer may register only its own employer record")
    if data.organization_id is not None and principal.role not in (Role.admin, Role.compliance_officer):
        raise Forbidden("only the operator links a business to an organisation")


async def register_business(
    *, session: AsyncSession, ledger: Ledger, principal: Principal, data: BusinessCreate
) -> Business:
    _check_may_register(principal, data)
    key = registration_key(data.registration_number)
    existing = (
        await session.execute(
            select(Business).where(Business.country == data.country, Business.registration_key == key)
        )
    ).scalar_one_or_none()
    if existing is not None:
        await _refuse_duplicate(session, ledger, principal, existing)

    now = utcnow()
    business = Business(
        id=uuid7(),
        kind=data.kind,
        legal_name=data.legal_name,
        name_key=data.legal_name.casefold(),
        other_names=data.other_names,
        country=data.country,
        registration_number=data.registration_number,
        registration_key=key,
        sector=data.sector,
        address=data.address,
        status=BusinessStatus.registered,
        organization_id=data.organization_id,
        owner_organization_id=principal.organization_id,
        registered_by=principal.user_id,
        created_at=now,
        updated_at=now,
    )
    await ledger.record_new(
        session,
        business,
        actor=principal.actor,
        action="business.registered",
        record_type="business",
        changes=data.model_dump(mode="json", exclude_none=True),
        event=lambda: BusinessRegistered(**business_state(business, [])),
    )
    return business


async def _refuse_duplicate(session: AsyncSession, ledger: Ledger, principal: Principal, existing: Business) -> None:
    """A duplicate names the existing record only to a caller who may read it; the attempt is audited."""
    existing_id, country, readable = existing.id, existing.country, can_read(principal, existing)
    await ledger.record_refusal(
        session,
        actor=principal.actor,
        action="business.duplicate_attempt",
        record_type="business",
        record_id=existing_id,
    )
    if readable:
        raise DuplicateBusiness(
            f"a business with this registration number in {country} is already registered",
            existing_id=str(existing_id),
        )
    raise AlreadyRegistered("this business is already registered")


def _own_business_ids(principal: Principal) -> Select:
    """The businesses a party's user acts for: its linked business and those of its organisation."""
    mine = [false()]  # a caller without an organisation or business acts for none
    if principal.organization_id is not None:
        org = principal.organization_id
        mine += [Business.owner_organization_id == org, Business.organization_id == org]
    if principal.business_id is not None:
        mine.append(Business.id == principal.business_id)
    return select(Business.id).where(or_(*mine))


def _counterpart_ids(principal: Principal) -> CompoundSelect:
    """The businesses on the other side of the party's recruitment links: the employers its agencies recruit
    for, the agencies (and sub-agents) recruiting for its employers, and the agencies it sub-contracts or
    that sub-contract it. Each may read the other's record (name, kind, vetting status): the due diligence
    IRIS asks of both ends of the chain. Nothing more: licences, findings and history stay with the owner."""
    mine = _own_business_ids(principal)
    return union(
        select(RecruiterLink.employer_id).where(
            or_(RecruiterLink.agency_id.in_(mine), RecruiterLink.sub_agent_of.in_(mine))
        ),
        select(RecruiterLink.agency_id).where(
            or_(RecruiterLink.employer_id.in_(mine), RecruiterLink.sub_agent_of.in_(mine))
        ),
        select(RecruiterLink.sub_agent_of).where(
            RecruiterLink.agency_id.in_(mine), RecruiterLink.sub_agent_of.is_not(None)
        ),
    )


async def get_business(
    *, session: AsyncSession, principal: Principal, business_id: uuid.UUID, counterparts: bool = False
) -> Business:
    """One business within the caller's reach (404 otherwise, as for a random id). With `counterparts`, also one
    on the other side of the caller's recruitment links (reading the record itself, never what hangs off it)."""
    business = await session.get(Business, business_id)
    if business is not None and not can_read(principal, business):
        linked = counterparts and principal.role in (Role.agency, Role.employer)
        if not linked or business_id not in set((await session.execute(_counterpart_ids(principal))).scalars()):
            business = None
    if business is None:
        raise NotFound("business", business_id)
    return business


async def list_businesses(
    *,
    session: AsyncSession,
    principal: Principal,
    kind: BusinessKind | None = None,
    country: str | None = None,
    status: BusinessStatus | None = None,
    name: str | None = None,
    review_open: bool | None = None,
    after: uuid.UUID | None = None,
    limit: int = 50,
) -> list[Business]:
    query = select(Business).order_by(Business.id).limit(limit)
    if principal.role not in READ_ALL_ROLES:
        query = query.where(
            or_(Business.id.in_(_own_business_ids(principal)), Business.id.in_(_counterpart_ids(principal)))
        )
    if kind:
        query = query.where(Business.kind == kind)
    if country:
        query = query.where(Business.country == country)
    if status:
        query = query.where(Business.status == status)
    if name:
        query = query.where(Business.name_key.contains(name.casefold(), autoescape=True))
    if review_open is not None:
        query = query.where(Business.open_case_id.is_not(None) if review_open else Business.open_case_id.is_(None))
    if after:
        query = query.where(Business.id > after)
    return list((await session.execute(query)).scalars())


async def recruiter_ids_of(session: AsyncSession, business: Business) -> list[uuid.UUID]:
    """Of an employer, the agencies named as its recruiters (directly or as sub-agents); none of an agency."""
    if business.kind != BusinessKind.employer:
        return []
    query = select(RecruiterLink.agency_id).where(RecruiterLink.employer_id == business.id).order_by(RecruiterLink.id)
    return list(dict.fromkeys((await session.execute(query)).scalars()))


def business_state(business: Business, recruiter_ids: list[uuid.UUID]) -> dict:
    """The fields every business event carries: the state contracts projects (`recruiter_ids`: from
    `recruiter_ids_of`, read before the change is recorded)."""
    return {
        "version": business.version,
        "business_id": business.id,
        "kind": business.kind,
        "legal_name": business.legal_name,
        "country": business.country,
        "sector": business.sector,
        "status": business.status,
        "organization_id": business.organization_id,
        "approval_expires_at": business.approval_expires_at,
        "condition_deadline": business.condition_deadline,
        "recruiter_ids": recruiter_ids,
    }


async def transition(
    session: AsyncSession,
    ledger: Ledger,
    business: Business,
    *,
    status: BusinessStatus,
    event: type[EventPayload],
    actor: str,
    action: str,
    approval_expires_at: datetime | None = None,
    condition_deadline: datetime | None = None,
    review_case_id: uuid.UUID | None = None,
    close_review: bool = False,
    **event_fields: Any,
) -> None:
    """Move a business to a new status: one version, one audit entry, one event, one transaction.

    `review_case_id`: the case opened with this change; `close_review`: the change decides the open case."""
    business.status = status
    business.approval_expires_at = approval_expires_at
    business.condition_deadline = condition_deadline
    review: dict[str, Any] = {}
    if review_case_id is not None:
        business.open_case_id = review_case_id
        review = {"open_case_id": str(review_case_id)}
    elif close_review and business.open_case_id is not None:
        business.open_case_id = None
        review = {"open_case_id": None}
    recruiter_ids = await recruiter_ids_of(session, business)
    await ledger.record_change(
        session,
        business,
        actor=actor,
        action=action,
        record_type="business",
        changes={
            "status": status.value,
            **({"reason": str(event_fields["reason"])} if "reason" in event_fields else {}),
            **review,
        },
        event=lambda: event(**business_state(business, recruiter_ids), **event_fields),
    )


async def open_review(
    session: AsyncSession, ledger: Ledger, business: Business, *, case_id: uuid.UUID, actor: str, under_review: bool
) -> None:
    """A vetting case opened on the business: `open_case_id` names it from now until the case is decided, so
    whoever reads the business sees that it is being reviewed. An approved business stays approved (it may
    still contract). `under_review`: a registered or expired business an officer opens a case on goes under
    review, its last decision's dates kept. One version, one audit entry, one event."""
    if under_review:
        await transition(
            session,
            ledger,
            business,
            status=BusinessStatus.under_review,
            event=BusinessUpdated,
            actor=actor,
            action="business.under_review",
            approval_expires_at=business.approval_expires_at,
            condition_deadline=business.condition_deadline,
            review_case_id=case_id,
            changed_fields=["open_case_id", "status"],
        )
        return
    business.open_case_id = case_id
    recruiter_ids = await recruiter_ids_of(session, business)
    await ledger.record_change(
        session,
        business,
        actor=actor,
        action="business.review_opened",
        record_type="business",
        changes={"open_case_id": str(case_id)},
        event=lambda: BusinessUpdated(**business_state(business, recruiter_ids), changed_fields=["open_case_id"]),
    )


async def suspend(
    session: AsyncSession,
    ledger: Ledger,
    business: Business,
    *,
    reason: SuspensionReason,
    actor: str,
    case_id: uuid.UUID | None = None,
    finding_event_id: uuid.UUID | None = None,
    opens_review: bool = False,
) -> None:
    """Suspend the business; `opens_review`: `case_id` was opened with the suspension (one version for both)."""
    await transition(
        session,
        ledger,
        business,
        status=BusinessStatus.suspended,
        event=BusinessSuspended,
        actor=actor,
        action="business.suspended",
        review_case_id=case_id if opens_review else None,
        suspended_at=utcnow(),
        reason=reason,
        vetting_case_id=case_id,
        finding_event_id=finding_event_id,
    )


def can_change(principal: Principal, business: Business) -> bool:
    if principal.role in OPERATOR_ROLES:
        return True
    if principal.role in (Role.agency, Role.employer):
        return can_read(principal, business)
    return False


async def get_business_for_change(session: AsyncSession, principal: Principal, business_id: uuid.UUID) -> Business:
    business = await session.get(Business, business_id, with_for_update=True)
    if business is None or not can_read(principal, business):
        raise NotFound("business", business_id)
    if not can_change(principal, business):
        raise Forbidden("this role may read but not change the business")
    return business


async def update_business(
    *, session: AsyncSession, ledger: Ledger, principal: Principal, business_id: uuid.UUID, data: BusinessUpdate
) -> Business:
    business = await get_business_for_change(session, principal, business_id)
    changes = data.model_dump(exclude_unset=True)
    if "organization_id" in changes and principal.role not in OPERATOR_ROLES:
        raise Forbidden("only the operator links a business to an organisation")
    changed = {k: v for k, v in changes.items() if getattr(business, k) != v}
    if not changed:
        return business
    for name, value in changed.items():
        setattr(business, name, value)
    if "legal_name" in changed:
        business.name_key = business.legal_name.casefold()
    recruiter_ids = await recruiter_ids_of(session, business)
    await ledger.record_change(
        session,
        business,
        actor=principal.actor,
        action="business.updated",
        record_type="business",
        changes=changed,
        event=lambda: BusinessUpdated(**business_state(business, recruiter_ids), changed_fields=sorted(changed)),
    )
    return business


async def add_recruiter(
    *, session: AsyncSession, ledger: Ledger, principal: Principal, employer_id: uuid.UUID, data: RecruiterLinkCreate
) -> RecruiterLink:
    """Record that an agency recruits for an employer (the chain IRIS holds each recruiter answerable for).

    Every id named is resolved within the caller's reach (the employer, the agency, the agency it is a sub-agent
    of): one the caller may not read is answered as one that does not exist. An agency names itself, or an agency
    it registered, for an employer it may read; an employer could name only an agency it may read.
    The link is a change of the employer: a new version whose `vetting.business.updated` event carries the
    agencies now within the employer's reach (`recruiter_ids`)."""
    # Locked: two agencies named at once each bump the employer's version once, and each event lists both.
    employer = await session.get(Business, employer_id, with_for_update=True)
    if employer is None or not can_read(principal, employer):
        raise NotFound("business", employer_id)
    if principal.role not in OPERATOR_ROLES and principal.role != Role.agency and not can_change(principal, employer):
        raise Forbidden("only the operator, an agency or the employer itself names its recruiters")
    if employer.kind != BusinessKind.employer:
        raise NotAnEmployer("recruiters are named for an employer, and this business is an agency")
    violations = []
    for field, ref in (("agency_id", data.agency_id), ("sub_agent_of", data.sub_agent_of)):
        if ref is None:
            continue
        agency = await session.get(Business, ref)
        if agency is None or not can_read(principal, agency):
            raise NotFound("business", ref)
        if agency.kind != BusinessKind.recruitment_agency:
            violations.append(Violation(field=field, rule="recruitment_agency", message="must be a recruitment agency"))
    if violations:
        raise RuleViolations(violations)
    duplicate = (
        await session.execute(
            select(RecruiterLink).where(
                RecruiterLink.employer_id == employer_id, RecruiterLink.agency_id == data.agency_id
            )
        )
    ).scalar_one_or_none()
    if duplicate is not None:
        raise DuplicateRecruiter(
            "this agency is already named as a recruiter for the employer", existing_id=str(duplicate.id)
        )
    link = RecruiterLink(
        id=uuid7(),
        employer_id=employer_id,
        agency_id=data.agency_id,
        sub_agent_of=data.sub_agent_of,
        created_by=principal.user_id,
        created_at=utcnow(),
    )
    session.add(link)
    await session.flush()
    await ledger.append(
        session,
        actor=principal.actor,
        action="business.recruiter_added",
        record_type="recruiter_link",
        record_id=link.id,
        changes={"employer_id": str(employer_id), "agency_id": str(data.agency_id)},
    )
    recruiter_ids = await recruiter_ids_of(session, employer)
    await ledger.record_change(
        session,
        employer,
        actor=principal.actor,
        action="business.recruiters_changed",
        record_type="business",
        changes={"recruiter_ids": [str(r) for r in recruiter_ids]},
        event=lambda: BusinessUpdated(**business_state(employer, recruiter_ids), changed_fields=["recruiter_ids"]),
    )
    return link


async def recruiters_of(session: AsyncSession, employer_id: uuid.UUID) -> list[RecruiterLink]:
    return list(
        (
            await session.execute(
                select(RecruiterLink).where(RecruiterLink.employer_id == employer_id).order_by(RecruiterLink.id)
            )
        ).scalars()
    )
