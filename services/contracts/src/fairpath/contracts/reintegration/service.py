"""The return journey at a contract's end and the invitation to a next season.

The employer pays the return (the contract's repatriation term). A return recorded as paid by the worker is
kept as it happened and sent on as a finding (ILO category travel_lodging, IRIS C), as any cost a worker
bore is: refusing the record would only hide what the worker paid. The worker's own confirmation that they
got home is theirs alone to give; with it, a seasonal contract completed in good standing makes the worker
eligible for the employer's invitation to the next season.
"""

import uuid
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.auth import Principal, Role
from fairpath.common.domain_codes import ContractParty, ContractTerm
from fairpath.common.errors import Conflict, NotFound, RuleViolations, Violation
from fairpath.common.events.catalogue import ContractReturned, WorkerInvitedToNextSeason
from fairpath.common.ids import uuid7
from fairpath.common.ledger import Ledger
from fairpath.common.timeutil import utcnow
from fairpath.contracts.contracts.service import get_contract, is_party
from fairpath.contracts.contracts.tables import Contract, ContractState
from fairpath.contracts.contracts.terms import PaidBy
from fairpath.contracts.job_orders.tables import JobOrder
from fairpath.contracts.lifecycle.service import contract_state, record_transition
from fairpath.contracts.reintegration.schemas import InvitationIn, ReturnIn, ReturnPublic, WorkerPaid
from fairpath.contracts.reintegration.tables import ContractReturn, SeasonInvitation

ENDED = (ContractState.completed, ContractState.terminated)

# --- problems ------------------------------------------------------------------------------------


class ContractNotEnded(Conflict):
    name = "contract_not_ended"
    description = "a return is recorded once the contract is completed or terminated"


class ReturnAlreadyRecorded(Conflict):
    name = "return_already_recorded"
    description = "the return journey of this contract is already recorded"


class NotEligibleForRehire(Conflict):
    name = "not_eligible_for_rehire"
    description = (
        "only a worker whose seasonal contract completed in good standing, and who confirmed their return, "
        "is invited to the next season; `reasons` names each missing condition"
    )


class AlreadyInvited(Conflict):
    name = "already_invited"
    description = "the worker is already invited to this job order"


# --- eligibility ---------------------------------------------------------------------------------


def rehire_gaps(contract: Contract, journey: ContractReturn | None) -> list[str]:
    """What stands between the contract's worker and an invitation to the next season (nothing: eligible)."""
    gaps = []
    if contract.term != ContractTerm.seasonal:
        gaps.append("not_seasonal")
    if contract.status != ContractState.completed:
        gaps.append("not_completed")
    elif not contract.good_standing:
        gaps.append("not_in_good_standing")
    if journey is None or journey.confirmed_home_at is None:
        gaps.append("return_not_confirmed")
    return gaps


# --- the return ----------------------------------------------------------------------------------


def _check_parts(principal: Principal, given: ReturnIn) -> list[Violation]:
    """Each side sends its own part: the worker their confirmation, the employer or agency the journey."""
    if principal.role == Role.worker:
        return [
            Violation(
                field=name,
                rule="recorded_by_the_employer_or_agency",
                message="the employer or agency records the journey; the worker confirms they got home",
            )
            for name in ("travel_date", "paid_by", "worker_paid")
            if getattr(given, name) is not None
        ] + (
            []
            if given.confirmed_home is True
            else [
                Violation(
                    field="confirmed_home",
                    rule="required",
                    message="confirm that you got home (true); if something is wrong, file a grievance",
                )
            ]
        )
    problems = []
    if given.confirmed_home is not None:
        problems.append(
            Violation(
                field="confirmed_home",
                rule="confirmed_by_the_worker",
                message="only the worker confirms, from their own login, that they got home",
            )
        )
    problems += [
        Violation(field=name, rule="required", message="the return journey states it")
        for name in ("travel_date", "paid_by")
        if getattr(given, name) is None
    ]
    if given.paid_by == PaidBy.worker and given.worker_paid is None:
        problems.append(
            Violation(field="worker_paid", rule="required", message="what the worker paid for the journey home")
        )
    if given.paid_by not in (None, PaidBy.worker) and given.worker_paid is not None:
        problems.append(Violation(field="worker_paid", rule="not_paid_by_worker", message="only when the worker paid"))
    return problems


def _ended_on(contract: Contract) -> date | None:
    return contract.completed_on if contract.status == ContractState.completed else contract.terminated_on


async def record_return(
    *, session: AsyncSession, ledger: Ledger, principal: Principal, contract_id: uuid.UUID, given: ReturnIn
) -> ReturnPublic:
    # Within reach: the worker's own contract, or one naming the employer or agency (any, for the operator).
    contract = await get_contract(session, principal, contract_id, lock=True)
    problems = _check_parts(principal, given)
    if problems:
        raise RuleViolations(problems)
    if contract.status not in ENDED:
        raise ContractNotEnded(f"the contract is {contract.status}: a return follows its completion or termination")
    journey = await session.get(ContractReturn, contract.id)
    if principal.role == Role.worker:
        if journey is not None and journey.confirmed_home_at is not None:
            return present_return(contract, journey)  # confirmed before: nothing changes
        journey = journey or ContractReturn(contract_id=contract.id)
        journey.confirmed_home_at = utcnow()
        session.add(journey)
        await _recorded(session, ledger, principal, contract, journey, "return_confirmed", {"confirmed_home": True})
        return present_return(contract, journey)
    if journey is not None and journey.recorded_at is not None:
        raise ReturnAlreadyRecorded(f"the return journey of contract {contract.id} is already recorded")
    ended = _ended_on(contract)
    if given.travel_date is not None and ended is not None and given.travel_date < ended:
        raise RuleViolations(
            [
                Violation(
                    field="travel_date",
                    rule="before_contract_end",
                    message=f"the return follows the contract's end ({ended.isoformat()})",
                )
            ]
        )
    journey = journey or ContractReturn(contract_id=contract.id)
    journey.travel_date, journey.paid_by = given.travel_date, given.paid_by
    if given.worker_paid is not None:
        journey.worker_paid_amount, journey.currency = given.worker_paid.amount, given.worker_paid.currency
    journey.recorded_by, journey.recorded_at = principal.actor, utcnow()
    session.add(journey)
    await _recorded(
        session,
        ledger,
        principal,
        contract,
        journey,
        "return_recorded",
        {"travel_date": given.travel_date.isoformat() if given.travel_date else None, "paid_by": given.paid_by},
    )
    return present_return(contract, journey)


async def _recorded(
    session: AsyncSession,
    ledger: Ledger,
    principal: Principal,
    contract: Contract,
    journey: ContractReturn,
    action: str,
    changes: dict[str, Any],
) -> None:
    await session.flush()
    await record_transition(
        session,
        ledger,
        principal,
        contract,
        action,
        changes,
        event=lambda: contract_state(
            contract,
            ContractReturned,
            travel_date=journey.travel_date,
            paid_by=ContractParty(journey.paid_by) if journey.paid_by else None,
            worker_paid_amount_minor=journey.worker_paid_amount,
            currency=journey.currency,
            confirmed_home_at=journey.confirmed_home_at,
            rehire_eligible=not rehire_gaps(contract, journey),
        ),
    )


def present_return(contract: Contract, journey: ContractReturn) -> ReturnPublic:
    worker_paid = (
        WorkerPaid(amount=journey.worker_paid_amount, currency=journey.currency)
        if journey.worker_paid_amount is not None and journey.currency is not None
        else None
    )
    return ReturnPublic(
        contract_id=contract.id,
        contract_status=contract.status,
        term=ContractTerm(contract.term),
        version=contract.version,
        travel_date=journey.travel_date,
        paid_by=journey.paid_by,
        worker_paid=worker_paid,
        recorded_at=journey.recorded_at,
        confirmed_home_at=journey.confirmed_home_at,
        fee_finding=journey.paid_by == PaidBy.worker,
        rehire_eligible=not rehire_gaps(contract, journey),
    )


# --- the next season -----------------------------------------------------------------------------


async def invite_to_next_season(
    *, session: AsyncSession, ledger: Ledger, principal: Principal, job_order_id: uuid.UUID, given: InvitationIn
) -> SeasonInvitation:
    order = await session.get(JobOrder, job_order_id)
    if order is None or (principal.role == Role.employer and order.employer_id != principal.business_id):
        raise NotFound("job order", job_order_id)
    contract = await session.get(Contract, given.contract_id)
    if contract is None or not is_party(principal, contract):
        # Another's contract is as unknown as a random id.
        raise RuleViolations(
            [Violation(field="contract_id", rule="unknown_contract", message="no contract with this id")]
        )
    if contract.employer_id != order.employer_id:
        raise RuleViolations(
            [
                Violation(
                    field="contract_id",
                    rule="not_the_job_order_employer",
                    message="the season that ended was with another employer than this job order's",
                )
            ]
        )
    gaps = rehire_gaps(contract, await session.get(ContractReturn, contract.id))
    if gaps:
        raise NotEligibleForRehire(
            f"the worker of contract {contract.id} is not eligible for re-hire: " + ", ".join(gaps), reasons=gaps
        )
    taken = await session.execute(
        select(SeasonInvitation.id).where(
            SeasonInvitation.job_order_id == order.id, SeasonInvitation.worker_id == contract.worker_id
        )
    )
    if taken.first() is not None:
        raise AlreadyInvited(f"the worker of contract {contract.id} is already invited to job order {order.id}")
    invitation = SeasonInvitation(
        id=uuid7(),
        job_order_id=order.id,
        previous_contract_id=contract.id,
        worker_id=contract.worker_id,
        employer_id=order.employer_id,
        invited_by=principal.actor,
        invited_at=utcnow(),
    )
    await ledger.record_new(
        session,
        invitation,
        actor=principal.actor,
        action="season_invitation.made",
        record_type="season_invitation",
        changes={"job_order_id": order.id, "previous_contract_id": contract.id},
        event=lambda: WorkerInvitedToNextSeason(
            version=invitation.version,
            invitation_id=invitation.id,
            worker_id=invitation.worker_id,
            employer_id=invitation.employer_id,
            job_order_id=invitation.job_order_id,
            previous_contract_id=invitation.previous_contract_id,
            invited_at=invitation.invited_at,
        ),
    )
    return invitation
