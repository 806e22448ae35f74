"""Registering and finding businesses, with the record-level access rules of design.md."""

import re
import uuid

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.auth import READ_ALL_ROLES, Principal, Role
from fairpath.common.errors import Conflict, Forbidden, NotFound
from fairpath.common.events.catalogue import BusinessRegistered
from fairpath.common.events.outbox import record_event
from fairpath.common.ids import uuid7
from fairpath.common.timeutil import utcnow
from fairpath.vetting.businesses.schemas import BusinessCreate, BusinessKind, BusinessStatus
from fairpath.vetting.businesses.tables import Business
from fairpath.vetting.db import common

_NOT_KEY_CHARS = re.compile(r"[\s./\-]+")


def registration_key(number: str) -> str:
    return _NOT_KEY_CHARS.sub("", number).upper()


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


async def register_business(*, session: AsyncSession, principal: Principal, data: BusinessCreate) -> Business:
    _check_may_register(principal, data)
    key = registration_key(data.registration_number)
    existing = (
        await session.execute(select(Business).where(Business.country == data.country, Business.registration_key == key))
    ).scalar_one_or_none()
    if existing is not None:
        await _refuse_duplicate(session, principal, existing)

    now = utcnow()
    business = Business(
        id=uuid7(),
        kind=data.kind.value,
        legal_name=data.legal_name,
        name_key=data.legal_name.casefold(),
        other_names=data.other_names,
        country=data.country,
        registration_number=data.registration_number,
        registration_key=key,
        sector=data.sector,
        address=data.address,
        status=BusinessStatus.registered.value,
        organization_id=data.organization_id,
        owner_organization_id=principal.organization_id,
        registered_by=principal.user_id,
        created_at=now,
        updated_at=now,
        version=1,
    )
    session.add(business)
    await session.flush()
    await common.audit.append(
        session, actor=principal.actor, action="business.registered", record_type="business", record_id=business.id,
        changes=data.model_dump(mode="json", exclude_none=True),
    )
    await record_event(
        session, common.outbox,
        BusinessRegistered(
            version=business.version, business_id=business.id, kind=business.kind, legal_name=business.legal_name,
            country=business.country, sector=business.sector, status=business.status,
            organization_id=business.organization_id,
        ),
        business.id,
    )
    return business


async def _refuse_duplicate(session: AsyncSession, principal: Principal, existing: Business) -> None:
    """A duplicate names the existing record only to a caller who may read it; the attempt is audited."""
    await common.audit.append(
        session, actor=principal.actor, action="business.duplicate_attempt", record_type="business",
        record_id=existing.id,
    )
    await session.commit()
    if can_read(principal, existing):
        raise Conflict(
            f"a business with this registration number in {existing.country} is already registered",
            name="duplicate", existing_id=str(existing.id),
        )
    raise Conflict("this business is already registered", name="already_registered")


async def get_business(*, session: AsyncSession, principal: Principal, business_id: uuid.UUID) -> Business:
    business = await session.get(Business, business_id)
    if business is None or not can_read(principal, business):
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
    after: uuid.UUID | None = None,
    limit: int = 50,
) -> list[Business]:
    query = select(Business).order_by(Business.id).limit(limit)
    if principal.role not in READ_ALL_ROLES:
        reach = [Business.owner_organization_id == principal.organization_id,
                 Business.organization_id == principal.organization_id]
        if principal.business_id is not None:
            reach.append(Business.id == principal.business_id)
        query = query.where(or_(*reach))
    if kind:
        query = query.where(Business.kind == kind.value)
    if country:
        query = query.where(Business.country == country)
    if status:
        query = query.where(Business.status == status.value)
    if name:
        query = query.where(Business.name_key.contains(name.casefold(), autoescape=True))
    if after:
        query = query.where(Business.id > after)
    return list((await session.execute(query)).scalars())
