"""The event catalogue against the events table the services agree on, the CloudEvents spec and the no-personal-data rule."""

import json
import re
import typing
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import BaseModel, StringConstraints, ValidationError

from fairpath.common.auth import Role
from fairpath.common.domain_codes import (
    BusinessKind,
    BusinessStatus,
    ChangeDirection,
    ConsentPurpose,
    ContractParty,
    ContractStatus,
    ContractTerm,
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
from fairpath.common.events import catalogue as cat
from fairpath.common.events.catalogue import CATALOGUE
from fairpath.common.events.envelope import EventPayload, new_event
from fairpath.common.logging import correlation_id

# The events table: the contract between the services. Changing this list is changing the design.
DESIGN_SUBJECTS = [
    "vetting.business.registered",
    "vetting.business.updated",
    "vetting.business.approved",
    "vetting.business.conditionally_approved",
    "vetting.business.rejected",
    "vetting.business.suspended",
    "vetting.business.expired",
    "vetting.screening.matched",
    "registry.worker.registered",
    "registry.worker.updated",
    "registry.worker.consent_changed",
    "registry.worker.erased",
    "registry.offer.made",
    "registry.offer.accepted",
    "registry.fee.reported",
    "registry.fee.reimbursed",
    "registry.grievance.filed",
    "registry.grievance.substantiated",
    "registry.grievance.unsubstantiated",
    "registry.grievance.resolved",
    "registry.retaliation.detected",
    "contracts.contract.issued",
    "contracts.contract.signed",
    "contracts.contract.activated",
    "contracts.contract.completed",
    "contracts.contract.terminated",
    "contracts.contract.substitution_detected",
    "contracts.contract.returned",
    "contracts.worker.invited_to_next_season",
    "contracts.job_order.posted",
]

SERVICES = {"vetting", "registry", "contracts"}

NOW = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
BUSINESS, EMPLOYER, AGENCY, SUB_AGENT = (uuid.uuid4() for _ in range(4))
WORKER, CONTRACT, CASE = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
OFFER, JOB_ORDER, POSITION = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()

_business = dict(
    business_id=BUSINESS,
    kind=BusinessKind.employer,
    legal_name="Gulf Horizon Construction LLC",
    country="AE",
    sector="F",
    organization_id=uuid.uuid4(),
)
_worker = dict(
    worker_id=WORKER,
    consents=[ConsentPurpose.registration, ConsentPurpose.employment_contract],
    languages=["ne", "en"],
    agency_id=AGENCY,
)
_contract = dict(
    contract_id=CONTRACT,
    worker_id=WORKER,
    employer_id=EMPLOYER,
    agency_ids=[AGENCY, SUB_AGENT],
    job_order_id=uuid.uuid4(),
    term=ContractTerm.seasonal,
    start_date=date(2025, 4, 1),
    end_date=date(2025, 10, 31),
    destination_country="AE",
    occupation="7112",
    sector="F",
)
_grievance = dict(
    grievance_id=uuid.uuid4(), anonymous=True, filed_by_role=Role.worker, business_id=EMPLOYER, contract_id=CONTRACT
)


def _examples() -> dict[str, EventPayload]:
    """One realistic payload per subject; built by hand so that each model's rules are exercised."""
    return {
        p.subject: p
        for p in [
            cat.BusinessRegistered(version=1, status=BusinessStatus.registered, **_business),
            cat.BusinessUpdated(version=2, status=BusinessStatus.under_review, changed_fields=["sector"], **_business),
            cat.BusinessApproved(
                version=3,
                status=BusinessStatus.approved,
                vetting_case_id=CASE,
                decided_at=NOW,
                approval_expires_at=NOW + timedelta(days=365),
                risk_band=RiskBand.low,
                **_business,
            ),
            cat.BusinessConditionallyApproved(
                version=3,
                status=BusinessStatus.conditionally_approved,
                vetting_case_id=CASE,
                decided_at=NOW,
                condition_deadline=NOW + timedelta(days=60),
                approval_expires_at=NOW + timedelta(days=365),
                risk_band=RiskBand.medium,
                conditions=["renew the operating licence"],
                **_business,
            ),
            cat.BusinessRejected(
                version=3,
                status=BusinessStatus.rejected,
                vetting_case_id=CASE,
                decided_at=NOW,
                risk_band=RiskBand.critical,
                **_business,
            ),
            cat.BusinessSuspended(
                version=4,
                status=BusinessStatus.suspended,
                suspended_at=NOW,
                reason=SuspensionReason.contract_substitution,
                vetting_case_id=CASE,
                finding_event_id=uuid.uuid4(),
                **_business,
            ),
            cat.BusinessExpired(version=5, status=BusinessStatus.expired, expired_at=NOW, **_business),
            cat.ScreeningMatched(
                version=1,
                screening_hit_id=uuid.uuid4(),
                business_id=BUSINESS,
                watchlist_id=uuid.uuid4(),
                watchlist_kind=WatchlistKind.debarment,
                matched_entity_id="NK-abc123",
                score=0.87,
                matched_at=NOW,
            ),
            cat.WorkerRegistered(version=1, **_worker),
            cat.WorkerUpdated(version=2, changed_fields=["languages"], **_worker),
            cat.WorkerConsentChanged(
                version=3, purpose=ConsentPurpose.employment_contract, granted=True, changed_at=NOW, **_worker
            ),
            cat.WorkerErased(version=4, worker_id=WORKER, erased_at=NOW),
            cat.OfferMade(
                version=1,
                offer_id=OFFER,
                job_order_id=JOB_ORDER,
                position_id=POSITION,
                worker_id=WORKER,
                recruiter_id=AGENCY,
                made_at=NOW,
            ),
            cat.OfferAccepted(
                version=2,
                offer_id=OFFER,
                job_order_id=JOB_ORDER,
                position_id=POSITION,
                worker_id=WORKER,
                recruiter_id=AGENCY,
                accepted_at=NOW,
            ),
            cat.FeeReported(
                version=1,
                fee_report_id=uuid.uuid4(),
                worker_id=WORKER,
                business_id=AGENCY,
                employer_id=EMPLOYER,
                contract_id=CONTRACT,
                category=FeeCategory.medical,
                amount_minor=150_000,
                currency="NPR",
                payment_method=FeePaymentMethod.loan,
                paid_on=date(2025, 2, 1),
                reported_by_role=Role.worker,
                reported_at=NOW,
            ),
            cat.FeeReimbursed(
                version=2,
                fee_report_id=uuid.uuid4(),
                worker_id=WORKER,
                business_id=AGENCY,
                category=FeeCategory.medical,
                amount_minor=150_000,
                reimbursed_amount_minor=150_000,
                currency="NPR",
                reimbursed_on=date(2025, 3, 1),
                confirmed_by_worker=True,
                confirmed_at=NOW,
            ),
            cat.GrievanceFiled(
                version=1,
                alleged_indicators=[ForcedLabourIndicator.retention_of_identity_documents],
                filed_at=NOW,
                acknowledge_by=NOW + timedelta(days=2),
                resolve_by=NOW + timedelta(days=30),
                **_grievance,
            ),
            cat.GrievanceSubstantiated(
                version=2,
                indicators=[ForcedLabourIndicator.retention_of_identity_documents],
                severity=Severity.critical,
                substantiated_at=NOW,
                **_grievance,
            ),
            cat.GrievanceUnsubstantiated(version=2, decided_at=NOW, **_grievance),
            cat.GrievanceResolved(
                version=3, substantiated=True, remedies=[Remedy.corrective_action], resolved_at=NOW, **_grievance
            ),
            cat.RetaliationDetected(
                version=1,
                finding_id=uuid.uuid4(),
                business_id=EMPLOYER,
                agency_ids=[AGENCY],
                contract_id=CONTRACT,
                grievance_anonymous=False,
                grievance_id=uuid.uuid4(),
                days_after_grievance=12,
                terminated_on=date(2025, 5, 2),
                terminated_by=ContractParty.employer,
                termination_reason=TerminationReason.dismissal_for_cause,
                detected_at=NOW,
            ),
            cat.ContractIssued(
                version=1,
                status=ContractStatus.issued,
                issued_at=NOW,
                departure_date=date(2025, 3, 20),
                languages=["ne", "en"],
                **_contract,
            ),
            cat.ContractSigned(
                version=2, status=ContractStatus.signed, signed_at=NOW, content_hash="ab" * 32, **_contract
            ),
            cat.ContractActivated(version=3, status=ContractStatus.active, arrival_verified_at=NOW, **_contract),
            cat.ContractCompleted(
                version=4,
                status=ContractStatus.completed,
                completed_on=date(2025, 10, 31),
                good_standing=True,
                **_contract,
            ),
            cat.ContractTerminated(
                version=4,
                status=ContractStatus.terminated,
                terminated_on=date(2025, 6, 1),
                reason=TerminationReason.resignation,
                ended_by=ContractParty.worker,
                **_contract,
            ),
            cat.ContractReturned(
                version=6,
                status=ContractStatus.completed,
                travel_date=date(2025, 11, 2),
                paid_by=ContractParty.employer,
                confirmed_home_at=NOW + timedelta(days=250),
                rehire_eligible=True,
                **_contract,
            ),
            cat.WorkerInvitedToNextSeason(
                version=1,
                invitation_id=uuid.uuid4(),
                worker_id=WORKER,
                employer_id=EMPLOYER,
                job_order_id=uuid.uuid4(),
                previous_contract_id=CONTRACT,
                invited_at=NOW + timedelta(days=260),
            ),
            cat.JobOrderPosted(
                version=1,
                job_order_id=uuid.uuid4(),
                employer_id=EMPLOYER,
                agency_ids=[AGENCY, SUB_AGENT],
                destination_country="AE",
                positions=[
                    cat.JobOrderPosition(
                        position_id=uuid.uuid4(),
                        occupation="7112",
                        title="Bricklayer",
                        number_of_workers=20,
                        languages=["en", "ar"],
                        minimum_years=2,
                    )
                ],
                posted_at=NOW,
            ),
            cat.ContractSubstitutionDetected(
                version=3,
                contract_id=CONTRACT,
                employer_id=EMPLOYER,
                agency_ids=[AGENCY],
                destination_country="AE",
                signed_version=2,
                detected_at=NOW,
                changes=[
                    cat.TermChange(field="terms.pay.amount", change=ChangeDirection.less_favourable),
                    cat.TermChange(field="terms.annual_leave_days", change=ChangeDirection.more_favourable),
                    cat.TermChange(field="terms.document_custody", change=ChangeDirection.less_favourable),
                ],
            ),
        ]
    }


EXAMPLES = _examples()


# (a) every subject of the table has exactly one model ------------------------------------------------


def test_every_subject_of_the_design_has_exactly_one_model():
    subjects = [model.subject for model in CATALOGUE.values()]
    assert sorted(subjects) == sorted(DESIGN_SUBJECTS)
    assert len(subjects) == len(set(subjects))


def test_the_catalogue_finds_models_below_intermediate_bases():
    # Most models inherit through a shared state class: direct subclasses alone would miss them.
    assert cat.ContractSigned in CATALOGUE.values()
    assert cat.BusinessRegistered in CATALOGUE.values()
    assert not any(model.__name__.startswith("_") for model in CATALOGUE.values())


def test_a_subclass_defined_outside_the_catalogue_does_not_join_it():
    class Stray(EventPayload):
        subject = "vetting.business.registered"

    assert Stray not in cat._build_catalogue().values()


def test_the_examples_cover_the_design():
    assert sorted(EXAMPLES) == sorted(DESIGN_SUBJECTS)


# (b) names -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("subject", DESIGN_SUBJECTS)
def test_event_type_and_service_follow_the_subject(subject):
    event_type = f"org.fairpath.{subject}.v1"
    model = CATALOGUE[event_type]
    assert model.subject == subject
    assert model.event_type() == event_type
    assert re.fullmatch(r"org\.fairpath\.[a-z]+\.[a-z_]+\.[a-z_]+\.v1", event_type)
    assert model.service() == subject.split(".")[0]
    assert model.service() in SERVICES


# (c) no personal data --------------------------------------------------------------------------------

_PERSONAL = re.compile(
    r"(^|_)(name|names|first|last|surname|given|family|full|birth|dob|age|gender|sex|document_number|passport|"
    r"national_id|identity_number|phone|mobile|email|e_mail|address|street|city|postcode|zip|contact|"
    r"description|narrative|statement|comment|comments|note|notes|details|message|text|body)(_|$)"
)
_ALLOWED = {"legal_name"}


def _nested_models(annotation) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found = []
    for arg in typing.get_args(annotation):
        found.extend(_nested_models(arg))
    return found


def personal_data_fields(model: type[BaseModel], prefix: str = "") -> list[str]:
    """The field paths of a model (and of models nested in it) whose names suggest personal data or free text."""
    hits = []
    for name, info in model.model_fields.items():
        if name not in _ALLOWED and _PERSONAL.search(name):
            hits.append(prefix + name)
        for nested in _nested_models(info.annotation):
            hits.extend(personal_data_fields(nested, prefix + name + "."))
    return hits


def test_the_personal_data_check_can_find_personal_data():
    class Leaky(EventPayload):
        subject = "registry.worker.leaky"
        worker_id: uuid.UUID
        full_name: str
        date_of_birth: date
        passport_number: str
        contact: "LeakyContact | None" = None

    class LeakyContact(BaseModel):
        email: str
        phone_number: str
        home_address: str

    Leaky.model_rebuild(_types_namespace={"LeakyContact": LeakyContact})
    assert set(personal_data_fields(Leaky)) == {
        "full_name",
        "date_of_birth",
        "passport_number",
        "contact",
        "contact.email",
        "contact.phone_number",
        "contact.home_address",
    }
    assert personal_data_fields(cat.BusinessRegistered) == []  # legal_name is a company's


@pytest.mark.parametrize("model", list(CATALOGUE.values()), ids=lambda m: m.subject)
def test_no_model_declares_personal_data(model):
    assert personal_data_fields(model) == []


def _takes_any_text(annotation, metadata=()) -> bool:
    """A str with no pattern behind it, alone or inside a list, an optional or an Annotated."""
    if typing.get_origin(annotation) is typing.Annotated:
        inner, *more = typing.get_args(annotation)
        return _takes_any_text(inner, (*metadata, *more))
    if annotation is str:
        return not any(getattr(m, "pattern", None) for m in metadata)
    return any(_takes_any_text(arg) for arg in typing.get_args(annotation))


def free_text_fields(model: type[BaseModel]) -> list[str]:
    return [name for name, info in model.model_fields.items() if _takes_any_text(info.annotation, info.metadata)]


def test_the_free_text_check_can_find_free_text():
    class Chatty(BaseModel):
        code: typing.Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
        story: str
        remarks: list[str] | None = None
        labels: list[typing.Annotated[str, StringConstraints(max_length=20)]]

    assert free_text_fields(Chatty) == ["story", "remarks", "labels"]


# A company's legal name and the conditions vetting sets a company are the only text that travels.
_TEXT_ALLOWED = {"legal_name", "conditions"}


@pytest.mark.parametrize("model", list(CATALOGUE.values()), ids=lambda m: m.subject)
def test_payloads_carry_no_free_text(model):
    # Whatever a worker writes stays in the registry; only ids, codes, amounts and dates leave it.
    assert set(free_text_fields(model)) <= _TEXT_ALLOWED
    if model.service() == "registry":
        assert free_text_fields(model) == []


@pytest.mark.parametrize("subject", [s for s in DESIGN_SUBJECTS if ".grievance." in s])
def test_an_anonymous_grievance_never_names_the_worker(subject):
    example = EXAMPLES[subject]
    assert example.anonymous and example.worker_id is None
    with pytest.raises(ValidationError, match="anonymous"):
        type(example).model_validate({**example.model_dump(), "worker_id": WORKER})
    named = type(example).model_validate({**example.model_dump(), "anonymous": False, "worker_id": WORKER})
    assert named.worker_id == WORKER


def test_retaliation_after_an_anonymous_grievance_does_not_point_at_it():
    example = EXAMPLES["registry.retaliation.detected"]
    with pytest.raises(ValidationError, match="anonymous"):
        cat.RetaliationDetected.model_validate({**example.model_dump(), "grievance_anonymous": True})
    anonymous = cat.RetaliationDetected.model_validate(
        {**example.model_dump(), "grievance_anonymous": True, "grievance_id": None, "days_after_grievance": None}
    )
    assert anonymous.grievance_id is None


# the models' own rules -------------------------------------------------------------------------------


def test_enums_hold_the_domain_codes():
    assert len(ForcedLabourIndicator) == 11 and "debt_bondage" in set(ForcedLabourIndicator)
    assert {c.value for c in FeeCategory} == {
        "recruitment_fee",
        "medical",
        "insurance",
        "skills_tests",
        "training",
        "equipment",
        "travel_lodging",
        "administrative",
        "illegitimate",
    }
    assert {c.value for c in ConsentPurpose} == {
        "registration",
        "employment_contract",
        "data_sharing_with_employer",
        "considered_by_recruiter",
    }


def test_a_decision_event_must_report_its_own_status():
    example = EXAMPLES["vetting.business.approved"]
    with pytest.raises(ValidationError, match="status"):
        cat.BusinessApproved.model_validate({**example.model_dump(), "status": "suspended"})
    with pytest.raises(ValidationError, match="status"):
        cat.ContractSigned.model_validate({**EXAMPLES["contracts.contract.signed"].model_dump(), "status": "issued"})


def test_a_substitution_needs_a_less_favourable_change():
    example = EXAMPLES["contracts.contract.substitution_detected"]
    assert example.less_favourable == ["terms.pay.amount", "terms.document_custody"]
    harmless = [{"field": "terms.pay.amount", "change": "more_favourable"}]
    with pytest.raises(ValidationError, match="less_favourable"):
        cat.ContractSubstitutionDetected.model_validate({**example.model_dump(), "changes": harmless})
    with pytest.raises(ValidationError):
        cat.TermChange(field="terms.pay.amount", change="worse")


def test_seasonal_contracts_have_an_end():
    example = EXAMPLES["contracts.contract.issued"]
    with pytest.raises(ValidationError, match="end_date"):
        cat.ContractIssued.model_validate({**example.model_dump(), "end_date": None})
    open_ended = cat.ContractIssued.model_validate({**example.model_dump(), "term": "open_ended", "end_date": None})
    assert open_ended.end_date is None


def test_consent_change_agrees_with_the_consents_it_reports():
    example = EXAMPLES["registry.worker.consent_changed"]
    with pytest.raises(ValidationError, match="consents"):
        cat.WorkerConsentChanged.model_validate({**example.model_dump(), "granted": False})


def test_money_is_integer_minor_units_with_an_iso_currency():
    example = EXAMPLES["registry.fee.reported"]
    for bad in ({"amount_minor": 1500.5}, {"amount_minor": 0}, {"currency": "rupees"}):
        with pytest.raises(ValidationError):
            cat.FeeReported.model_validate({**example.model_dump(), **bad})
    assert EXAMPLES["registry.fee.reimbursed"].fully_reimbursed


def test_times_must_be_timezone_aware():
    example = EXAMPLES["registry.fee.reported"]
    with pytest.raises(ValidationError, match="timezone"):
        cat.FeeReported.model_validate({**example.model_dump(), "reported_at": datetime(2025, 3, 1, 9, 30)})


def test_payloads_are_frozen_and_tolerate_new_fields():
    example = EXAMPLES["vetting.business.registered"]
    with pytest.raises(ValidationError):
        example.legal_name = "Other LLC"
    newer = cat.BusinessRegistered.model_validate({**example.model_dump(mode="json"), "field_from_v1_1": "x"})
    assert newer == example


def test_every_payload_carries_its_aggregate_version():
    for model in CATALOGUE.values():
        assert model.model_fields["version"].is_required()
    with pytest.raises(ValidationError):
        cat.WorkerErased(version=0, worker_id=WORKER, erased_at=NOW)


# (d) the envelope, read by the official CloudEvents SDK ----------------------------------------------


def _sdk_read(body: bytes):
    """Parse a structured-mode JSON CloudEvent with the official SDK, 2.x API first, then 1.x."""
    try:
        from cloudevents.core.formats.json import JSONFormat
        from cloudevents.core.v1.event import CloudEvent as SdkEvent
    except ImportError:  # cloudevents 1.x
        from cloudevents.http import from_json

        event = from_json(body)
        return {
            "specversion": event["specversion"],
            "id": event["id"],
            "type": event["type"],
            "source": event["source"],
            "subject": event["subject"],
            "time": event["time"],
            "correlationid": event["correlationid"],
            "data": event.data,
        }
    event = JSONFormat().read(SdkEvent, body)
    return {
        "specversion": event.get_specversion(),
        "id": event.get_id(),
        "type": event.get_type(),
        "source": event.get_source(),
        "subject": event.get_subject(),
        "time": event.get_time(),
        "correlationid": event.get_extension("correlationid"),
        "data": event.get_data(),
    }


AGGREGATE_ID_FIELD = {
    "business": "business_id",
    "screening": "screening_hit_id",
    "worker": "worker_id",
    "fee": "fee_report_id",
    "grievance": "grievance_id",
    "retaliation": "finding_id",
    "contract": "contract_id",
    "job_order": "job_order_id",
    "offer": "offer_id",
}


def _aggregate_id(payload: EventPayload) -> uuid.UUID:
    return getattr(payload, AGGREGATE_ID_FIELD[payload.subject.split(".")[1]])


@pytest.mark.parametrize("subject", DESIGN_SUBJECTS)
def test_the_envelope_is_a_valid_cloudevent_that_round_trips(subject):
    payload = EXAMPLES[subject]
    aggregate = _aggregate_id(payload)
    token = correlation_id.set("req-" + uuid.uuid4().hex)
    try:
        expected_correlation = correlation_id.get()
        event = new_event(payload, aggregate)
    finally:
        correlation_id.reset(token)

    parsed = _sdk_read(event.to_json())

    assert parsed["specversion"] == "1.0"
    assert parsed["type"] == f"org.fairpath.{subject}.v1"
    assert parsed["source"] == f"/fairpath/{subject.split('.')[0]}"
    assert parsed["subject"] == str(aggregate)
    assert uuid.UUID(parsed["id"]).version == 7
    assert parsed["id"] == event.id
    assert parsed["time"].tzinfo is not None
    assert parsed["correlationid"] == expected_correlation
    data = parsed["data"]
    assert isinstance(data, dict) and data["version"] == payload.version
    assert type(payload).model_validate(data) == payload
    assert CATALOGUE[parsed["type"]].model_validate(data) == payload


def test_the_wire_form_of_a_payload_is_plain_json():
    wire = json.loads(new_event(EXAMPLES["registry.fee.reported"], uuid.uuid4()).to_json())["data"]
    assert wire["amount_minor"] == 150_000 and wire["currency"] == "NPR"
    assert wire["category"] == "medical" and wire["payment_method"] == "loan"
    assert wire["reported_at"].endswith("Z") or wire["reported_at"].endswith("+00:00")
