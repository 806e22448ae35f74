"""A placement's deployment steps: read by its parties, the worker and the operator; moved by the placement's
agency or employer. A cost the worker paid becomes a fee report (fees domain) so that the finding and vetting's
reaction follow; travel is done (the worker departed) only after a confirmed orientation in their language."""

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.auth import READ_ALL_ROLES, Principal, Role
from fairpath.common.errors import Conflict, NotFound, RuleViolations, Violation
from fairpath.common.ids import uuid7
from fairpath.common.ledger import Ledger
from fairpath.common.timeutil import utcnow
from fairpath.registry.crypto import FieldCipher
from fairpath.registry.deployment.schemas import (
    STEP_FEE_CATEGORY,
    DeploymentStepChange,
    DeploymentStepKind,
    DeploymentStepPublic,
    DeploymentStepsPublic,
    DeploymentStepsUpdate,
    StepState,
)
from fairpath.registry.deployment.tables import DeploymentStep
from fairpath.registry.fees.schemas import FeeReportCreate, Payer, ReportChannel
from fairpath.registry.fees.service import record_fee_report
from fairpath.registry.orientation.service import oriented_in_their_language
from fairpath.registry.placements.tables import Placement
from fairpath.registry.workers.tables import Worker


class OrientationRequired(Conflict):
    name = "orientation_before_departure"
    description = (
        "travel is done (the worker departed) only after the worker attended, and confirmed, an orientation "
        "session held in a language they speak"
    )


class CostAlreadyReported(Conflict):
    name = "cost_already_reported"
    description = "the worker paid this step's cost: it is a fee report now, whose reimbursement is tracked there"


def _is_party(principal: Principal, placement: Placement) -> bool:
    business = principal.business_id
    if business is None:
        return False
    if principal.role == Role.employer:
        return business == placement.employer_id
    return principal.role == Role.agency and str(business) in placement.agency_ids


async def _reach(
    session: AsyncSession, principal: Principal, contract_id: uuid.UUID, *, change: bool = False
) -> Placement:
    """The placement, to its agency or employer, its worker and (reading) the operator and auditors; NotFound
    otherwise, as for a placement that does not exist."""
    placement = await session.get(Placement, contract_id, with_for_update=change)
    if placement is not None:
        if _is_party(principal, placement):
            return placement
        if not change and (
            principal.role in READ_ALL_ROLES
            or (principal.role == Role.worker and principal.worker_id == placement.worker_id)
        ):
            return placement
    raise NotFound("placement", contract_id)


async def _steps(session: AsyncSession, contract_id: uuid.UUID) -> dict[DeploymentStepKind, DeploymentStep]:
    rows = await session.execute(select(DeploymentStep).where(DeploymentStep.contract_id == contract_id))
    return {row.step: row for row in rows.scalars()}


async def read_steps(*, session: AsyncSession, principal: Principal, contract_id: uuid.UUID) -> DeploymentStepsPublic:
    placement = await _reach(session, principal, contract_id)
    return _present(placement, await _steps(session, placement.contract_id))


def _violations(index: int, change: DeploymentStepChange, row: DeploymentStep | None) -> list[Violation]:
    violations: list[Violation] = []
    started = change.started_on or (row.started_on if row else None)
    if started and change.completed_on and change.completed_on < started:
        violations.append(
            Violation(field=f"steps.{index}.completed_on", rule="after_start", message="is before the step started")
        )
    if change.state is None and change.started_on is None and change.completed_on is None and change.cost is None:
        violations.append(
            Violation(field=f"steps.{index}", rule="empty_change", message="name a state, a date or a cost")
        )
    return violations


async def update_steps(
    *,
    session: AsyncSession,
    ledger: Ledger,
    principal: Principal,
    cipher: FieldCipher,
    contract_id: uuid.UUID,
    data: DeploymentStepsUpdate,
) -> DeploymentStepsPublic:
    placement = await _reach(session, principal, contract_id, change=True)
    rows = await _steps(session, placement.contract_id)
    violations = [v for i, c in enumerate(data.steps) for v in _violations(i, c, rows.get(c.step))]
    worker = await session.get(Worker, placement.worker_id)
    if worker is None:
        violations += [
            Violation(
                field=f"steps.{i}.cost.payer",
                rule="worker_in_registry",
                message="the registry does not hold the worker",
            )
            for i, c in enumerate(data.steps)
            if c.cost is not None and c.cost.payer == Payer.worker
        ]
    if violations:
        raise RuleViolations(violations)
    for change in data.steps:
        row = rows.get(change.step)
        if change.cost is not None and row is not None and row.fee_report_id is not None:
            raise CostAlreadyReported(f"the {change.step.value} cost the worker paid is fee report {row.fee_report_id}")
        departs = change.step == DeploymentStepKind.travel and change.state == StepState.done
        if departs and not await oriented_in_their_language(session, placement.worker_id):
            raise OrientationRequired(
                "the worker has not attended and confirmed an orientation session in a language they speak"
            )
    for change in data.steps:
        await _apply(session, ledger, principal, cipher, placement, worker, rows.get(change.step), change)
    return _present(placement, await _steps(session, placement.contract_id))


async def _apply(
    session: AsyncSession,
    ledger: Ledger,
    principal: Principal,
    cipher: FieldCipher,
    placement: Placement,
    worker: Worker | None,
    row: DeploymentStep | None,
    change: DeploymentStepChange,
) -> None:
    now = utcnow()
    new = row is None
    if row is None:
        row = DeploymentStep(
            id=uuid7(),
            contract_id=placement.contract_id,
            worker_id=placement.worker_id,
            step=change.step,
            state=StepState.pending,
            updated_by=principal.actor,
            updated_at=now,
        )
    if change.state is not None:
        row.state = change.state
        if change.state == StepState.done and change.completed_on is None and row.completed_on is None:
            row.completed_on = now.date()
    row.started_on = change.started_on or row.started_on
    row.completed_on = change.completed_on or row.completed_on
    cost = change.cost
    if cost is not None:
        row.payer, row.amount_minor, row.currency = cost.payer, cost.amount_minor, cost.currency
        if cost.payer == Payer.worker and worker is not None:
            report = await record_fee_report(
                session=session,
                ledger=ledger,
                principal=principal,
                cipher=cipher,
                worker=worker,
                data=FeeReportCreate(
                    category=STEP_FEE_CATEGORY[change.step],
                    amount_minor=cost.amount_minor,
                    currency=cost.currency,
                    payment_method=cost.payment_method,
                    paid_by=Payer.worker,
                    paid_to_business_id=cost.paid_to_business_id,
                    contract_id=placement.contract_id,
                    paid_on=cost.paid_on,
                ),
                channel=ReportChannel.deployment,
            )
            row.fee_report_id = report.id
    row.updated_by = principal.actor
    record = ledger.record_new if new else ledger.record_change
    await record(
        session,
        row,
        actor=principal.actor,
        action="deployment.step_changed",
        record_type="deployment_step",
        changes={"contract_id": str(placement.contract_id), **change.model_dump(mode="json", exclude_none=True)},
    )


def _present(placement: Placement, rows: dict[DeploymentStepKind, DeploymentStep]) -> DeploymentStepsPublic:
    steps = []
    for kind in DeploymentStepKind:
        row = rows.get(kind)
        steps.append(
            DeploymentStepPublic(
                step=kind,
                state=row.state if row else StepState.pending,
                started_on=row.started_on if row else None,
                completed_on=row.completed_on if row else None,
                payer=row.payer if row else None,
                amount_minor=row.amount_minor if row else None,
                currency=row.currency if row else None,
                fee_report_id=row.fee_report_id if row else None,
                updated_at=row.updated_at if row else None,
                version=row.version if row else 0,
            )
        )
    return DeploymentStepsPublic(contract_id=placement.contract_id, worker_id=placement.worker_id, steps=steps)
