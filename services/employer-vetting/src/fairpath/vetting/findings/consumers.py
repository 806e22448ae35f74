"""Findings reported by other services: substitution, worker-paid fees, substantiated grievances, retaliation.

Each adds a finding and reopens review; a substitution, an illegitimate fee or a severe
forced-labour indicator suspends an approved business at once. The inbox makes each
event count once; the finding's source record makes each report count once.
"""

from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.domain_codes import DEFAULT_SEVERE_INDICATORS, FeeCategory, Severity, SuspensionReason
from fairpath.common.events.catalogue import (
    ContractReturned,
    ContractSubstitutionDetected,
    FeeReported,
    GrievanceSubstantiated,
    RetaliationDetected,
)
from fairpath.common.events.consumer import Subscription
from fairpath.common.events.envelope import CloudEvent
from fairpath.common.ledger import Ledger
from fairpath.vetting.findings.flows import report_finding
from fairpath.vetting.findings.schemas import FindingKind, FindingSource

SYSTEM = "system:vetting"


async def on_substitution(
    session: AsyncSession, ledger: Ledger, event: CloudEvent, p: ContractSubstitutionDetected
) -> None:
    evidence = {
        "contract_id": str(p.contract_id),
        "signed_version": p.signed_version,
        "less_favourable": p.less_favourable,
    }
    await report_finding(
        session,
        ledger,
        business_id=p.employer_id,
        kind=FindingKind.contract_substitution,
        principle="E",
        severity=Severity.critical,
        source=FindingSource.contracts,
        source_ref=str(p.contract_id),
        evidence=evidence,
        actor=SYSTEM,
        suspend=SuspensionReason.contract_substitution,
        event_id=event.event_id,
    )
    for agency_id in p.agency_ids:  # every recruiter in the chain answers for the contract it placed
        await report_finding(
            session,
            ledger,
            business_id=agency_id,
            kind=FindingKind.contract_substitution,
            principle="E",
            severity=Severity.high,
            source=FindingSource.contracts,
            source_ref=str(p.contract_id),
            evidence=evidence,
            actor=SYSTEM,
            event_id=event.event_id,
        )


async def on_return(session: AsyncSession, ledger: Ledger, event: CloudEvent, p: ContractReturned) -> None:
    """A return journey the worker paid for is a cost of recruitment the worker bore (ILO travel_lodging): a
    finding against the employer, whose contract promised it. Each step of the return sends the whole return again:
    one finding per contract."""
    if not p.paid_by_worker:
        return
    await report_finding(
        session,
        ledger,
        business_id=p.employer_id,
        kind=FindingKind.worker_paid_fee,
        principle="C",
        severity=Severity.high,
        source=FindingSource.contracts,
        source_ref=f"{p.contract_id}:return",
        evidence={
            "contract_id": str(p.contract_id),
            "category": FeeCategory.travel_lodging.value,
            "amount_minor": p.worker_paid_amount_minor,
            "currency": p.currency,
        },
        actor=SYSTEM,
        event_id=event.event_id,
    )


async def on_fee_reported(session: AsyncSession, ledger: Ledger, event: CloudEvent, p: FeeReported) -> None:
    illegitimate = p.category == FeeCategory.illegitimate
    await report_finding(
        session,
        ledger,
        business_id=p.business_id,
        kind=FindingKind.worker_paid_fee,
        principle="C",
        severity=Severity.critical if illegitimate else Severity.high,
        source=FindingSource.registry,
        source_ref=str(p.fee_report_id),
        evidence={
            "fee_report_id": str(p.fee_report_id),
            "category": p.category.value,
            "amount_minor": p.amount_minor,
            "currency": p.currency,
            "payment_method": p.payment_method.value,
        },
        actor=SYSTEM,
        suspend=SuspensionReason.worker_paid_fee if illegitimate else None,
        event_id=event.event_id,
    )


def grievance_handler(severe: frozenset[str]):  # noqa: ANN201
    async def on_grievance_substantiated(
        session: AsyncSession, ledger: Ledger, event: CloudEvent, p: GrievanceSubstantiated
    ) -> None:
        if p.business_id is None:
            return
        severe_found = sorted(i.value for i in p.indicators if i.value in severe)
        await report_finding(
            session,
            ledger,
            business_id=p.business_id,
            kind=FindingKind.substantiated_grievance,
            principle="A" if p.indicators else "G",
            severity=Severity.critical if severe_found else p.severity,
            source=FindingSource.registry,
            source_ref=str(p.grievance_id),
            # Never the worker: an anonymous grievance must stay anonymous to the business.
            evidence={
                "grievance_id": str(p.grievance_id),
                "indicators": sorted(i.value for i in p.indicators),
                "severe_indicators": severe_found,
            },
            actor=SYSTEM,
            suspend=SuspensionReason.substantiated_grievance if severe_found else None,
            event_id=event.event_id,
        )

    return on_grievance_substantiated


async def on_retaliation(session: AsyncSession, ledger: Ledger, event: CloudEvent, p: RetaliationDetected) -> None:
    await report_finding(
        session,
        ledger,
        business_id=p.business_id,
        kind=FindingKind.retaliation,
        principle="G",
        severity=Severity.high,
        source=FindingSource.registry,
        source_ref=str(p.finding_id),
        evidence={"contract_id": str(p.contract_id), "termination_reason": p.termination_reason.value},
        actor=SYSTEM,
        event_id=event.event_id,
    )


def findings_subscriptions(severe_indicators: frozenset[str] | None = None) -> list[Subscription]:
    severe = severe_indicators or frozenset(i.value for i in DEFAULT_SEVERE_INDICATORS)
    return [
        Subscription(
            name="vetting-contracts",
            stream="CONTRACTS",
            handlers={ContractSubstitutionDetected: on_substitution, ContractReturned: on_return},
        ),
        Subscription(
            name="vetting-registry",
            stream="REGISTRY",
            handlers={
                FeeReported: on_fee_reported,
                GrievanceSubstantiated: grievance_handler(severe),
                RetaliationDetected: on_retaliation,
            },
        ),
    ]
