"""The rules every contract is held to.

`gather` reads what the rules need (local projections, the operator's tables, the job
order); `check_terms` then judges the terms without touching the database and names
every broken rule at once. A warning does not block: it is shown on the contract.
"""

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.auth import OPERATOR_ROLES, Principal, Role
from fairpath.common.domain_codes import BusinessKind, ConsentPurpose, FeeCategory
from fairpath.common.errors import Violation
from fairpath.common.timeutil import utcnow
from fairpath.contracts.businesses.service import Standing, reach_of, standings
from fairpath.contracts.contracts.pay import in_period, money
from fairpath.contracts.contracts.tables import Contract, ContractRecruiter, ContractState
from fairpath.contracts.contracts.terms import (
    PROVISION_RANK,
    ContractTerms,
    DeductionReason,
    DocumentHolder,
    PaidBy,
    Provision,
)
from fairpath.contracts.documents.catalogues import available_languages
from fairpath.contracts.job_orders.service import can_read as can_read_job_order
from fairpath.contracts.job_orders.tables import JobOrder, JobPosition, ServiceAgreement
from fairpath.contracts.reference.schemas import PayPeriod
from fairpath.contracts.reference.service import ExchangeRates, WorkingTimeRules, minimum_wage_for, working_time_for
from fairpath.contracts.reference.tables import MinimumWage
from fairpath.contracts.workers.service import accepted_offer_of
from fairpath.contracts.workers.tables import WorkerProjection

# Deductions the law makes (income tax, social security) are not the employer's to take: a minimum wage is a
# gross figure before them. Every other deduction, and every charge for housing or food, must leave it whole.
_STATUTORY_DEDUCTIONS = frozenset({DeductionReason.tax, DeductionReason.social_security})


@dataclass
class RuleContext:
    today: date
    issue_days_before_departure: int
    standings: list[Standing]
    worker: WorkerProjection | None
    minimum_wage: MinimumWage | None
    working_time: WorkingTimeRules
    rates: ExchangeRates
    job_order: JobOrder | None
    position: JobPosition | None
    agreements: list[ServiceAgreement] = field(default_factory=list)
    contracts_on_position: int = 0


@dataclass
class Verdict:
    violations: list[Violation]
    warnings: list[Violation]

    @property
    def passes(self) -> bool:
        return not self.violations


def _parties(terms: ContractTerms) -> list[tuple[uuid.UUID, BusinessKind]]:
    return [(terms.parties.employer.business_id, BusinessKind.employer)] + [
        (r.business_id, BusinessKind.recruitment_agency) for r in terms.parties.recruiters
    ]


async def _worker_in_reach(session: AsyncSession, principal: Principal, worker: WorkerProjection) -> bool:
    """An agency reaches the workers it registered, the operator every worker, each party a worker holding a
    contract that names it, and an agency or employer a worker who accepted its offer. An employer reaches no
    other: the worker's consent to share a profile is given to one employer at a time, and the registry's events
    tell contracts only that it was given to some employer."""
    if principal.role in OPERATOR_ROLES:
        return True
    own = principal.business_id
    if own is None:
        return False
    if principal.role in (Role.agency, Role.employer) and await accepted_offer_of(session, worker.worker_id, own):
        return True
    if principal.role == Role.agency:
        if worker.agency_id == own:
            return True
        query = (
            select(Contract.id)
            .join(ContractRecruiter, ContractRecruiter.contract_id == Contract.id)
            .where(Contract.worker_id == worker.worker_id, ContractRecruiter.agency_id == own)
        )
    elif principal.role == Role.employer:
        query = select(Contract.id).where(Contract.worker_id == worker.worker_id, Contract.employer_id == own)
    else:
        return False
    return (await session.execute(query.limit(1))).first() is not None


async def gather(
    session: AsyncSession,
    principal: Principal,
    terms: ContractTerms,
    *,
    job_order_id: uuid.UUID,
    position_id: uuid.UUID,
    issue_days_before_departure: int,
    contract_id: uuid.UUID | None = None,
) -> RuleContext:
    """What the rules need, each record named resolved within the caller's reach: a job order, worker or business
    outside it is gathered as one that does not exist, so the verdict is the one a random id gets."""
    now = utcnow()
    job_order = await session.get(JobOrder, job_order_id)
    agreements: list[ServiceAgreement] = []
    if job_order is not None:
        agreements = list(
            (
                await session.execute(select(ServiceAgreement).where(ServiceAgreement.job_order_id == job_order_id))
            ).scalars()
        )
        if not can_read_job_order(principal, job_order, agreements):
            job_order, agreements = None, []
    position = None
    drafted = 0
    if job_order is not None:
        # Locked: two contracts drafted at once for the last place of a position must not both get it.
        position = await session.get(JobPosition, position_id, with_for_update=True)
        if position is not None and position.job_order_id != job_order_id:
            position = None
    if position is not None:
        query = (
            select(func.count())
            .select_from(Contract)
            .where(Contract.position_id == position_id, Contract.status != ContractState.terminated)
        )
        if contract_id is not None:
            query = query.where(Contract.id != contract_id)
        drafted = (await session.execute(query)).scalar_one()
    reach = await reach_of(session, principal, terms.parties.employer.business_id)
    if reach is not None and job_order is not None:
        reach = reach | {job_order.employer_id} | {a.agency_id for a in agreements}
    worker = await session.get(WorkerProjection, terms.parties.worker.worker_id)
    if worker is not None and not await _worker_in_reach(session, principal, worker):
        worker = None
    return RuleContext(
        today=now.date(),
        issue_days_before_departure=issue_days_before_departure,
        standings=await standings(session, _parties(terms), now, reach),
        worker=worker,
        minimum_wage=await minimum_wage_for(session, terms.workplace.country, terms.job.sector),
        working_time=await working_time_for(session, terms.workplace.country),
        rates=await ExchangeRates.load(session),
        job_order=job_order,
        position=position,
        agreements=agreements,
        contracts_on_position=drafted,
    )


def check_terms(terms: ContractTerms, ctx: RuleContext) -> Verdict:
    violations: list[Violation] = []
    warnings: list[Violation] = []

    def broken(field_: str, rule: str, message: str) -> None:
        violations.append(Violation(field=field_, rule=rule, message=message))

    def warn(field_: str, rule: str, message: str) -> None:
        warnings.append(Violation(field=field_, rule=rule, message=message))

    _check_parties(ctx, broken)
    _check_job_order(terms, ctx, broken)
    _check_worker(terms, ctx, broken)
    _check_minimum_wage(terms, ctx, broken, warn)
    _check_costs(terms, broken)
    _check_working_time(terms, ctx, broken, warn)
    _check_freedom(terms, broken)
    if too_late_to_issue(terms.period.departure_date, ctx.today, ctx.issue_days_before_departure):
        broken(
            "terms.period.departure_date",
            "issue_notice",
            f"a contract is issued at least {ctx.issue_days_before_departure} days before departure: "
            f"departure on {terms.period.departure_date} leaves too little time to read it and ask",
        )
    return Verdict(violations, warnings)


def too_late_to_issue(departure: date, today: date, days_before: int) -> bool:
    return departure < today + timedelta(days=days_before)


def _check_parties(ctx: RuleContext, broken) -> None:  # noqa: ANN001
    for index, standing in enumerate(ctx.standings):
        if standing.in_good_standing:
            continue
        where = (
            "terms.parties.employer.business_id" if index == 0 else f"terms.parties.recruiters.{index - 1}.business_id"
        )
        broken(where, standing.rule, standing.message)


def _check_job_order(terms: ContractTerms, ctx: RuleContext, broken) -> None:  # noqa: ANN001
    order, position = ctx.job_order, ctx.position
    if order is None:
        broken("job_order_id", "unknown_job_order", "no job order with this id")
        return
    if position is None:
        broken("position_id", "unknown_position", "the job order has no position with this id")
    if terms.parties.employer.business_id != order.employer_id:
        broken(
            "terms.parties.employer.business_id",
            "not_the_job_order_employer",
            "the contract's employer is not the employer of its job order",
        )
    agencies = {a.agency_id for a in ctx.agreements}
    for i, recruiter in enumerate(terms.parties.recruiters):
        if recruiter.business_id not in agencies:
            broken(
                f"terms.parties.recruiters.{i}.business_id",
                "no_service_agreement",
                f"{recruiter.legal_name} has no service agreement with the employer for this job order",
            )
    if terms.workplace.country != order.destination_country:
        broken(
            "terms.workplace.country",
            "destination_differs",
            f"the job order is for {order.destination_country}, the workplace is in {terms.workplace.country}",
        )
    if position is None:
        return
    if ctx.contracts_on_position >= position.number_of_workers:
        broken(
            "position_id",
            "positions_filled",
            f"the position has {position.number_of_workers} places and {ctx.contracts_on_position} contracts already",
        )
    if terms.job.occupation != position.occupation:
        broken(
            "terms.job.occupation",
            "occupation_differs",
            f"the position is for ISCO-08 {position.occupation}, not {terms.job.occupation}",
        )
    _check_offer(terms, ctx, position, broken)


def _check_offer(terms: ContractTerms, ctx: RuleContext, position: JobPosition, broken) -> None:  # noqa: ANN001
    """The contract may not offer less than its job order."""
    hours = terms.hours
    offered = in_period(
        position.pay_amount,
        position.pay_period,
        PayPeriod.hour,
        position.normal_hours_per_day,
        position.normal_hours_per_week,
    )
    contract_rate = in_period(
        terms.pay.amount, terms.pay.period, PayPeriod.hour, hours.normal_hours_per_day, hours.normal_hours_per_week
    )
    rate = ctx.rates.rate(terms.pay.currency, position.currency)
    if rate is None:
        broken(
            "terms.pay.currency",
            "below_job_order",
            f"pay in {terms.pay.currency} cannot be compared with the job order's {position.currency}: "
            "no exchange rate on file",
        )
    elif contract_rate * rate < offered:
        broken(
            "terms.pay.amount",
            "below_job_order",
            f"the job order offers {money(round(offered * 100) / 100, position.currency)} an hour; "
            f"this contract pays {money(round(contract_rate * rate * 100) / 100, position.currency)}",
        )
    if hours.normal_hours_per_week > position.normal_hours_per_week:
        broken(
            "terms.hours.normal_hours_per_week",
            "below_job_order",
            f"the job order offers {position.normal_hours_per_week:g} normal hours a week, not {hours.normal_hours_per_week:g}",
        )
    if hours.normal_hours_per_day > position.normal_hours_per_day:
        broken(
            "terms.hours.normal_hours_per_day",
            "below_job_order",
            f"the job order offers {position.normal_hours_per_day:g} normal hours a day, not {hours.normal_hours_per_day:g}",
        )
    if terms.rest.weekly_rest_days < position.weekly_rest_days:
        broken(
            "terms.rest.weekly_rest_days",
            "below_job_order",
            f"the job order offers {position.weekly_rest_days} rest days a week",
        )
    if terms.leave.paid_annual_leave_days < position.paid_annual_leave_days:
        broken(
            "terms.leave.paid_annual_leave_days",
            "below_job_order",
            f"the job order offers {position.paid_annual_leave_days} days of paid annual leave",
        )
    if (
        position.duration_months
        and terms.period.duration_months
        and terms.period.duration_months < position.duration_months
    ):
        broken(
            "terms.period.duration_months",
            "below_job_order",
            f"the job order offers {position.duration_months} months of employment",
        )
    for name in ("housing", "food"):
        promised, given = Provision(getattr(position, name)), getattr(terms.food_and_housing, name).provision
        if PROVISION_RANK[given] < PROVISION_RANK[promised]:
            broken(
                f"terms.food_and_housing.{name}.provision",
                "below_job_order",
                f"the job order offers {name} {promised.value.replace('_', ' ')}",
            )


def _check_worker(terms: ContractTerms, ctx: RuleContext, broken) -> None:  # noqa: ANN001
    worker = ctx.worker
    if worker is None or worker.erased:
        broken("terms.parties.worker.worker_id", "worker_not_registered", "the worker is not registered")
    else:
        if ConsentPurpose.employment_contract.value not in worker.consents:
            broken(
                "terms.parties.worker.worker_id",
                "consent_missing",
                "the worker has not consented to the purpose employment_contract",
            )
        if terms.languages.worker_language not in worker.languages:
            read = ", ".join(worker.languages) or "none recorded"
            broken(
                "terms.languages.worker_language",
                "language_not_read",
                f"the worker's profile does not list {terms.languages.worker_language} (reads: {read})",
            )
    if terms.languages.worker_language not in available_languages():
        broken(
            "terms.languages.worker_language",
            "language_not_available",
            f"no contract template in {terms.languages.worker_language} "
            f"(available: {', '.join(sorted(available_languages()))})",
        )


def _check_minimum_wage(terms: ContractTerms, ctx: RuleContext, broken, warn) -> None:  # noqa: ANN001
    row, pay, hours = ctx.minimum_wage, terms.pay, terms.hours
    where = f"{terms.workplace.country}, sector {terms.job.sector}"
    if row is None:
        warn(
            "terms.pay.amount",
            "minimum_wage_unknown",
            f"no minimum wage on file for {where}: the pay was not checked against one",
        )
        return
    rate = ctx.rates.rate(pay.currency, row.currency)
    if rate is None:
        broken(
            "terms.pay.currency",
            "minimum_wage_unverifiable",
            f"the minimum wage for {where} is in {row.currency}; there is no exchange rate from {pay.currency}",
        )
        return
    pay_in_row_terms = (
        in_period(pay.amount, pay.period, row.period, hours.normal_hours_per_day, hours.normal_hours_per_week) * rate
    )
    minimum = f"{money(row.amount, row.currency)} a {row.period} for {where} ({row.source}, {row.effective_from})"
    if pay_in_row_terms < Decimal(row.amount):
        broken(
            "terms.pay.amount",
            "minimum_wage",
            f"{money(round(pay_in_row_terms), row.currency)} a {row.period} is below the minimum wage of {minimum}",
        )
        return
    deducted = sum(d.amount for d in pay.deductions if d.reason not in _STATUTORY_DEDUCTIONS)
    charges = _charges(terms)
    taken = in_period(deducted, pay.period, row.period, hours.normal_hours_per_day, hours.normal_hours_per_week)
    taken += sum(
        in_period(amount, PayPeriod.month, row.period, hours.normal_hours_per_day, hours.normal_hours_per_week)
        for _, amount in charges
    )
    left = pay_in_row_terms - taken * rate
    if left < Decimal(row.amount):
        broken(
            charges[0][0] if charges else "terms.pay.deductions",
            "minimum_wage_after_deductions",
            f"after deductions and charges of {money(round(taken * rate), row.currency)} a {row.period}, the worker "
            f"keeps {money(round(left), row.currency)}, below the minimum wage of {minimum}",
        )


def _charges(terms: ContractTerms) -> list[tuple[str, int]]:
    """Housing or food charged to the worker: (the charge's field, its amount a month in the pay currency)."""
    charged = []
    for name in ("housing", "food"):
        provided = getattr(terms.food_and_housing, name)
        if provided.provision == Provision.charged_to_worker and provided.monthly_charge:
            charged.append((f"terms.food_and_housing.{name}.monthly_charge", provided.monthly_charge))
    return charged


def _check_costs(terms: ContractTerms, broken) -> None:  # noqa: ANN001
    """The Employer Pays Principle: no cost of recruitment borne by the worker (IRIS C)."""
    for i, line in enumerate(terms.fee_statement):
        if line.category == FeeCategory.illegitimate and line.amount > 0:
            broken(
                f"terms.fee_statement.{i}.category",
                "illegitimate_cost",
                "bribes, bonds, deposits and kickbacks are never allowed, whoever pays them",
            )
        elif line.paid_by == PaidBy.worker:
            # Even at zero: a statement naming the worker as the payer tells the worker they bear the cost.
            broken(
                f"terms.fee_statement.{i}.paid_by",
                "worker_paid_cost",
                f"the worker may not bear a cost of recruitment ({line.category.value}): the employer pays it",
            )
    for i, deduction in enumerate(terms.pay.deductions):
        if deduction.fee_category is not None and deduction.amount > 0:
            broken(
                f"terms.pay.deductions.{i}.fee_category",
                "worker_paid_cost",
                f"a deduction from wages recovers a cost of recruitment ({deduction.fee_category.value})",
            )
    for name in ("housing", "food"):
        provided = getattr(terms.food_and_housing, name)
        if provided.provision == Provision.charged_to_worker and not provided.worker_agrees_to_deduction:
            broken(
                f"terms.food_and_housing.{name}.worker_agrees_to_deduction",
                "deduction_not_agreed",
                f"{name} charged to the worker is deducted from pay only with the worker's agreement, "
                "recorded in the terms (ILO C95 Art. 8)",
            )
    paid = {
        "terms.transport.to_and_from_point_of_hire_paid_by": terms.transport.to_and_from_point_of_hire_paid_by,
        "terms.transport.at_job_site_paid_by": terms.transport.at_job_site_paid_by,
        "terms.medical.medical_care_paid_by": terms.medical.medical_care_paid_by,
        "terms.medical.insurance_paid_by": terms.medical.insurance_paid_by,
    }
    for where, payer in paid.items():
        if payer == PaidBy.worker:
            broken(where, "worker_paid_cost", "the worker may not bear this cost: the employer pays it")
    if terms.repatriation.paid_by != PaidBy.employer:
        broken("terms.repatriation.paid_by", "repatriation_at_employer_cost", "repatriation is at the employer's cost")
    if not terms.repatriation.includes_repatriation_of_remains:
        broken(
            "terms.repatriation.includes_repatriation_of_remains",
            "repatriation_at_employer_cost",
            "repatriation at the employer's cost includes repatriation of remains",
        )


def _check_working_time(terms: ContractTerms, ctx: RuleContext, broken, warn) -> None:  # noqa: ANN001
    limits, hours = ctx.working_time, terms.hours
    if limits.is_baseline:
        warn(
            "terms.workplace.country",
            "working_time_baseline",
            f"no working-time limits on file for {terms.workplace.country}: checked against the {limits.source}",
        )
    if hours.normal_hours_per_week > limits.max_hours_per_week:
        broken(
            "terms.hours.normal_hours_per_week",
            "working_hours",
            f"{hours.normal_hours_per_week:g} normal hours a week exceed the limit of {limits.max_hours_per_week:g} "
            f"({limits.source})",
        )
    if limits.max_hours_per_day is not None and hours.normal_hours_per_day > limits.max_hours_per_day:
        broken(
            "terms.hours.normal_hours_per_day",
            "working_hours",
            f"{hours.normal_hours_per_day:g} normal hours a day exceed the limit of {limits.max_hours_per_day:g} "
            f"({limits.source})",
        )
    if terms.rest.weekly_rest_days < limits.min_weekly_rest_days:
        broken(
            "terms.rest.weekly_rest_days",
            "weekly_rest",
            f"at least {limits.min_weekly_rest_days} rest day(s) a week ({limits.source})",
        )
    minimum_leave = limits.min_leave_days_for(terms.rest.weekly_rest_days)
    if terms.leave.paid_annual_leave_days < minimum_leave:
        broken(
            "terms.leave.paid_annual_leave_days",
            "annual_leave",
            f"at least {minimum_leave} days of paid annual leave ({limits.source})",
        )


def _check_freedom(terms: ContractTerms, broken) -> None:  # noqa: ANN001
    """Freedom of movement (IRIS D): documents stay with the worker, who may leave without penalty."""
    custody = terms.document_custody
    if custody.passport_kept_by != DocumentHolder.worker:
        broken("terms.document_custody.passport_kept_by", "document_custody", "the worker keeps their own passport")
    if custody.identity_documents_kept_by != DocumentHolder.worker:
        broken(
            "terms.document_custody.identity_documents_kept_by",
            "document_custody",
            "the worker keeps their own identity documents",
        )
    if not terms.termination.worker_may_leave_without_penalty:
        broken(
            "terms.termination.worker_may_leave_without_penalty",
            "freedom_to_leave",
            "the worker may end the employment without penalty, bond or loss of documents",
        )
