"""The employment contract's terms, every one as a typed field.

These models are the content of a contract version: what is hashed, rendered, signed and
compared on arrival. Amounts are integers in the currency's minor units.
"""

import uuid
from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_serializer, model_validator

from fairpath.common.domain_codes import ContractTerm, FeeCategory
from fairpath.common.occupations import OccupationCode, occupation
from fairpath.common.reference import CountryCode, CurrencyCode, IsicSection, LanguageTag
from fairpath.contracts.reference.schemas import PayPeriod
from fairpath.contracts.values import PROSE, SINGLE_LINE, plausible

# A name, a title, an address: one line, NFC, no control character.
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), SINGLE_LINE]
# A description or a procedure: may run over lines (tab, line feed, carriage return), nothing else of control.
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000), PROSE]
ContractDate = Annotated[date, plausible()]


def _unit_group(code: str) -> str:
    if occupation(code).level != "unit":
        raise ValueError("name the job by an ISCO-08 unit group (four digits, e.g. 7112)")
    return code


# A job is named by a unit group, the finest level of ISCO-08.
IscoUnitGroup = Annotated[OccupationCode, AfterValidator(_unit_group)]
MinorUnits = Annotated[int, Field(ge=0, lt=10**15, description="minor units of the currency")]


class Terms(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RecruiterRole(StrEnum):
    destination_agency = "destination_agency"
    origin_agency = "origin_agency"
    sub_agent = "sub_agent"


class PaidBy(StrEnum):
    employer = "employer"
    agency = "agency"
    worker = "worker"


class DocumentHolder(StrEnum):
    worker = "worker"
    employer = "employer"
    agency = "agency"


class PaymentMethod(StrEnum):
    bank_transfer = "bank_transfer"
    mobile_money = "mobile_money"
    cash = "cash"
    cheque = "cheque"


class DeductionReason(StrEnum):
    tax = "tax"
    social_security = "social_security"
    housing = "housing"
    food = "food"
    transport = "transport"
    insurance = "insurance"
    other = "other"


class Provision(StrEnum):
    """Food or housing: provided free by the employer, paid as a cash allowance, not provided, or provided by
    the employer and charged to the worker (a deduction from wages the worker must agree to, ILO C95 Art. 8)."""

    provided_free = "provided_free"
    cash_allowance = "cash_allowance"
    not_provided = "not_provided"
    charged_to_worker = "charged_to_worker"


# From worst to best for the worker: a charge is a deduction from pay (the domain's "a new or larger deduction
# for housing, food or transport is less favourable"), below finding one's own; a cash allowance is below
# free provision. The job-order check and the substitution check rank provisions the same way.
PROVISION_RANK = {
    Provision.charged_to_worker: 0,
    Provision.not_provided: 1,
    Provision.cash_allowance: 2,
    Provision.provided_free: 3,
}


class SignatureMethod(StrEnum):
    electronic = "electronic"
    handwritten = "handwritten"
    thumbprint = "thumbprint"


# --- parties -----------------------------------------------------------------------------------


class EmployerParty(Terms):
    business_id: uuid.UUID
    legal_name: Text
    address: Text


class WorkerParty(Terms):
    """Personal data: stored sealed, printed on the document, never in an event, a log or the audit chain."""

    worker_id: uuid.UUID
    full_name: Text
    address: Text
    nationality: CountryCode


class RecruiterParty(Terms):
    business_id: uuid.UUID
    legal_name: Text
    role: RecruiterRole
    country: CountryCode


class Parties(Terms):
    employer: EmployerParty
    worker: WorkerParty
    recruiters: list[RecruiterParty] = Field(
        default_factory=list,
        max_length=10,
        description="every recruiter in the chain, destination agency to origin agency to sub-agent (IRIS)",
    )


class Workplace(Terms):
    address: Text
    city: Text
    country: CountryCode


class Job(Terms):
    title: Text
    occupation: IscoUnitGroup = Field(description="ISCO-08 unit group")
    description: LongText
    sector: IsicSection


class Period(Terms):
    departure_date: ContractDate
    start_date: ContractDate
    term: ContractTerm
    duration_months: int | None = Field(default=None, ge=1, le=120, description="required unless open-ended")
    probation_days: int = Field(ge=0, le=180)

    @model_validator(mode="after")
    def _consistent(self) -> "Period":
        if self.start_date < self.departure_date:
            raise ValueError("the start date is before the departure date")
        if self.term != ContractTerm.open_ended and self.duration_months is None:
            raise ValueError("a fixed-period or seasonal contract states its duration_months")
        return self


class Deduction(Terms):
    reason: DeductionReason
    description: Text
    amount: MinorUnits = Field(description="per pay period, in the pay currency")
    fee_category: FeeCategory | None = Field(
        default=None, description="set when the deduction recovers a cost of recruitment (never allowed)"
    )


class Pay(Terms):
    amount: MinorUnits = Field(gt=0, description="gross pay per period")
    currency: CurrencyCode
    period: PayPeriod
    calculation: Text = Field(description="how pay is calculated")
    payment_method: PaymentMethod
    overtime_rate_percent: int = Field(ge=100, le=400, description="pay for an overtime hour, in % of the normal rate")
    deductions: list[Deduction] = Field(default_factory=list, max_length=30)


class Hours(Terms):
    normal_hours_per_day: float = Field(gt=0, le=24)
    normal_hours_per_week: float = Field(gt=0, le=168)

    @model_validator(mode="after")
    def _consistent(self) -> "Hours":
        if self.normal_hours_per_day > self.normal_hours_per_week:
            raise ValueError("more hours in a day than in the week")
        return self


class Rest(Terms):
    weekly_rest_days: int = Field(ge=0, le=7)


class Leave(Terms):
    paid_annual_leave_days: int = Field(ge=0, le=366)
    sick_leave_days: int = Field(ge=0, le=366)


class Provisioned(Terms):
    provision: Provision
    cash_value: MinorUnits | None = Field(default=None, description="per month, for a cash allowance")
    description: Text | None = None
    monthly_charge: MinorUnits | None = Field(
        default=None,
        description="charged_to_worker: what is deducted from pay each month, in the pay currency",
    )
    worker_agrees_to_deduction: bool | None = Field(
        default=None,
        description="charged_to_worker: the worker agrees to the monthly charge being deducted from pay "
        "(ILO C95 Art. 8); a charge without it breaks the rule `deduction_not_agreed`",
    )

    @model_validator(mode="after")
    def _allowance_has_value(self) -> "Provisioned":
        if self.provision == Provision.cash_allowance and self.cash_value is None:
            raise ValueError("a cash allowance states its cash_value")
        if self.provision == Provision.charged_to_worker and self.monthly_charge is None:
            raise ValueError("a provision charged to the worker states its monthly_charge")
        if self.provision != Provision.charged_to_worker and (
            self.monthly_charge is not None or self.worker_agrees_to_deduction is not None
        ):
            raise ValueError("monthly_charge and worker_agrees_to_deduction go with provision charged_to_worker only")
        return self

    @model_serializer(mode="wrap")
    def _without_absent_charge(self, handler):  # noqa: ANN001, ANN202
        """Terms hashed before charges existed keep their hash: absent charge fields are left out, not null."""
        data = handler(self)
        for name in ("monthly_charge", "worker_agrees_to_deduction"):
            if data.get(name) is None:
                data.pop(name, None)
        return data


class FoodAndHousing(Terms):
    food: Provisioned
    housing: Provisioned


class Transport(Terms):
    to_and_from_point_of_hire_paid_by: PaidBy
    at_job_site_paid_by: PaidBy


class MedicalCare(Terms):
    medical_care_paid_by: PaidBy
    insurance_paid_by: PaidBy
    insurance_description: Text


class Termination(Terms):
    grounds: list[Text] = Field(min_length=1, max_length=20)
    employer_notice_days: int = Field(ge=0, le=365)
    worker_notice_days: int = Field(ge=0, le=365)
    worker_may_leave_without_penalty: bool = Field(
        description="the worker may end the employment without penalty, bond or loss of documents (ILO principle 12, IRIS D)"
    )


class Repatriation(Terms):
    paid_by: PaidBy
    includes_repatriation_of_remains: bool


class GrievanceContact(Terms):
    organisation: Text
    phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40), SINGLE_LINE] | None = None
    email: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), SINGLE_LINE] | None = None


class DisputeSettlement(Terms):
    procedure: LongText
    grievance_contact: GrievanceContact


class FeeLine(Terms):
    category: FeeCategory
    description: Text
    amount: MinorUnits
    currency: CurrencyCode
    paid_by: PaidBy


class DocumentCustody(Terms):
    passport_kept_by: DocumentHolder
    identity_documents_kept_by: DocumentHolder


class Languages(Terms):
    worker_language: LanguageTag = Field(description="a language the worker reads, from their profile")
    destination_language: LanguageTag
    prevailing: LanguageTag = Field(description="which version prevails if the two differ")

    @model_validator(mode="after")
    def _prevailing_is_one_of_them(self) -> "Languages":
        if self.prevailing not in (self.worker_language, self.destination_language):
            raise ValueError("the prevailing version is the worker's or the destination's language")
        return self


class ContractTerms(Terms):
    """Everything a valid contract states (ILO C189 Art. 7, C97 Annex I, POEA standard contract, ILO principle 8)."""

    parties: Parties
    workplace: Workplace
    job: Job
    period: Period
    pay: Pay
    hours: Hours
    rest: Rest
    leave: Leave
    food_and_housing: FoodAndHousing
    transport: Transport
    medical: MedicalCare
    termination: Termination
    repatriation: Repatriation
    dispute_settlement: DisputeSettlement
    fee_statement: list[FeeLine] = Field(max_length=30, description="the costs of recruitment, by ILO category")
    document_custody: DocumentCustody
    languages: Languages

    @property
    def agency_ids(self) -> list[uuid.UUID]:
        return list(dict.fromkeys(r.business_id for r in self.parties.recruiters))

    def public_content(self) -> dict:
        """The terms without the worker's personal data (what the database keeps in clear)."""
        content = self.model_dump(mode="json")
        content["parties"]["worker"] = {"worker_id": content["parties"]["worker"]["worker_id"]}
        return content

    def worker_personal_data(self) -> dict:
        return self.parties.worker.model_dump(mode="json", exclude={"worker_id"})
