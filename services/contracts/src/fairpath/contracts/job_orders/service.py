"""Recording job orders and their service agreements, and finding them, with their access rules."""

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.auth import READ_ALL_ROLES, Principal, Role
from fairpath.common.domain_codes import BusinessKind
from fairpath.common.errors import Forbidden, NotFound, RuleViolations, Violation
from fairpath.common.events.catalogue import JobOrderPosition, JobOrderPosted
from fairpath.common.ids import uuid7
from fairpath.common.ledger import Ledger
from fairpath.common.occupations import occupation
from fairpath.common.timeutil import utcnow
from fairpath.contracts.businesses.service import reach_of, standings
from fairpath.contracts.contracts.tables import Contract, ContractState
from fairpath.contracts.job_orders.schemas import (
    JobOrderCreate,
    JobOrderPublic,
    OfferedTerms,
    PositionPublic,
    ServiceAgreementPublic,
)
from fairpath.contracts.job_orders.tables import JobOrder, JobPosition, ServiceAgreement


async def _agencies_of(session: AsyncSession, job_order_id: uuid.UUID) -> list[ServiceAgreement]:
    query = select(ServiceAgreement).where(ServiceAgreement.job_order_id == job_order_id).order_by(ServiceAgreement.id)
    return list((await session.execute(query)).scalars())


def can_read(principal: Principal, order: JobOrder, agreements: list[ServiceAgreement]) -> bool:
    if principal.role in READ_ALL_ROLES:
        return True
    if principal.role == Role.employer:
        return principal.business_id == order.employer_id
    if principal.role == Role.agency:
        return principal.business_id in {a.agency_id for a in agreements}
    return False


def _check_may_record(principal: Principal, data: JobOrderCreate) -> None:
    if principal.role == Role.employer and data.employer_id != principal.business_id:
        raise Forbidden("an employer records job orders only for itself")
    if principal.role == Role.agency and principal.business_id not in {a.agency_id for a in data.service_agreements}:
        raise Forbidden("an agency records a job order only under a service agreement of its own")


async def create_job_order(
    *, session: AsyncSession, ledger: Ledger, principal: Principal, data: JobOrderCreate
) -> JobOrder:
    _check_may_record(principal, data)
    # An employer names itself and the agencies linked to it; an agency an employer it recruits for, and itself or
    # that employer's other recruiters. Any other business is answered as an id vetting never told of.
    reach = await reach_of(session, principal, data.employer_id)
    violations = []
    for i, agreement in enumerate(data.service_agreements):
        if not agreement.employer_pays_all_costs:
            violations.append(
                Violation(
                    field=f"service_agreements.{i}.employer_pays_all_costs",
                    rule="employer_pays",
                    message="the service agreement records that the employer bears every cost of recruitment "
                    "(the Employer Pays Principle, IRIS C)",
                )
            )
    parties = [(data.employer_id, BusinessKind.employer)] + [
        (a.agency_id, BusinessKind.recruitment_agency) for a in data.service_agreements
    ]
    # Every business named must be one vetting has told contracts of (an unknown id: `*_not_vetted`). A job
    # order may be recorded while vetting is still deciding; what vetting has held against a business refuses
    # it. Contracts need every party approved.
    for index, standing in enumerate(await standings(session, parties, utcnow(), reach)):
        if not standing.in_good_standing and not standing.awaiting_vetting:
            where = "employer_id" if index == 0 else f"service_agreements.{index - 1}.agency_id"
            violations.append(Violation(field=where, rule=standing.rule, message=standing.message))
    if violations:
        raise RuleViolations(violations)
    order = JobOrder(
        id=uuid7(),
        employer_id=data.employer_id,
        destination_country=data.destination_country,
        sector=data.sector,
        reference=data.reference,
        created_by_organization_id=principal.organization_id,
        created_at=utcnow(),
    )
    session.add(order)
    await session.flush()
    agreements = [
        ServiceAgreement(id=uuid7(), job_order_id=order.id, **a.model_dump()) for a in data.service_agreements
    ]
    session.add_all(agreements)
    positions = [
        JobPosition(
            id=uuid7(),
            job_order_id=order.id,
            occupation=p.occupation,
            title=p.title,
            number_of_workers=p.number_of_workers,
            languages=list(p.languages),
            min_years_experience=p.min_years_experience,
            **p.offered.model_dump(mode="json"),
        )
        for p in data.positions
    ]
    session.add_all(positions)
    await session.flush()
    await ledger.append(
        session,
        actor=principal.actor,
        action="job_order.recorded",
        record_type="job_order",
        record_id=order.id,
        changes=data.model_dump(mode="json"),
    )
    await ledger.emit(session, _posted(order, agreements, positions), order.id)
    return order


def _posted(order: JobOrder, agreements: list[ServiceAgreement], positions: list[JobPosition]) -> JobOrderPosted:
    """The job order as the registry matches workers to it, with what each position asks of a worker."""
    return JobOrderPosted(
        version=1,
        job_order_id=order.id,
        employer_id=order.employer_id,
        agency_ids=[a.agency_id for a in agreements],
        destination_country=order.destination_country,
        positions=[
            JobOrderPosition(
                position_id=p.id,
                occupation=p.occupation,
                title=p.title,
                number_of_workers=p.number_of_workers,
                languages=p.languages,
                minimum_years=p.min_years_experience,
            )
            for p in positions
        ],
        posted_at=order.created_at,
    )


def _occupation_title(code: str) -> str:
    found = occupation(code)
    return found.title if found else ""


async def present(
    session: AsyncSession, order: JobOrder, agreements: list[ServiceAgreement] | None = None
) -> JobOrderPublic:
    """The job order with its agreements and positions, and how many places of each its contracts hold."""
    agreements = agreements if agreements is not None else await _agencies_of(session, order.id)
    positions = list(
        (
            await session.execute(
                select(JobPosition).where(JobPosition.job_order_id == order.id).order_by(JobPosition.id)
            )
        ).scalars()
    )
    counts = dict(
        (
            await session.execute(
                select(Contract.position_id, func.count())
                .where(Contract.job_order_id == order.id, Contract.status != ContractState.terminated)
                .group_by(Contract.position_id)
            )
        ).all()
    )
    offered_fields = OfferedTerms.model_fields
    return JobOrderPublic(
        id=order.id,
        employer_id=order.employer_id,
        destination_country=order.destination_country,
        sector=order.sector,
        reference=order.reference,
        created_at=order.created_at,
        service_agreements=[ServiceAgreementPublic.model_validate(a) for a in agreements],
        positions=[
            PositionPublic(
                id=p.id,
                occupation=p.occupation,
                occupation_title=_occupation_title(p.occupation),
                title=p.title,
                number_of_workers=p.number_of_workers,
                languages=p.languages,
                min_years_experience=p.min_years_experience,
                contracts_drafted=counts.get(p.id, 0),
                offered=OfferedTerms.model_validate({name: getattr(p, name) for name in offered_fields}),
            )
            for p in positions
        ],
    )


async def get_job_order(*, session: AsyncSession, principal: Principal, job_order_id: uuid.UUID) -> JobOrderPublic:
    order = await session.get(JobOrder, job_order_id)
    agreements = await _agencies_of(session, job_order_id) if order else []
    if order is None or not can_read(principal, order, agreements):
        raise NotFound("job order", job_order_id)
    return await present(session, order, agreements)


async def list_job_orders(
    *,
    session: AsyncSession,
    principal: Principal,
    employer_id: uuid.UUID | None = None,
    after: uuid.UUID | None = None,
    limit: int = 50,
) -> list[JobOrderPublic]:
    query = select(JobOrder).order_by(JobOrder.id).limit(limit)
    if principal.role == Role.employer:
        query = query.where(JobOrder.employer_id == principal.business_id)
    elif principal.role == Role.agency:
        mine = select(ServiceAgreement.job_order_id).where(ServiceAgreement.agency_id == principal.business_id)
        query = query.where(JobOrder.id.in_(mine))
    if employer_id:
        query = query.where(JobOrder.employer_id == employer_id)
    if after:
        query = query.where(JobOrder.id > after)
    return [await present(session, order) for order in (await session.execute(query)).scalars()]
