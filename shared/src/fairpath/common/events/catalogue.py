"""Every event payload of the system, one model per event type and version.

Producers and consumers import these models from here and nowhere else.

No payload carries personal data: a worker is named by `worker_id` only; no names of
people, dates of birth, document numbers, contact details or free text written by a
worker. Business legal names are company data and may travel.

Each event carries enough state for its consumers to act without calling the producer
back: the business and worker events carry the whole projection a consumer keeps (so a
projection simply replaces its row when `version` is newer), the findings carry what
vetting needs to score and decide.
"""

import uuid
from datetime import date
from typing import Annotated, ClassVar, Self, TypeVar

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from fairpath.common.auth import Role
from fairpath.common.domain_codes import (
    BusinessKind,
    BusinessStatus,
    ChangeDirection,
    ConsentPurpose,
    ContractParty,
    ContractStatus,
    ContractTerm,
    EscalationBody,
    FeeCategory,
    FeePaymentMethod,
    ForcedLabourIndicator,
    Remedy,
    RiskBand,
    Severity,
    SuspensionReason,
    TerminationReason,
    WatchlistKind,
)
from fairpath.common.events.envelope import EventPayload

# Codes are checked for shape, not against the reference lists: the lists in
# fairpath.common.reference grow between releases, and a consumer on an older release
# must not dead-letter an event because a producer already knows a newer code.
Country = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]
Sector = Annotated[str, StringConstraints(pattern=r"^[A-U]$")]
Occupation = Annotated[str, StringConstraints(pattern=r"^\d{1,4}$")]  # ISCO-08, major group to unit group
FieldPath = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$", max_length=200)]
MinorUnits = Annotated[int, Field(ge=0, description="an amount in the currency's minor units")]

_T = TypeVar("_T")


def _unique(values: list[_T]) -> list[_T]:
    """Drops repeats and keeps the first occurrence, so a preference order survives."""
    return list(dict.fromkeys(values))


UniqueList = Annotated[list[_T], AfterValidator(_unique)]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


# ---------------------------------------------------------------------------------------------
# vetting: businesses (consumed by contracts, which keeps which businesses it may contract with)
# ---------------------------------------------------------------------------------------------


class _BusinessState(EventPayload):
    """The business as contracts projects it. Decision events pin the status they report."""

    expected_status: ClassVar[BusinessStatus | None] = None

    business_id: uuid.UUID
    kind: BusinessKind
    legal_name: str
    country: Country
    sector: Sector | None = None
    status: BusinessStatus
    organization_id: uuid.UUID | None = None
    approval_expires_at: AwareDatetime | None = Field(
        default=None, description="when an approval lapses and the business is due for re-vetting"
    )
    condition_deadline: AwareDatetime | None = Field(
        default=None, description="a conditional approval counts as approved until this moment"
    )
    recruiter_ids: UniqueList[uuid.UUID] = Field(
        default_factory=list,
        description="of an employer: the agencies named as its recruiters, directly or as sub-agents (the "
        "recruitment relationships that put the two within each other's reach); naming one is a "
        "`vetting.business.updated` with `recruiter_ids` among its changed fields",
    )

    @model_validator(mode="after")
    def _status_matches_event(self) -> Self:
        if self.expected_status is not None and self.status != self.expected_status:
            raise ValueError(f"{self.subject} reports status {self.expected_status}, not {self.status}")
        return self


class BusinessRegistered(_BusinessState):
    subject = "vetting.business.registered"
    expected_status = BusinessStatus.registered


class BusinessUpdated(_BusinessState):
    subject = "vetting.business.updated"

    changed_fields: list[FieldPath] = Field(
        default_factory=list, description="names of the fields that changed, never values"
    )


class BusinessApproved(_BusinessState):
    subject = "vetting.business.approved"
    expected_status = BusinessStatus.approved

    vetting_case_id: uuid.UUID
    decided_at: AwareDatetime
    approval_expires_at: AwareDatetime
    risk_band: RiskBand


class BusinessConditionallyApproved(_BusinessState):
    subject = "vetting.business.conditionally_approved"
    expected_status = BusinessStatus.conditionally_approved

    vetting_case_id: uuid.UUID
    decided_at: AwareDatetime
    condition_deadline: AwareDatetime
    approval_expires_at: AwareDatetime
    risk_band: RiskBand
    conditions: list[Annotated[str, StringConstraints(max_length=1000)]] = Field(min_length=1)


class BusinessRejected(_BusinessState):
    subject = "vetting.business.rejected"
    expected_status = BusinessStatus.rejected

    vetting_case_id: uuid.UUID
    decided_at: AwareDatetime
    risk_band: RiskBand


class BusinessSuspended(_BusinessState):
    subject = "vetting.business.suspended"
    expected_status = BusinessStatus.suspended

    suspended_at: AwareDatetime
    reason: SuspensionReason
    vetting_case_id: uuid.UUID | None = Field(default=None, description="the case reopened by the finding")
    finding_event_id: uuid.UUID | None = Field(default=None, description="the event that reported the finding")


class BusinessExpired(_BusinessState):
    subject = "vetting.business.expired"
    expected_status = BusinessStatus.expired

    expired_at: AwareDatetime


class ScreeningMatched(EventPayload):
    """A possible watchlist match of a business; the aggregate is the screening hit."""

    subject = "vetting.screening.matched"

    screening_hit_id: uuid.UUID
    business_id: uuid.UUID
    watchlist_id: uuid.UUID
    watchlist_kind: WatchlistKind
    # The listed entity may be a person (a director): it is named by its list id only.
    matched_entity_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:\-]*$", max_length=300)]
    score: float = Field(ge=0, le=1)
    matched_at: AwareDatetime


# ---------------------------------------------------------------------------------------------
# registry: workers (consumed by contracts: consent and languages, never identity)
# ---------------------------------------------------------------------------------------------


class _WorkerState(EventPayload):
    worker_id: uuid.UUID
    consents: UniqueList[ConsentPurpose] = Field(default_factory=list, description="purposes consented to now")
    languages: UniqueList[Language] = Field(
        default_factory=list, description="languages the worker reads, in order of preference"
    )
    agency_id: uuid.UUID | None = Field(default=None, description="the recruitment agency that registered the worker")


class WorkerRegistered(_WorkerState):
    subject = "registry.worker.registered"


class WorkerUpdated(_WorkerState):
    subject = "registry.worker.updated"

    changed_fields: list[FieldPath] = Field(
        default_factory=list, description="names of the fields that changed, never values"
    )


class WorkerConsentChanged(_WorkerState):
    subject = "registry.worker.consent_changed"

    purpose: ConsentPurpose
    granted: bool
    changed_at: AwareDatetime

    @model_validator(mode="after")
    def _state_agrees_with_change(self) -> Self:
        if (self.purpose in self.consents) != self.granted:
            raise ValueError("consents must include the purpose exactly when it was granted")
        return self


class WorkerErased(EventPayload):
    """The worker's personal data is gone; projections drop the worker."""

    subject = "registry.worker.erased"

    worker_id: uuid.UUID
    erased_at: AwareDatetime


# ---------------------------------------------------------------------------------------------
# registry: offers (a recruiter picks a candidate; the worker's acceptance is consumed by contracts)
# ---------------------------------------------------------------------------------------------


class OfferMade(EventPayload):
    """A recruiter (an agency or the employer of a job order) picked a candidate from its shortlist for a
    position: an offer, pending the worker's answer."""

    subject = "registry.offer.made"

    offer_id: uuid.UUID
    job_order_id: uuid.UUID
    position_id: uuid.UUID
    worker_id: uuid.UUID
    recruiter_id: uuid.UUID = Field(description="the business (agency or employer) that made the offer")
    made_at: AwareDatetime


class OfferAccepted(EventPayload):
    """The worker accepted a recruiter's offer: that recruiter may now contract them for the job order
    (design.md: "an agency contracts only workers it registered, or who accepted its offer")."""

    subject = "registry.offer.accepted"

    offer_id: uuid.UUID
    job_order_id: uuid.UUID
    position_id: uuid.UUID
    worker_id: uuid.UUID
    recruiter_id: uuid.UUID = Field(description="the business (agency or employer) that made the offer")
    accepted_at: AwareDatetime


# ---------------------------------------------------------------------------------------------
# registry: findings for vetting (fees, grievances, retaliation)
# ---------------------------------------------------------------------------------------------


class FeeReported(EventPayload):
    """A worker paid a cost of recruitment: a finding under IRIS principle C."""

    subject = "registry.fee.reported"

    fee_report_id: uuid.UUID
    worker_id: uuid.UUID
    business_id: uuid.UUID = Field(description="the business that charged or received the fee")
    employer_id: uuid.UUID | None = Field(default=None, description="the employer of the placement, if known")
    contract_id: uuid.UUID | None = None
    category: FeeCategory
    amount_minor: int = Field(gt=0, description="what the worker paid, in the currency's minor units")
    currency: Currency
    payment_method: FeePaymentMethod
    paid_on: date | None = None
    reported_by_role: Role
    reported_at: AwareDatetime


class FeeReimbursed(EventPayload):
    subject = "registry.fee.reimbursed"

    fee_report_id: uuid.UUID
    worker_id: uuid.UUID
    business_id: uuid.UUID
    category: FeeCategory
    amount_minor: int = Field(gt=0, description="what the worker reported paying")
    reimbursed_amount_minor: MinorUnits
    currency: Currency
    reimbursed_on: date
    # The worker's own confirmation is what closes the finding, not the business's claim.
    confirmed_by_worker: bool
    confirmed_at: AwareDatetime | None = None

    @model_validator(mode="after")
    def _confirmation_is_dated(self) -> Self:
        if self.confirmed_by_worker != (self.confirmed_at is not None):
            raise ValueError("confirmed_at is set exactly when the worker confirmed")
        return self

    @property
    def fully_reimbursed(self) -> bool:
        return self.reimbursed_amount_minor >= self.amount_minor


class _GrievanceState(EventPayload):
    """A grievance as vetting sees it: who it is against and what it alleges, never what it says.

    An anonymous grievance carries no worker id: employers read findings against them, and
    must never learn who filed one."""

    grievance_id: uuid.UUID
    anonymous: bool
    filed_by_role: Role
    worker_id: uuid.UUID | None = None
    business_id: uuid.UUID | None = Field(default=None, description="the business the grievance is against")
    contract_id: uuid.UUID | None = None

    @model_validator(mode="after")
    def _anonymous_means_no_worker(self) -> Self:
        if self.anonymous and self.worker_id is not None:
            raise ValueError("an anonymous grievance carries no worker_id")
        return self


class GrievanceFiled(_GrievanceState):
    subject = "registry.grievance.filed"

    alleged_indicators: UniqueList[ForcedLabourIndicator] = Field(default_factory=list)
    fee_report_id: uuid.UUID | None = None
    filed_at: AwareDatetime
    acknowledge_by: AwareDatetime | None = None
    resolve_by: AwareDatetime | None = None


class GrievanceSubstantiated(_GrievanceState):
    subject = "registry.grievance.substantiated"

    indicators: UniqueList[ForcedLabourIndicator] = Field(default_factory=list)
    severity: Severity
    substantiated_at: AwareDatetime


class GrievanceUnsubstantiated(_GrievanceState):
    subject = "registry.grievance.unsubstantiated"

    decided_at: AwareDatetime


class GrievanceResolved(_GrievanceState):
    subject = "registry.grievance.resolved"

    substantiated: bool
    remedies: UniqueList[Remedy] = Field(default_factory=list)
    escalated_to: EscalationBody | None = None
    resolved_at: AwareDatetime


class RetaliationDetected(EventPayload):
    """A worker's contract ended within 90 days of a grievance they filed: a finding against the employer.

    For an anonymous grievance neither the grievance nor the gap is named, since with the
    contract either would tell the employer who filed it."""

    subject = "registry.retaliation.detected"

    finding_id: uuid.UUID
    business_id: uuid.UUID = Field(description="the employer the finding is against")
    agency_ids: UniqueList[uuid.UUID] = Field(default_factory=list)
    contract_id: uuid.UUID
    grievance_anonymous: bool
    grievance_id: uuid.UUID | None = None
    days_after_grievance: int | None = Field(default=None, ge=0)
    terminated_on: date
    terminated_by: ContractParty
    termination_reason: TerminationReason
    detected_at: AwareDatetime

    @model_validator(mode="after")
    def _anonymous_grievance_stays_anonymous(self) -> Self:
        if self.grievance_anonymous and (self.grievance_id is not None or self.days_after_grievance is not None):
            raise ValueError("an anonymous grievance is not named in a retaliation finding")
        if not self.grievance_anonymous and self.grievance_id is None:
            raise ValueError("grievance_id is required when the grievance was not anonymous")
        return self


# ---------------------------------------------------------------------------------------------
# contracts (lifecycle consumed by registry for placements; substitution by vetting)
# ---------------------------------------------------------------------------------------------


class _ContractState(EventPayload):
    """The contract as the registry keeps it in the worker's placement history."""

    expected_status: ClassVar[ContractStatus | None] = None

    contract_id: uuid.UUID
    worker_id: uuid.UUID
    employer_id: uuid.UUID
    agency_ids: UniqueList[uuid.UUID] = Field(
        default_factory=list, description="every recruiter in the chain, destination to origin to sub-agent"
    )
    job_order_id: uuid.UUID | None = None
    status: ContractStatus
    term: ContractTerm
    start_date: date
    end_date: date | None = None
    destination_country: Country
    occupation: Occupation
    sector: Sector | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.expected_status is not None and self.status != self.expected_status:
            raise ValueError(f"{self.subject} reports status {self.expected_status}, not {self.status}")
        if self.term != ContractTerm.open_ended and self.end_date is None:
            raise ValueError("a fixed-period or seasonal contract has an end_date")
        if self.end_date is not None and self.end_date < self.start_date:
            raise ValueError("end_date is before start_date")
        return self


class ContractIssued(_ContractState):
    subject = "contracts.contract.issued"
    expected_status = ContractStatus.issued

    issued_at: AwareDatetime
    departure_date: date | None = None
    languages: UniqueList[Language] = Field(min_length=1, description="the languages the document was rendered in")


class ContractSigned(_ContractState):
    subject = "contracts.contract.signed"
    expected_status = ContractStatus.signed

    signed_at: AwareDatetime
    content_hash: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] = Field(
        description="SHA-256 of the signed version, which is immutable"
    )


class ContractActivated(_ContractState):
    """The worker arrived and the presented terms were verified against the signed version."""

    subject = "contracts.contract.activated"
    expected_status = ContractStatus.active

    arrival_verified_at: AwareDatetime


class ContractCompleted(_ContractState):
    subject = "contracts.contract.completed"
    expected_status = ContractStatus.completed

    completed_on: date
    # Re-hire eligibility in seasonal schemes; the worker's own grievances never count against it.
    good_standing: bool


class ContractTerminated(_ContractState):
    subject = "contracts.contract.terminated"
    expected_status = ContractStatus.terminated

    terminated_on: date
    reason: TerminationReason
    ended_by: ContractParty


class ContractReturned(_ContractState):
    """The return journey at the contract's end, as recorded by the employer or agency and confirmed by the
    worker (each step sends the whole return again). A return the worker paid for is a cost of recruitment
    borne by the worker (ILO category travel_lodging): a finding under IRIS principle C."""

    subject = "contracts.contract.returned"

    travel_date: date | None = Field(default=None, description="the day the worker travelled home, once recorded")
    paid_by: ContractParty | None = Field(default=None, description="employer, agency or worker, once recorded")
    worker_paid_amount_minor: int | None = Field(default=None, gt=0, description="what the worker paid, if they did")
    currency: Currency | None = None
    confirmed_home_at: AwareDatetime | None = Field(default=None, description="when the worker confirmed it")
    rehire_eligible: bool = Field(description="a seasonal contract completed in good standing, the return confirmed")

    @model_validator(mode="after")
    def _after_the_end(self) -> Self:
        if self.status not in (ContractStatus.completed, ContractStatus.terminated):
            raise ValueError("a return follows a completed or terminated contract")
        if (self.paid_by == ContractParty.worker) != (self.worker_paid_amount_minor is not None):
            raise ValueError("worker_paid_amount_minor is set exactly when the worker paid")
        if (self.worker_paid_amount_minor is None) != (self.currency is None):
            raise ValueError("an amount has its currency")
        return self

    @property
    def paid_by_worker(self) -> bool:
        return self.paid_by == ContractParty.worker


class WorkerInvitedToNextSeason(EventPayload):
    """A seasonal worker, back home after a season completed in good standing, invited by the employer to the
    job order of the next one (re-hire in a seasonal or circular scheme)."""

    subject = "contracts.worker.invited_to_next_season"

    invitation_id: uuid.UUID
    worker_id: uuid.UUID
    employer_id: uuid.UUID
    job_order_id: uuid.UUID
    previous_contract_id: uuid.UUID
    invited_at: AwareDatetime


class JobOrderPosition(_Frozen):
    """A position of a job order and what it asks of a worker (the registry's matching reads it)."""

    position_id: uuid.UUID
    occupation: Occupation
    title: str = Field(max_length=500)
    number_of_workers: int = Field(ge=1)
    languages: UniqueList[Language] = Field(default_factory=list, description="languages the work asks, if any")
    minimum_years: int | None = Field(default=None, ge=0, le=60, description="years of experience asked, if any")


class JobOrderPosted(EventPayload):
    """A job order as recorded, with its positions: the registry matches workers to it (a shortlist for its
    employer and the agencies of its service agreements)."""

    subject = "contracts.job_order.posted"

    job_order_id: uuid.UUID
    employer_id: uuid.UUID
    agency_ids: UniqueList[uuid.UUID] = Field(
        default_factory=list, description="the agency of each service agreement of the job order"
    )
    destination_country: Country
    positions: list[JobOrderPosition] = Field(min_length=1)
    posted_at: AwareDatetime


class TermChange(_Frozen):
    field: FieldPath = Field(description="the contract term, as a dotted path: terms.pay.amount")
    change: ChangeDirection


class ContractSubstitutionDetected(EventPayload):
    """The terms presented on arrival differ from the signed version to the worker's cost (IRIS E)."""

    subject = "contracts.contract.substitution_detected"

    contract_id: uuid.UUID
    employer_id: uuid.UUID
    agency_ids: UniqueList[uuid.UUID] = Field(default_factory=list)
    destination_country: Country
    signed_version: int = Field(ge=1, description="the contract version the worker signed")
    detected_at: AwareDatetime
    changes: list[TermChange] = Field(min_length=1, description="every changed term, classified")

    @model_validator(mode="after")
    def _is_a_substitution(self) -> Self:
        if not self.less_favourable:
            raise ValueError("a substitution has at least one less_favourable change")
        return self

    @property
    def less_favourable(self) -> list[str]:
        return [c.field for c in self.changes if c.change == ChangeDirection.less_favourable]


# ---------------------------------------------------------------------------------------------


def _event_models() -> list[type[EventPayload]]:
    """Every concrete payload model of this module, however deep it inherits from EventPayload."""
    found: list[type[EventPayload]] = []
    pending = list(EventPayload.__subclasses__())
    while pending:
        model = pending.pop(0)
        pending.extend(model.__subclasses__())
        # Only this module's models: a subclass defined elsewhere (a test, a service) is not the contract.
        if model.__module__ == __name__ and "subject" in vars(model):
            found.append(model)
    return found


def _build_catalogue() -> dict[str, type[EventPayload]]:
    catalogue: dict[str, type[EventPayload]] = {}
    for model in _event_models():
        event_type = model.event_type()
        if event_type in catalogue:
            raise RuntimeError(f"{event_type} is declared by {catalogue[event_type].__name__} and {model.__name__}")
        catalogue[event_type] = model
    return catalogue


CATALOGUE: dict[str, type[EventPayload]] = _build_catalogue()
