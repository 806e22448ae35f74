"""Drafting, changing and moving contracts through their lifecycle, each change recorded through the ledger.

draft → issued → signed → active → completed | terminated; a substitution finding on arrival
makes a signed contract `disputed`. Every change of terms is a new immutable version whose
SHA-256 covers the RFC 8785 canonical JSON of the terms; the signed version never changes.
A change of the contract bumps its row version, audits it and writes its event in one step
(`ledger.record_change`), so every event carries the version the row has after the change.
"""

import calendar
import uuid
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.auth import Principal, Role
from fairpath.common.domain_codes import BusinessKind, ContractStatus, ContractTerm
from fairpath.common.errors import Conflict, Forbidden, NotFound, RuleViolations, Violation, violations_from_pydantic
from fairpath.common.events.catalogue import (
    ContractActivated,
    ContractCompleted,
    ContractIssued,
    ContractSigned,
    ContractSubstitutionDetected,
    ContractTerminated,
    TermChange,
)
from fairpath.common.events.envelope import EventPayload
from fairpath.common.ids import uuid7
from fairpath.common.ledger import Ledger
from fairpath.common.timeutil import utcnow
from fairpath.contracts.businesses.service import standings
from fairpath.contracts.config import ContractsSettings
from fairpath.contracts.contracts.codes import new_code
from fairpath.contracts.contracts.sealing import seal
from fairpath.contracts.contracts.service import content_hash, current_version, get_contract, is_party, terms_of
from fairpath.contracts.contracts.tables import (
    ArrivalVerification,
    Contract,
    ContractRecruiter,
    ContractState,
    ContractVersion,
)
from fairpath.contracts.contracts.terms import ContractTerms
from fairpath.contracts.lifecycle import rules
from fairpath.contracts.lifecycle.schemas import (
    ArrivalVerificationIn,
    CompletionIn,
    ContractChange,
    ContractDraft,
    SignatureIn,
    TerminationIn,
)
from fairpath.contracts.reference.service import ExchangeRates
from fairpath.contracts.substitution.service import LESS, compare_terms

# --- problems ------------------------------------------------------------------------------------


class SignedTermsAreImmutable(Conflict):
    name = "signed_terms_are_immutable"
    description = "the worker signed the contract: its terms never change"


class VersionMismatch(Conflict):
    name = "version_mismatch"
    description = "the request was made against another version of the terms than the contract's current one"


class PartyNotInGoodStanding(Conflict):
    name = "party_not_in_good_standing"
    description = "the employer or a recruiter is not in good standing with vetting; `blocking` names each and why"


class NotADraft(Conflict):
    name = "not_a_draft"
    description = "only a draft is issued"


class TooLateToIssue(Conflict):
    name = "too_late_to_issue"
    description = "the departure is closer than the configured days a contract is issued before it"


class NotIssued(Conflict):
    name = "not_issued"
    description = "only a contract issued to the worker is signed"


class DeparturePassed(Conflict):
    name = "departure_passed"
    description = "the worker signs before departure"


class NotSigned(Conflict):
    name = "not_signed"
    description = "arrival is verified against a signed contract"


class NotActive(Conflict):
    name = "not_active"
    description = "only an active contract is completed"


class AlreadyEnded(Conflict):
    name = "already_ended"
    description = "the contract is already completed or terminated"


# --- terms ---------------------------------------------------------------------------------------


def end_date_of(terms: ContractTerms) -> date | None:
    months = terms.period.duration_months
    if terms.period.term == ContractTerm.open_ended or not months:
        return None
    start = terms.period.start_date
    total = start.month - 1 + months
    year, month = start.year + total // 12, total % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396: objects merge key by key, null removes, anything else replaces."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


# --- access --------------------------------------------------------------------------------------


def _check_may_draft(principal: Principal, terms: ContractTerms) -> None:
    if principal.role == Role.employer and terms.parties.employer.business_id != principal.business_id:
        raise Forbidden("an employer drafts contracts only as the employer named in them")
    if principal.role == Role.agency and principal.business_id not in terms.agency_ids:
        raise Forbidden("an agency drafts contracts only as a recruiter named in them")


async def _get_for_party(session: AsyncSession, principal: Principal, contract_id: uuid.UUID) -> Contract:
    contract = await get_contract(session, principal, contract_id, lock=True)
    if not is_party(principal, contract):
        raise Forbidden("only the contract's employer, its recruiters or the operator may do this")
    return contract


# --- rules ---------------------------------------------------------------------------------------


async def judge(
    session: AsyncSession,
    principal: Principal,
    settings: ContractsSettings,
    draft: ContractDraft,
    contract_id: uuid.UUID | None = None,
) -> rules.Verdict:
    """The rules applied to the draft, every id it names resolved within the caller's reach."""
    ctx = await rules.gather(
        session,
        principal,
        draft.terms,
        job_order_id=draft.job_order_id,
        position_id=draft.position_id,
        issue_days_before_departure=settings.issue_days_before_departure,
        contract_id=contract_id,
    )
    return rules.check_terms(draft.terms, ctx)


async def check_contract(
    *, session: AsyncSession, principal: Principal, settings: ContractsSettings, draft: ContractDraft
) -> rules.Verdict:
    """The rules alone: nothing is stored."""
    _check_may_draft(principal, draft.terms)
    verdict = await judge(session, principal, settings, draft)
    if not verdict.passes:
        raise RuleViolations(verdict.violations)
    return verdict


def _warnings(verdict: rules.Verdict) -> list[dict]:
    return [w.model_dump() for w in verdict.warnings]


# --- drafting and changing -----------------------------------------------------------------------


async def create_contract(
    *, session: AsyncSession, ledger: Ledger, principal: Principal, settings: ContractsSettings, draft: ContractDraft
) -> Contract:
    _check_may_draft(principal, draft.terms)
    verdict = await judge(session, principal, settings, draft)
    if not verdict.passes:
        raise RuleViolations(verdict.violations)
    terms, now = draft.terms, utcnow()
    contract = Contract(
        id=uuid7(),
        status=ContractState.draft,
        job_order_id=draft.job_order_id,
        position_id=draft.position_id,
        employer_id=terms.parties.employer.business_id,
        agency_ids=[str(a) for a in terms.agency_ids],
        worker_id=terms.parties.worker.worker_id,
        destination_country=terms.workplace.country,
        sector=terms.job.sector,
        occupation=terms.job.occupation,
        term=terms.period.term,
        departure_date=terms.period.departure_date,
        start_date=terms.period.start_date,
        end_date=end_date_of(terms),
        current_version=1,
        warnings=_warnings(verdict),
        created_by_organization_id=principal.organization_id,
        created_at=now,
        updated_at=now,
        version=1,
    )
    # No event: a draft has not reached the worker, and nobody downstream knows of it until it is issued.
    await ledger.record_new(
        session,
        contract,
        actor=principal.actor,
        action="contract.drafted",
        record_type="contract",
        changes={f"terms.{name}": value for name, value in terms.model_dump(mode="json").items()},
    )
    await _name_recruiters(session, contract)
    await _add_version(session, settings, contract, terms, verdict, principal, now)
    return contract


async def _add_version(
    session: AsyncSession,
    settings: ContractsSettings,
    contract: Contract,
    terms: ContractTerms,
    verdict: rules.Verdict,
    principal: Principal,
    now: datetime,
) -> ContractVersion:
    version = ContractVersion(
        contract_id=contract.id,
        number=contract.current_version,
        terms=terms.public_content(),
        worker_sealed=seal(settings.personal_data_key, terms.worker_personal_data()),
        content_hash=content_hash(terms),
        verification_code=new_code(),
        warnings=_warnings(verdict),
        created_by=principal.actor,
        created_at=now,
    )
    session.add(version)
    await session.flush()
    return version


async def _name_recruiters(session: AsyncSession, contract: Contract) -> None:
    await session.execute(delete(ContractRecruiter).where(ContractRecruiter.contract_id == contract.id))
    session.add_all(ContractRecruiter(contract_id=contract.id, agency_id=uuid.UUID(a)) for a in contract.agency_ids)
    await session.flush()


async def change_terms(
    *,
    session: AsyncSession,
    ledger: Ledger,
    principal: Principal,
    settings: ContractsSettings,
    contract_id: uuid.UUID,
    change: ContractChange,
) -> Contract:
    contract = await _get_for_party(session, principal, contract_id)
    if contract.status not in (ContractState.draft, ContractState.issued):
        raise SignedTermsAreImmutable(
            f"the contract is {contract.status}: the worker signed version {contract.signed_version}, "
            "and signed terms never change"
        )
    if change.expected_version is not None and change.expected_version != contract.current_version:
        raise VersionMismatch(
            f"the contract is at version {contract.current_version}, not {change.expected_version}: "
            "reload it and apply the change again"
        )
    replaced = await current_version(session, contract)
    before = terms_of(replaced, settings)
    try:
        terms = ContractTerms.model_validate(merge_patch(before.model_dump(mode="json"), change.terms))
    except ValidationError as exc:
        raise RuleViolations(
            [
                Violation(field=f"terms.{v.field}", rule=v.rule, message=v.message)
                for v in violations_from_pydantic(list(exc.errors()))
            ]
        ) from None
    fixed = []
    if terms.parties.worker.worker_id != before.parties.worker.worker_id:
        fixed.append(
            Violation(
                field="terms.parties.worker.worker_id",
                rule="party_is_fixed",
                message="a contract's worker never changes: draft a new contract",
            )
        )
    if terms.parties.employer.business_id != before.parties.employer.business_id:
        fixed.append(
            Violation(
                field="terms.parties.employer.business_id",
                rule="party_is_fixed",
                message="a contract's employer never changes: draft a new contract",
            )
        )
    draft = ContractDraft(job_order_id=contract.job_order_id, position_id=contract.position_id, terms=terms)
    verdict = await judge(session, principal, settings, draft, contract_id=contract.id)
    _check_may_draft(principal, terms)
    if fixed or not verdict.passes:
        raise RuleViolations(fixed + verdict.violations)
    if content_hash(terms) == content_hash(before):
        return contract  # nothing changed: no new version
    now = utcnow()
    was_issued = contract.status == ContractState.issued
    contract.current_version += 1  # the number of the terms' new version (the row's version moves in record_change)
    contract.warnings = _warnings(verdict)
    contract.agency_ids = [str(a) for a in terms.agency_ids]
    contract.destination_country, contract.sector = terms.workplace.country, terms.job.sector
    contract.occupation, contract.term = terms.job.occupation, terms.period.term
    contract.departure_date, contract.start_date = terms.period.departure_date, terms.period.start_date
    contract.end_date = end_date_of(terms)
    await _name_recruiters(session, contract)
    if was_issued:
        # The worker was given other terms: the new version goes back to draft and is issued afresh.
        # The replaced version keeps its own record of having been issued.
        contract.status, contract.issued_version, contract.issued_at = ContractState.draft, None, None
    replaced.superseded_at, replaced.superseded_by = now, contract.current_version
    await _add_version(session, settings, contract, terms, verdict, principal, now)
    old_content, new_content = before.model_dump(mode="json"), terms.model_dump(mode="json")
    await ledger.record_change(
        session,
        contract,
        actor=principal.actor,
        action="contract.terms_changed",
        record_type="contract",
        changes={f"terms.{k}": v for k, v in new_content.items() if old_content.get(k) != v}
        | {"current_version": contract.current_version, "status": contract.status},
    )
    return contract


# --- lifecycle -----------------------------------------------------------------------------------


def contract_state(contract: Contract, model: type, **extra: Any) -> Any:
    """An event of the contract's state: what the registry keeps of it, and `extra`, the event's own fields."""
    return model(
        version=contract.version,
        contract_id=contract.id,
        worker_id=contract.worker_id,
        employer_id=contract.employer_id,
        agency_ids=[uuid.UUID(a) for a in contract.agency_ids],
        job_order_id=contract.job_order_id,
        status=ContractStatus(contract.status),
        term=ContractTerm(contract.term),
        start_date=contract.start_date,
        end_date=contract.end_date,
        destination_country=contract.destination_country,
        occupation=contract.occupation,
        sector=contract.sector,
        **extra,
    )


async def record_transition(
    session: AsyncSession,
    ledger: Ledger,
    principal: Principal,
    contract: Contract,
    action: str,
    changes: dict[str, Any],
    event: Callable[[], EventPayload] | None,
) -> None:
    """The contract's new state recorded: its version bumped, the audit entry and the event (built after the bump)."""
    await ledger.record_change(
        session,
        contract,
        actor=principal.actor,
        action=f"contract.{action}",
        record_type="contract",
        changes={"status": contract.status, **changes},
        event=event,
    )


async def _refuse_parties_not_in_good_standing(session: AsyncSession, contract: Contract, doing: str) -> None:
    parties = [(contract.employer_id, BusinessKind.employer)] + [
        (uuid.UUID(a), BusinessKind.recruitment_agency) for a in contract.agency_ids
    ]
    blocked = [s for s in await standings(session, parties, utcnow()) if not s.in_good_standing]
    if blocked:
        raise PartyNotInGoodStanding(
            f"cannot {doing}: " + "; ".join(s.message for s in blocked),
            blocking=[{"business_id": str(s.business_id), "rule": s.rule} for s in blocked],
        )


async def issue_contract(
    *,
    session: AsyncSession,
    ledger: Ledger,
    principal: Principal,
    settings: ContractsSettings,
    contract_id: uuid.UUID,
) -> Contract:
    contract = await _get_for_party(session, principal, contract_id)
    if contract.status != ContractState.draft:
        raise NotADraft(f"the contract is {contract.status}: only a draft is issued")
    await _refuse_parties_not_in_good_standing(session, contract, "issue the contract")
    today = utcnow().date()
    if rules.too_late_to_issue(contract.departure_date, today, settings.issue_days_before_departure):
        raise TooLateToIssue(
            f"too late to issue: a contract is issued at least {settings.issue_days_before_departure} days before "
            f"departure ({contract.departure_date}); change the departure date first"
        )
    version = await current_version(session, contract)
    terms = terms_of(version, settings)
    verdict = await judge(
        session,
        principal,
        settings,
        ContractDraft(job_order_id=contract.job_order_id, position_id=contract.position_id, terms=terms),
        contract_id=contract.id,
    )
    if not verdict.passes:
        raise RuleViolations(
            verdict.violations,
            detail="the contract no longer passes the rules: "
            + "; ".join(f"{v.field}: {v.message}" for v in verdict.violations),
        )
    now = utcnow()
    contract.status, contract.issued_version, contract.issued_at = ContractState.issued, contract.current_version, now
    version.issued_at = now
    contract.warnings = _warnings(verdict)
    languages = list(dict.fromkeys([terms.languages.worker_language, terms.languages.destination_language]))
    await record_transition(
        session,
        ledger,
        principal,
        contract,
        "issued",
        {"issued_version": contract.issued_version},
        event=lambda: contract_state(
            contract, ContractIssued, issued_at=now, departure_date=contract.departure_date, languages=languages
        ),
    )
    return contract


async def sign_contract(
    *, session: AsyncSession, ledger: Ledger, principal: Principal, contract_id: uuid.UUID, signature: SignatureIn
) -> Contract:
    contract = await get_contract(session, principal, contract_id, lock=True)
    if principal.role != Role.worker:
        raise Forbidden("only the worker signs their contract")
    if contract.status == ContractState.draft:
        raise NotIssued("a draft cannot be signed: the contract must be issued to the worker first")
    if contract.status != ContractState.issued:
        raise NotIssued(f"the contract is {contract.status}: only an issued contract is signed")
    now = utcnow()
    signed_at = signature.signed_at or now
    if signed_at > now:
        raise RuleViolations(
            [Violation(field="signed_at", rule="in_the_future", message="a signature is not dated ahead")]
        )
    if contract.issued_at is not None and signed_at < contract.issued_at:
        raise RuleViolations(
            [
                Violation(
                    field="signed_at",
                    rule="date_too_early",
                    message=f"the worker signs the issued contract: not before it was issued ({contract.issued_at})",
                )
            ]
        )
    if signed_at.date() >= contract.departure_date or now.date() >= contract.departure_date:
        raise DeparturePassed(f"the worker signs before departure ({contract.departure_date}); it is too late to sign")
    if signature.version != contract.current_version:
        raise VersionMismatch(f"version {signature.version} is not the issued version {contract.current_version}")
    await _refuse_parties_not_in_good_standing(session, contract, "sign the contract")
    version = await current_version(session, contract)
    contract.status, contract.signed_version = ContractState.signed, contract.current_version
    contract.signed_at, contract.signature_method = signed_at, signature.method
    version.signed_at, version.signature_method = signed_at, signature.method
    await record_transition(
        session,
        ledger,
        principal,
        contract,
        "signed",
        {"signed_version": contract.signed_version, "signature_method": signature.method},
        event=lambda: contract_state(contract, ContractSigned, signed_at=signed_at, content_hash=version.content_hash),
    )
    return contract


async def verify_arrival(
    *,
    session: AsyncSession,
    ledger: Ledger,
    principal: Principal,
    settings: ContractsSettings,
    contract_id: uuid.UUID,
    presented: ArrivalVerificationIn,
) -> tuple[Contract, ArrivalVerification]:
    """The presented terms compared with the signed version: a less favourable change disputes the contract,
    none activates it."""
    contract = await get_contract(session, principal, contract_id, lock=True)
    if contract.status not in (ContractState.signed, ContractState.disputed):
        raise NotSigned(f"the contract is {contract.status}: arrival is verified against a signed contract")
    signed = await session.get(ContractVersion, (contract.id, contract.signed_version))
    assert signed is not None
    terms = presented.presented_terms
    if terms.parties.worker.worker_id != contract.worker_id:
        raise RuleViolations(
            [
                Violation(
                    field="presented_terms.parties.worker.worker_id",
                    rule="another_workers_contract",
                    message="the presented terms are for another worker than this contract's",
                )
            ]
        )
    changes = compare_terms(terms_of(signed, settings), terms, await ExchangeRates.load(session))
    found = any(c.change == LESS for c in changes)
    now = utcnow()
    verification = ArrivalVerification(
        id=uuid7(),
        contract_id=contract.id,
        signed_version=signed.number,
        presented_hash=content_hash(terms),
        presented_terms=terms.public_content(),
        presented_worker_sealed=seal(settings.personal_data_key, terms.worker_personal_data()),
        changes=[c.as_dict() for c in changes],
        substitution_found=found,
        verified_by=principal.actor,
        verified_at=now,
    )
    session.add(verification)
    if found:
        contract.status, contract.disputed_at = ContractState.disputed, now
        await record_transition(
            session,
            ledger,
            principal,
            contract,
            "substitution_detected",
            {
                "verification_id": verification.id,
                "less_favourable": sorted(c.field for c in changes if c.change == LESS),
            },
            event=lambda: ContractSubstitutionDetected(
                version=contract.version,
                contract_id=contract.id,
                employer_id=contract.employer_id,
                agency_ids=[uuid.UUID(a) for a in contract.agency_ids],
                destination_country=contract.destination_country,
                signed_version=signed.number,
                detected_at=now,
                changes=[TermChange(field=c.field, change=c.change) for c in changes],
            ),
        )
    else:
        contract.status, contract.activated_at = ContractState.active, now
        await record_transition(
            session,
            ledger,
            principal,
            contract,
            "activated",
            {"verification_id": verification.id},
            event=lambda: contract_state(contract, ContractActivated, arrival_verified_at=now),
        )
    return contract, verification


async def complete_contract(
    *, session: AsyncSession, ledger: Ledger, principal: Principal, contract_id: uuid.UUID, completion: CompletionIn
) -> Contract:
    contract = await _get_for_party(session, principal, contract_id)
    if contract.status != ContractState.active:
        raise NotActive(f"the contract is {contract.status}: only an active contract is completed")
    if completion.completed_on < contract.start_date or completion.completed_on > utcnow().date():
        raise RuleViolations(
            [
                Violation(
                    field="completed_on",
                    rule="out_of_range",
                    message="completed on a day between the start date and today",
                )
            ]
        )
    contract.status, contract.completed_on = ContractState.completed, completion.completed_on
    contract.good_standing = completion.good_standing
    await record_transition(
        session,
        ledger,
        principal,
        contract,
        "completed",
        {"completed_on": completion.completed_on.isoformat()},
        event=lambda: contract_state(
            contract, ContractCompleted, completed_on=completion.completed_on, good_standing=completion.good_standing
        ),
    )
    return contract


async def terminate_contract(
    *, session: AsyncSession, ledger: Ledger, principal: Principal, contract_id: uuid.UUID, termination: TerminationIn
) -> Contract:
    contract = await get_contract(session, principal, contract_id, lock=True)
    if principal.role == Role.worker:
        if contract.worker_id != principal.worker_id:
            raise NotFound("contract", contract_id)
    elif not is_party(principal, contract):
        raise Forbidden("only the worker, the contract's employer, its recruiters or the operator end a contract")
    if contract.status in (ContractState.completed, ContractState.terminated):
        raise AlreadyEnded(f"the contract is already {contract.status}")
    if termination.terminated_on > utcnow().date():
        raise RuleViolations(
            [
                Violation(
                    field="terminated_on",
                    rule="in_the_future",
                    message="a termination is recorded on or after the day it happens",
                )
            ]
        )
    was = contract.status
    contract.status, contract.terminated_on = ContractState.terminated, termination.terminated_on
    contract.termination_reason, contract.ended_by = termination.reason, termination.ended_by
    await record_transition(
        session,
        ledger,
        principal,
        contract,
        "terminated",
        {"reason": termination.reason, "previous": was},
        # A draft never reached the worker: nobody downstream knows of it.
        event=None
        if was == ContractState.draft
        else lambda: contract_state(
            contract,
            ContractTerminated,
            terminated_on=termination.terminated_on,
            reason=termination.reason,
            ended_by=termination.ended_by,
        ),
    )
    return contract
