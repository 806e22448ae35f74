"""The domain's code lists, shared by every service and by the event payloads.

Values are wire values: they appear in events, API bodies and stored rows, so a value is
never renamed; a new value is added, and consumers that validate against an older list
reject it, which makes adding a value to a list carried in an event a breaking change.
"""

from enum import StrEnum


class BusinessKind(StrEnum):
    employer = "employer"
    recruitment_agency = "recruitment_agency"

    @property
    def needs_operating_licence(self) -> bool:
        """Recruitment agencies operate under a licence (IRIS A); employers here need none, so lacking one, or
        holding one a recruitment licence register does not list, says nothing against them."""
        return self is BusinessKind.recruitment_agency


class BusinessStatus(StrEnum):
    registered = "registered"
    under_review = "under_review"
    approved = "approved"
    conditionally_approved = "conditionally_approved"
    rejected = "rejected"
    suspended = "suspended"
    expired = "expired"


class RiskBand(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"


class SuspensionReason(StrEnum):
    """Why vetting suspended an approved business (each a finding, or the officer's decision)."""

    contract_substitution = "contract_substitution"
    worker_paid_fee = "worker_paid_fee"
    substantiated_grievance = "substantiated_grievance"
    retaliation = "retaliation"
    screening_match = "screening_match"
    licence_expired = "licence_expired"
    condition_deadline_missed = "condition_deadline_missed"
    compliance_decision = "compliance_decision"


class WatchlistKind(StrEnum):
    sanctions = "sanctions"
    debarment = "debarment"
    blocklist = "blocklist"


class ConsentPurpose(StrEnum):
    registration = "registration"
    employment_contract = "employment_contract"
    data_sharing_with_employer = "data_sharing_with_employer"
    # To be considered for a recruiter's job orders (an agency or employer, one at a time): its candidate shortlists.
    considered_by_recruiter = "considered_by_recruiter"


class FeeCategory(StrEnum):
    """The ILO's categories of recruitment fees and related costs (2019 definition)."""

    recruitment_fee = "recruitment_fee"
    medical = "medical"
    insurance = "insurance"
    skills_tests = "skills_tests"
    training = "training"
    equipment = "equipment"
    travel_lodging = "travel_lodging"
    administrative = "administrative"
    illegitimate = "illegitimate"


class FeePaymentMethod(StrEnum):
    cash = "cash"
    wage_deduction = "wage_deduction"
    loan = "loan"
    deposit = "deposit"
    bank_transfer = "bank_transfer"
    other = "other"


class ForcedLabourIndicator(StrEnum):
    """The ILO's eleven indicators of forced labour."""

    abuse_of_vulnerability = "abuse_of_vulnerability"
    deception = "deception"
    restriction_of_movement = "restriction_of_movement"
    isolation = "isolation"
    physical_sexual_violence = "physical_sexual_violence"
    intimidation_threats = "intimidation_threats"
    retention_of_identity_documents = "retention_of_identity_documents"
    withholding_of_wages = "withholding_of_wages"
    debt_bondage = "debt_bondage"
    abusive_working_living_conditions = "abusive_working_living_conditions"
    excessive_overtime = "excessive_overtime"


# The default only: the operator may add indicators, so the service that suspends (vetting)
# decides severity from its own table and events carry the indicators, not a verdict.
DEFAULT_SEVERE_INDICATORS: frozenset[ForcedLabourIndicator] = frozenset(
    {
        ForcedLabourIndicator.retention_of_identity_documents,
        ForcedLabourIndicator.debt_bondage,
        ForcedLabourIndicator.physical_sexual_violence,
        ForcedLabourIndicator.restriction_of_movement,
    }
)


class Severity(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"


class Remedy(StrEnum):
    reimbursement = "reimbursement"
    reinstatement = "reinstatement"
    compensation = "compensation"
    corrective_action = "corrective_action"
    referral = "referral"


class EscalationBody(StrEnum):
    labour_inspectorate = "labour_inspectorate"
    embassy = "embassy"
    other = "other"


class ContractStatus(StrEnum):
    draft = "draft"
    issued = "issued"
    signed = "signed"
    active = "active"
    completed = "completed"
    terminated = "terminated"


class ContractTerm(StrEnum):
    """Open-ended, fixed-period, or seasonal (a fixed period that makes the worker eligible for re-hire)."""

    open_ended = "open_ended"
    fixed_period = "fixed_period"
    seasonal = "seasonal"


class ContractParty(StrEnum):
    worker = "worker"
    employer = "employer"
    agency = "agency"
    operator = "operator"
    mutual = "mutual"


class TerminationReason(StrEnum):
    resignation = "resignation"
    mutual_agreement = "mutual_agreement"
    dismissal_for_cause = "dismissal_for_cause"
    redundancy = "redundancy"
    end_of_probation = "end_of_probation"
    employer_breach = "employer_breach"
    employer_suspended = "employer_suspended"
    health = "health"
    force_majeure = "force_majeure"
    other = "other"


class ChangeDirection(StrEnum):
    """How a change of a contract term affects the worker (contract substitution)."""

    more_favourable = "more_favourable"
    neutral = "neutral"
    less_favourable = "less_favourable"
