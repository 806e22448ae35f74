"""Fee reports: reporting what a worker paid (a finding when the worker paid), and tracking its reimbursement
until the worker confirms it (IRIS C, the Employer Pays Principle)."""

import json
import uuid
from collections.abc import Callable
from functools import partial

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.auth import READ_ALL_ROLES, Principal, Role
from fairpath.common.errors import Conflict, Forbidden, NotFound, RuleViolations, Violation
from fairpath.common.events.catalogue import FeeReimbursed, FeeReported
from fairpath.common.events.envelope import EventPayload
from fairpath.common.ids import uuid7
from fairpath.common.ledger import Ledger
from fairpath.common.timeutil import utcnow
from fairpath.registry.businesses.service import unknown_businesses
from fairpath.registry.crypto import FieldCipher
from fairpath.registry.fees.schemas import (
    Evidence,
    FeeReportCreate,
    FeeReportPublic,
    FeeReportUpdate,
    Payer,
    ReimbursementStatus,
    ReimbursementStep,
    ReportChannel,
)
from fairpath.registry.fees.tables import FeeReport
from fairpath.registry.placements.tables import Placement
from fairpath.registry.workers.service import (
    View,
    audit_reads,
    birth_of,
    business_reach,
    contract_violations,
    date_violations,
    is_owner,
    owned_worker,
    require_active,
    worker_in_reach,
)
from fairpath.registry.workers.tables import Worker


class NotAFinding(Conflict):
    name = "not_a_finding"
    description = "the worker did not pay this cost: there is nothing to reimburse"


class ReimbursementStepNotAllowed(Conflict):
    name = "invalid_transition"
    description = "the reimbursement's status does not allow this step (owed → promised → paid → confirmed or disputed)"


_BUSINESS_STEPS = {ReimbursementStep.promised, ReimbursementStep.paid}
_WORKER_STEPS = {ReimbursementStep.confirmed, ReimbursementStep.disputed}
_ALLOWED_FROM = {
    ReimbursementStep.promised: {ReimbursementStatus.owed},
    ReimbursementStep.paid: {ReimbursementStatus.owed, ReimbursementStatus.promised},
    ReimbursementStep.confirmed: {ReimbursementStatus.paid},
    ReimbursementStep.disputed: {ReimbursementStatus.paid},
}


async def report_fee(
    *,
    session: AsyncSession,
    ledger: Ledger,
    principal: Principal,
    cipher: FieldCipher,
    worker_id: uuid.UUID,
    data: FeeReportCreate,
) -> FeeReport:
    """The worker reports through their own channel, or their agency for them."""
    worker = await owned_worker(session, principal, worker_id)
    channel = ReportChannel.worker if principal.role == Role.worker else ReportChannel.agency
    return await record_fee_report(
        session=session, ledger=ledger, principal=principal, cipher=cipher, worker=worker, data=data, channel=channel
    )


async def record_fee_report(
    *,
    session: AsyncSession,
    ledger: Ledger,
    principal: Principal,
    cipher: FieldCipher,
    worker: Worker,
    data: FeeReportCreate,
    channel: ReportChannel,
) -> FeeReport:
    """A fee report for a worker the caller acts for (as a report, or as a cost of the worker's deployment): a
    worker-paid amount is a finding, emitted once a business answers for it."""
    # The business paid, within the reach of the worker's side (workers.service.business_reach); a broker
    # vetting does not know is reported by naming no business.
    violations = await unknown_businesses(
        session,
        {"paid_to_business_id": data.paid_to_business_id},
        reach=await business_reach(session, principal, worker),
    )
    violations += date_violations(
        "paid_on", data.paid_on, earliest=birth_of(cipher, worker), why="is before the worker's date of birth"
    )
    violations += await contract_violations(session, worker, data.contract_id)
    if violations:
        raise RuleViolations(violations)
    require_active(worker)
    now = utcnow()
    report_id = uuid7()
    finding = data.paid_by == Payer.worker
    # The recruiter is answerable for its sub-agents (IRIS): an unnamed recipient is the registering agency's.
    finding_business = (data.paid_to_business_id or worker.agency_business_id) if finding else None
    report = FeeReport(
        id=report_id,
        worker_id=worker.id,
        category=data.category,
        amount_minor=data.amount_minor,
        currency=data.currency,
        payment_method=data.payment_method,
        paid_by=data.paid_by,
        paid_to_business_id=data.paid_to_business_id,
        contract_id=data.contract_id,
        paid_on=data.paid_on,
        evidence_sealed=_seal_evidence(cipher, report_id, data.evidence),
        channel=channel,
        reported_by=principal.actor,
        reported_at=now,
        finding=finding,
        finding_business_id=finding_business,
        reimbursement_status=ReimbursementStatus.owed if finding else ReimbursementStatus.not_applicable,
        updated_at=now,
        version=1,
    )
    # A finding goes to vetting once a business answers for it.
    reported = None
    if finding and finding_business is not None:
        reported = partial(_reported, report, principal, await _employer_of(session, report))
    await ledger.record_new(
        session,
        report,
        actor=principal.actor,
        action="fee.reported",
        record_type="fee_report",
        changes={
            **data.model_dump(mode="json", exclude={"evidence"}, exclude_none=True),
            "worker_id": str(worker.id),
            "evidence": report.evidence_sealed,
        },
        event=reported,
    )
    return report


async def _employer_of(session: AsyncSession, report: FeeReport) -> uuid.UUID | None:
    """The employer of the placement the fee was paid for, when the registry holds it."""
    if report.contract_id is None:
        return None
    placement = await session.get(Placement, report.contract_id)
    return placement.employer_id if placement and placement.worker_id == report.worker_id else None


def _reported(report: FeeReport, principal: Principal, employer_id: uuid.UUID | None) -> FeeReported:
    return FeeReported(
        version=report.version,
        fee_report_id=report.id,
        worker_id=report.worker_id,
        business_id=report.finding_business_id,
        employer_id=employer_id,
        contract_id=report.contract_id,
        category=report.category,
        amount_minor=report.amount_minor,
        currency=report.currency,
        payment_method=report.payment_method,
        paid_on=report.paid_on,
        reported_by_role=principal.role,
        reported_at=report.reported_at,
    )


def _reimbursed(report: FeeReport) -> FeeReimbursed:
    return FeeReimbursed(
        version=report.version,
        fee_report_id=report.id,
        worker_id=report.worker_id,
        business_id=report.finding_business_id,
        category=report.category,
        amount_minor=report.amount_minor,
        reimbursed_amount_minor=report.reimbursed_amount_minor or 0,
        currency=report.currency,
        reimbursed_on=report.reimbursed_on,
        confirmed_by_worker=True,
        confirmed_at=report.confirmed_at,
    )


def _seal_evidence(cipher: FieldCipher, report_id: uuid.UUID, evidence: list[Evidence]) -> str | None:
    if not evidence:
        return None
    return cipher.seal(json.dumps([e.model_dump(mode="json") for e in evidence]), record=report_id, field="evidence")


def _is_business_of(principal: Principal, report: FeeReport) -> bool:
    return principal.business_id is not None and principal.business_id in (
        report.finding_business_id,
        report.paid_to_business_id,
    )


async def _reach(
    session: AsyncSession, principal: Principal, fee_report_id: uuid.UUID, report: FeeReport | None
) -> tuple[Worker | None, bool]:
    """(the worker, whether the caller sees the evidence); NotFound outside the caller's reach."""
    if report is None:
        raise NotFound("fee report", fee_report_id)
    worker = await session.get(Worker, report.worker_id)
    if worker is not None and is_owner(principal, worker):
        return worker, True
    if principal.role in READ_ALL_ROLES:
        return worker, True
    if principal.role in (Role.employer, Role.agency) and _is_business_of(principal, report):
        return worker, False
    raise NotFound("fee report", fee_report_id)


async def read_fee_report(
    *, session: AsyncSession, ledger: Ledger, principal: Principal, cipher: FieldCipher, fee_report_id: uuid.UUID
) -> FeeReportPublic:
    report = await session.get(FeeReport, fee_report_id)
    worker, evidence = await _reach(session, principal, fee_report_id, report)
    if worker is None or not is_owner(principal, worker):
        await ledger.append(
            session, actor=principal.actor, action="fee.read", record_type="fee_report", record_id=report.id
        )
    return present(report, cipher, with_evidence=evidence)


async def fee_reports_of(
    *,
    session: AsyncSession,
    ledger: Ledger,
    principal: Principal,
    worker_id: uuid.UUID,
    after: uuid.UUID | None = None,
    limit: int = 50,
) -> list[FeeReport]:
    """The worker's fee reports in the order they were made, for whoever may read the worker's record (the worker,
    their agency, the operator's officers and auditors; not an employer that sees only a profile): 404 otherwise.
    A read by anyone but the worker's side is an audit entry, as the record's own read is."""
    worker, view = await worker_in_reach(session, principal, worker_id)
    if view == View.profile:
        raise NotFound("worker", worker_id)
    query = select(FeeReport).where(FeeReport.worker_id == worker.id).order_by(FeeReport.id).limit(limit)
    if after is not None:
        query = query.where(FeeReport.id > after)
    await audit_reads(session, ledger, principal, [worker], "worker.fees_read")
    return list((await session.execute(query)).scalars())


async def record_reimbursement(
    *,
    session: AsyncSession,
    ledger: Ledger,
    principal: Principal,
    cipher: FieldCipher,
    fee_report_id: uuid.UUID,
    data: FeeReportUpdate,
) -> FeeReportPublic:
    report = await session.get(FeeReport, fee_report_id, with_for_update=True)
    worker, evidence = await _reach(session, principal, fee_report_id, report)
    is_the_worker = principal.role == Role.worker
    if data.step in _WORKER_STEPS and not is_the_worker:
        raise Forbidden("only the worker confirms or disputes a reimbursement, through their own channel")
    if data.step in _BUSINESS_STEPS and (is_the_worker or principal.role == Role.auditor):
        raise Forbidden("the business that owes the reimbursement, the agency or the operator records it")
    # Given back, or promised, for a payment: not before it was made.
    reach = await business_reach(session, principal, worker) if worker is not None else None
    violations = await unknown_businesses(session, {"paid_to_business_id": data.paid_to_business_id}, reach=reach)
    for field in ("promised_by_date", "reimbursed_on"):
        violations += date_violations(
            field, getattr(data, field), earliest=report.paid_on, why="is before the fee was paid"
        )
    if violations:
        raise RuleViolations(violations)
    if not report.finding:
        raise NotAFinding("the worker did not pay this cost: there is nothing to reimburse")
    if report.reimbursement_status not in _ALLOWED_FROM[data.step]:
        raise ReimbursementStepNotAllowed(
            f"a reimbursement that is {report.reimbursement_status} cannot be {data.step.value}"
        )
    now = utcnow()
    if data.step == ReimbursementStep.promised:
        if data.promised_by_date is None:
            raise RuleViolations(
                [Violation(field="promised_by_date", rule="required", message="by when the worker will be paid back")]
            )
        report.reimbursement_status, report.promised_by_date, report.promised_at = (
            ReimbursementStatus.promised,
            data.promised_by_date,
            now,
        )
    elif data.step == ReimbursementStep.paid:
        report.reimbursement_status = ReimbursementStatus.paid
        report.reimbursed_amount_minor, report.reimbursed_on = data.reimbursed_amount_minor, data.reimbursed_on
        report.paid_recorded_by, report.disputed_at = principal.actor, None
    elif data.step == ReimbursementStep.confirmed:
        report.reimbursement_status, report.confirmed_at = ReimbursementStatus.confirmed, now
    else:
        report.reimbursement_status, report.disputed_at = ReimbursementStatus.owed, now
    newly_attributed = False
    if data.paid_to_business_id is not None and report.paid_to_business_id is None and principal.role != Role.worker:
        report.paid_to_business_id = data.paid_to_business_id
        newly_attributed = report.finding_business_id is None
        report.finding_business_id = report.finding_business_id or data.paid_to_business_id
    # At most one event: naming the business is never the worker's step, confirming only the worker's.
    event: Callable[[], EventPayload] | None = None
    if newly_attributed:
        event = partial(_reported, report, principal, await _employer_of(session, report))
    elif data.step == ReimbursementStep.confirmed and report.finding_business_id is not None:
        event = partial(_reimbursed, report)
    await ledger.record_change(
        session,
        report,
        actor=principal.actor,
        action=f"fee.reimbursement_{data.step.value}",
        record_type="fee_report",
        changes=data.model_dump(mode="json", exclude_none=True),
        event=event,
    )
    return present(report, cipher, with_evidence=evidence)


def present(report: FeeReport, cipher: FieldCipher, *, with_evidence: bool) -> FeeReportPublic:
    evidence = None
    if with_evidence:
        opened = cipher.open(report.evidence_sealed, record=report.id, field="evidence")
        evidence = [Evidence.model_validate(e) for e in json.loads(opened)] if opened else []
    return FeeReportPublic(
        id=report.id,
        worker_id=report.worker_id,
        category=report.category,
        amount_minor=report.amount_minor,
        currency=report.currency,
        payment_method=report.payment_method,
        paid_by=report.paid_by,
        paid_to_business_id=report.paid_to_business_id,
        contract_id=report.contract_id,
        paid_on=report.paid_on,
        evidence=evidence,
        channel=report.channel,
        reported_at=report.reported_at,
        finding=report.finding,
        finding_business_id=report.finding_business_id,
        reimbursement_status=report.reimbursement_status,
        promised_by_date=report.promised_by_date,
        reimbursed_amount_minor=report.reimbursed_amount_minor,
        reimbursed_on=report.reimbursed_on,
        confirmed_at=report.confirmed_at,
        disputed_at=report.disputed_at,
        updated_at=report.updated_at,
        version=report.version,
    )
