"""The recruitment agency's pages of the portal (/portal/agency/...): its own business and vetting status, its
workers (register one with their consents; each worker's consents and placements; record a fee the worker
reports; file a grievance for them), and its contracts (draft one from a job order, check it against every rule
with each violation shown next to the field it concerns, save the draft, issue it).

Every page shows what the API gives the agency's user, through the gateway's own API in this process (pages.Api):
the same tenancy, audit and rules apply."""

from datetime import date, timedelta
from typing import Any

from babel.numbers import get_currency_precision
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from fairpath.gateway.portal import pages
from fairpath.gateway.portal.i18n import FEE_CATEGORIES, N_, PAYMENT_METHODS
from fairpath.gateway.portal.officer import business_names
from fairpath.gateway.portal.pages import Api, ApiRefused, optional_items, refused_problem, segment
from fairpath.gateway.portal.plain import Gettext, said
from fairpath.gateway.portal.web import (
    CONTRACT_STATUSES,
    HEADERS,
    PREFIX,
    ROLE_PAGES,
    PageNotFound,
    Visit,
    checked_form,
    form_text,
    is_uuid,
    minor_units,
    render,
    require_role,
    visiting,
)

ROLE = "agency"
HOME = f"{PREFIX}/agency"
ROLE_PAGES.setdefault(
    ROLE,
    [
        (f"{HOME}/business", "Business and vetting"),
        (f"{HOME}/workers", "Workers"),
        (f"{HOME}/contracts", "Contracts"),
    ],
)

router = APIRouter(prefix=PREFIX, include_in_schema=False)

# The consents the registration form offers: registration is required by the API; sharing with an employer is
# given per employer, later.
CONSENT_PURPOSES = ("registration", "employment_contract")
# A fee as the agency records it: the worker's own words (i18n) speak in the first person.
AGENCY_FEE_CATEGORIES = FEE_CATEGORIES | {"illegitimate": N_("A bribe, gift or other payment asked of the worker")}
AGENCY_PAYMENT_METHODS = PAYMENT_METHODS | {
    "wage_deduction": N_("Taken from the worker's wages"),
    "loan": N_("A loan the worker must repay"),
}

WORKER_FIELDS = (
    "full_name",
    "date_of_birth",
    "sex",
    "nationality",
    "document_kind",
    "document_number",
    "document_country",
    "phone",
    "language_1",
    "proficiency_1",
    "language_2",
    "proficiency_2",
    "skill_occupation",
    "skill_level",
    "skill_years",
    "consent_method",
    "consent_language",
)
# Each input of the registration form by its label: on the form, and naming the field in what a rule says of it.
WORKER_LABELS = {
    "full_name": N_("Full name, as in the identity document"),
    "date_of_birth": N_("Date of birth"),
    "sex": N_("Sex"),
    "nationality": N_("Nationality"),
    "document_kind": N_("Identity document"),
    "document_number": N_("Document number"),
    "document_country": N_("Issuing country"),
    "phone": N_("Phone, international format (optional, e.g. +9779812345678)"),
    "language_1": N_("First language"),
    "proficiency_1": N_("Proficiency in the first language"),
    "language_2": N_("Second language (optional)"),
    "proficiency_2": N_("Proficiency in the second language"),
    "skill_occupation": N_("Occupation"),
    "skill_level": N_("Skill level"),
    "skill_years": N_("Years of experience"),
    "consent_method": N_("How the worker gave consent"),
    "consent_language": N_("Language consent was explained in"),
    "consents": N_("Consents the worker gave"),
}
# Where the API's field (a dotted path of the body) is shown on the worker form: the longest prefix that is here.
WORKER_FIELD_OF = {
    "full_name": "full_name",
    "date_of_birth": "date_of_birth",
    "sex": "sex",
    "nationality": "nationality",
    "identity_document": "document_number",
    "identity_document.kind": "document_kind",
    "identity_document.number": "document_number",
    "identity_document.issuing_country": "document_country",
    "phone": "phone",
    "languages": "language_1",
    "languages.0": "language_1",
    "languages.0.proficiency": "proficiency_1",
    "languages.1": "language_2",
    "languages.1.proficiency": "proficiency_2",
    "skills": "skill_occupation",
    "skills.0.occupation": "skill_occupation",
    "skills.0.level": "skill_level",
    "skills.0.years_experience": "skill_years",
    "consents": "consents",
    "consents.0.method": "consent_method",
    "consents.0.language": "consent_language",
}

# The inputs of the forms on a worker's page (a fee the worker reports, a grievance filed for them) by their labels.
FEE_LABELS = {
    "category": N_("What it was for"),
    "amount": N_("Amount"),
    "currency": N_("Currency (three letters, e.g. NPR)"),
    "payment_method": N_("How the worker paid"),
    "paid_to": N_("Paid to"),
    "paid_on": N_("Paid on (optional)"),
}
GRIEVANCE_LABELS = {
    "business_id": N_("Against (optional)"),
    "description": N_("What happened, in the worker's words"),
    "grievance_language": N_("Language it was told in"),
}

CONTRACT_FIELDS = (
    "position",
    "worker_id",
    "worker_address",
    "employer_address",
    "workplace_address",
    "workplace_city",
    "job_description",
    "departure_date",
    "start_date",
    "duration_months",
    "probation_days",
    "pay_amount",
    "pay_currency",
    "overtime_rate_percent",
    "hours_per_day",
    "hours_per_week",
    "weekly_rest_days",
    "annual_leave_days",
    "sick_leave_days",
    "passport_kept_by",
    "worker_language",
    "destination_language",
    "fee_paid_by",
    "dispute_procedure",
    "pay_period",
    "payment_method",
    "food_provision",
    "food_allowance",
    "food_charge",
    "food_agreed",
    "housing_provision",
    "housing_allowance",
    "housing_charge",
    "housing_agreed",
    "transport_to_from_paid_by",
    "transport_at_site_paid_by",
    "medical_care_paid_by",
    "insurance_paid_by",
    "repatriation_paid_by",
    "identity_documents_kept_by",
    "prevailing_language",
)
# Each input of the contract form by its label: on the form, and naming the field in what a rule says of it.
CONTRACT_LABELS = {
    "position": N_("Job order and position"),
    "worker_id": N_("Worker"),
    "worker_address": N_("Worker's home address"),
    "employer_address": N_("Employer's address"),
    "workplace_address": N_("Workplace address"),
    "workplace_city": N_("Workplace city"),
    "job_description": N_("Job description"),
    "departure_date": N_("Departure date"),
    "start_date": N_("Start date"),
    "duration_months": N_("Duration in months (empty: open-ended)"),
    "probation_days": N_("Probation in days"),
    "pay_amount": N_("Gross pay per period"),
    "pay_currency": N_("Pay currency (three letters)"),
    "pay_period": N_("Pay period"),
    "payment_method": N_("How the pay is paid"),
    "overtime_rate_percent": N_("Overtime pay, % of the normal rate"),
    "hours_per_day": N_("Normal hours per day"),
    "hours_per_week": N_("Normal hours per week"),
    "weekly_rest_days": N_("Weekly rest days"),
    "annual_leave_days": N_("Paid annual leave days"),
    "sick_leave_days": N_("Sick leave days"),
    "food_provision": N_("Food"),
    "food_allowance": N_("Food allowance per month, in the pay currency"),
    "food_charge": N_("Food charged to the worker per month, in the pay currency"),
    "food_agreed": N_("The worker agrees to the food charge being deducted from pay"),
    "housing_provision": N_("Housing"),
    "housing_allowance": N_("Housing allowance per month, in the pay currency"),
    "housing_charge": N_("Housing charged to the worker per month, in the pay currency"),
    "housing_agreed": N_("The worker agrees to the housing charge being deducted from pay"),
    "transport_to_from_paid_by": N_("Travel to the job and home again is paid by"),
    "transport_at_site_paid_by": N_("Transport at the workplace is paid by"),
    "medical_care_paid_by": N_("Medical care is paid by"),
    "insurance_paid_by": N_("Health insurance is paid by"),
    "repatriation_paid_by": N_("Repatriation is paid by"),
    "fee_paid_by": N_("The recruitment fee is paid by"),
    "passport_kept_by": N_("The passport is kept by"),
    "identity_documents_kept_by": N_("Other identity documents are kept by"),
    "worker_language": N_("Worker's language"),
    "destination_language": N_("Destination's language"),
    "prevailing_language": N_("If the two versions differ, the one that prevails"),
    "dispute_procedure": N_("Dispute settlement procedure"),
}
# The choices the API accepts for the terms the form asks as choices (its codes, and their words).
PAID_BY = {"employer": N_("the employer"), "agency": N_("the agency"), "worker": N_("the worker")}
KEPT_BY = {"worker": N_("the worker"), "employer": N_("the employer"), "agency": N_("the agency")}
PROVISIONS = {
    "provided_free": N_("provided free by the employer"),
    "cash_allowance": N_("a cash allowance"),
    "not_provided": N_("not provided"),
    "charged_to_worker": N_("provided, and charged to the worker"),
}
PAY_PERIODS = {
    "month": N_("a month"),
    "fortnight": N_("a fortnight"),
    "week": N_("a week"),
    "day": N_("a day"),
    "hour": N_("an hour"),
}
PAYMENT_METHODS_OF_PAY = {
    "bank_transfer": N_("bank transfer"),
    "mobile_money": N_("mobile money"),
    "cash": N_("cash"),
    "cheque": N_("cheque"),
}
PREVAILING = {"worker": N_("the worker's language"), "destination": N_("the destination's language")}
# Where a rule's field (terms.<path>) is shown on the contract form: the longest prefix that is here. What the
# form does not ask for (it comes from the job order, the worker's record or the agency's) is shown beside the
# job order, or the worker.
CONTRACT_FIELD_OF = {
    "job_order_id": "position",
    "position_id": "position",
    "terms.parties.worker": "worker_id",
    "terms.parties.worker.address": "worker_address",
    "terms.parties.employer": "position",
    "terms.parties.employer.address": "employer_address",
    "terms.parties.recruiters": "position",
    "terms.workplace": "position",
    "terms.workplace.address": "workplace_address",
    "terms.workplace.city": "workplace_city",
    "terms.job": "position",
    "terms.job.description": "job_description",
    "terms.period": "departure_date",
    "terms.period.start_date": "start_date",
    "terms.period.duration_months": "duration_months",
    "terms.period.probation_days": "probation_days",
    "terms.pay": "pay_amount",
    "terms.pay.currency": "pay_currency",
    "terms.pay.period": "pay_period",
    "terms.pay.payment_method": "payment_method",
    "terms.pay.overtime_rate_percent": "overtime_rate_percent",
    "terms.hours": "hours_per_week",
    "terms.hours.normal_hours_per_day": "hours_per_day",
    "terms.rest": "weekly_rest_days",
    "terms.leave": "annual_leave_days",
    "terms.leave.sick_leave_days": "sick_leave_days",
    "terms.food_and_housing": "food_provision",
    "terms.food_and_housing.food": "food_provision",
    "terms.food_and_housing.food.cash_value": "food_allowance",
    "terms.food_and_housing.food.monthly_charge": "food_charge",
    "terms.food_and_housing.food.worker_agrees_to_deduction": "food_agreed",
    "terms.food_and_housing.housing": "housing_provision",
    "terms.food_and_housing.housing.cash_value": "housing_allowance",
    "terms.food_and_housing.housing.monthly_charge": "housing_charge",
    "terms.food_and_housing.housing.worker_agrees_to_deduction": "housing_agreed",
    "terms.transport": "transport_to_from_paid_by",
    "terms.transport.at_job_site_paid_by": "transport_at_site_paid_by",
    "terms.medical": "medical_care_paid_by",
    "terms.medical.insurance_paid_by": "insurance_paid_by",
    "terms.termination": "position",
    "terms.repatriation": "repatriation_paid_by",
    "terms.repatriation.includes_repatriation_of_remains": "repatriation_paid_by",
    "terms.document_custody": "passport_kept_by",
    "terms.document_custody.identity_documents_kept_by": "identity_documents_kept_by",
    "terms.languages": "worker_language",
    "terms.languages.destination_language": "destination_language",
    "terms.languages.prevailing": "prevailing_language",
    "terms.fee_statement": "fee_paid_by",
    "terms.dispute_settlement": "dispute_procedure",
}


def place(field: str, where: dict[str, str]) -> str:
    """The form's input a violation of the API's `field` is shown next to ("form" when none fits)."""
    parts = field.split(".")
    while parts:
        found = where.get(".".join(parts))
        if found:
            return found
        parts.pop()
    return "form"


def by_input(
    problem: dict[str, Any],
    where: dict[str, str],
    labels: dict[str, str] | None = None,
    gettext: Gettext = str,
) -> dict[str, list[str]]:
    """The problem's violations (or warnings) by the form's inputs: each as the API words it, or, given the form's
    labels, in plain words naming the input by its label (plain.said)."""
    shown: dict[str, list[str]] = {}
    for violation in problem.get("violations") or problem.get("errors") or []:
        if isinstance(violation, dict):
            name = place(str(violation.get("field", "")), where)
            if labels is None:
                message = str(violation.get("message") or violation.get("rule") or "")
            else:
                label = labels.get(name)
                message = said(violation, gettext(label) if label else None, gettext)
            shown.setdefault(name, []).append(message)
    if not shown and problem.get("detail"):
        shown["form"] = [str(problem["detail"])]
    return shown


async def _posted(api: Api, path: str, body: dict[str, Any] | None = None) -> tuple[int, dict[str, Any]]:
    """The API's status and JSON for a form's call: 2xx, 409 and 422 are the page's to show; the rest a refusal."""
    response = await api.post(path, json=body) if body is not None else await api.post(path)
    answer = refused_problem(response)
    if response.status_code < 300 or response.status_code in (409, 422):
        return response.status_code, answer
    raise ApiRefused(response.status_code, answer)


def _agency(visit: Visit) -> None:
    require_role(visit, ROLE)


def _form_values(form: FormData, names: tuple[str, ...], limit: int = 300) -> dict[str, str]:
    return {name: form_text(form, name, limit).strip() for name in names}


def _int(value: str) -> int | str:
    """A whole number as typed, or the text itself (the API then names the field and the rule)."""
    try:
        return int(value)
    except ValueError:
        return value


def _number(value: str) -> float | str:
    try:
        return float(value)
    except ValueError:
        return value


# --- its business and vetting status ---------------------------------------------------------------------


@router.get("/agency/business")
async def business(request: Request) -> Response:
    async with visiting(request) as visit:
        _agency(visit)
        business_id = visit.me.get("business_id")
        page = await pages.business_page(visit.api, str(business_id)) if business_id else None
        return render(request, "agency_business.html", visit=visit, page=page)


# --- workers -----------------------------------------------------------------------------------------------


@router.get("/agency/workers")
async def workers(request: Request) -> Response:
    async with visiting(request) as visit:
        _agency(visit)
        found = await visit.api.items("/v1/workers")
        return render(request, "agency_workers.html", visit=visit, workers=found)


def _worker_form(
    request: Request, visit: Visit, worker: dict[str, Any], errors: dict[str, list[str]], status: int
) -> HTMLResponse:
    _ = visit.language.gettext
    return render(
        request,
        "agency_worker_new.html",
        status=status,
        visit=visit,
        worker=worker,
        errors=errors,
        labels={name: _(label) for name, label in WORKER_LABELS.items()},
    )


@router.get("/agency/workers/new")
async def worker_form(request: Request) -> Response:
    async with visiting(request) as visit:
        _agency(visit)
        # No consent ticked in advance: each is the worker's to give, and the agency records what they gave.
        typed = {"consents": [], "consent_method": "written_signature", "proficiency_1": "native"}
        return _worker_form(request, visit, typed, {}, 200)


def worker_body(typed: dict[str, Any]) -> dict[str, Any]:
    """The registration's body (POST /v1/workers) from the form as typed; the API checks every rule."""
    languages = [
        {"language": typed[f"language_{i}"], "proficiency": typed[f"proficiency_{i}"]}
        for i in (1, 2)
        if typed[f"language_{i}"] or i == 1
    ]
    consent_language = typed["consent_language"] or typed["language_1"]
    body: dict[str, Any] = {
        "full_name": typed["full_name"],
        "date_of_birth": typed["date_of_birth"],
        "sex": typed["sex"],
        "nationality": typed["nationality"].upper(),
        "identity_document": {
            "kind": typed["document_kind"],
            "number": typed["document_number"],
            "issuing_country": typed["document_country"].upper(),
        },
        "languages": languages,
        "consents": [
            {"purpose": purpose, "method": typed["consent_method"], "language": consent_language}
            for purpose in typed["consents"]
        ],
    }
    if typed["phone"]:
        body["phone"] = typed["phone"].replace(" ", "")
    if typed["skill_occupation"]:
        skill: dict[str, Any] = {"occupation": typed["skill_occupation"], "level": typed["skill_level"]}
        if typed["skill_years"]:
            skill["years_experience"] = _int(typed["skill_years"])
        body["skills"] = [skill]
    return body


@router.post("/agency/workers")
async def register_worker(request: Request) -> Response:
    async with visiting(request) as visit:
        _agency(visit)
        form = await checked_form(request, visit)
        typed: dict[str, Any] = _form_values(form, WORKER_FIELDS)
        typed["consents"] = [p for p in form.getlist("consents") if p in CONSENT_PURPOSES]
        if "registration" not in typed["consents"]:
            _ = visit.language.gettext
            errors = {"consents": [_("The worker's consent to registration is required to register them.")]}
            return _worker_form(request, visit, typed, errors, 422)
        status, answer = await _posted(visit.api, "/v1/workers", worker_body(typed))
        if status < 300:
            return RedirectResponse(f"{HOME}/workers/{answer['id']}?done=registered", status_code=303)
        errors = by_input(answer, WORKER_FIELD_OF, WORKER_LABELS, visit.language.gettext)
        return _worker_form(request, visit, typed, errors, status)


async def _worker_page(
    request: Request, visit: Visit, worker_id: str, *, status: int = 200, **context: Any
) -> HTMLResponse:
    if not is_uuid(worker_id):
        raise PageNotFound()
    worker = await visit.api.get(f"/v1/workers/{segment(worker_id)}")
    placements = await optional_items(visit.api, f"/v1/workers/{segment(worker_id)}/placements")
    try:
        export = await visit.api.get(f"/v1/workers/{segment(worker_id)}/export")
    except ApiRefused as refused:
        if refused.status not in (403, 404):
            raise
        export = {}
    consents = export.get("consents") if isinstance(export, dict) else None
    # The placements' employers and contracts by name and code (one read of each, for the whole page).
    employers = await business_names(visit.api, {str(p.get("employer_id")) for p in placements})
    codes = {str(c["id"]): c.get("verification_code") for c in await pages.contracts(visit.api)} if placements else {}
    _ = visit.language.gettext
    defaults = {
        "fee": {"currency": "", "category": "recruitment_fee", "payment_method": "cash"},
        "grievance": {},
        "fee_errors": {},
        "grievance_errors": {},
        "notice": request.query_params.get("done", ""),
    }
    return render(
        request,
        "agency_worker.html",
        status=status,
        visit=visit,
        worker=worker,
        placements=placements,
        consent_history=consents if isinstance(consents, list) else [],
        fees=(export.get("fee_reports") or []) if isinstance(export, dict) else [],
        grievances=(export.get("grievances") or []) if isinstance(export, dict) else [],
        categories=AGENCY_FEE_CATEGORIES,
        methods=AGENCY_PAYMENT_METHODS,
        employers=employers,
        codes=codes,
        labels={name: _(label) for name, label in (FEE_LABELS | GRIEVANCE_LABELS).items()},
        **(defaults | context),
    )


@router.get("/agency/workers/{worker_id}")
async def worker(request: Request, worker_id: str) -> Response:
    async with visiting(request) as visit:
        _agency(visit)
        return await _worker_page(request, visit, worker_id)


@router.post("/agency/workers/{worker_id}/fees")
async def record_fee(request: Request, worker_id: str) -> Response:
    """A fee the worker reports to the agency, recorded for them (the API records the agency's channel)."""
    async with visiting(request) as visit:
        _agency(visit)
        form = await checked_form(request, visit)
        if not is_uuid(worker_id):
            raise PageNotFound()
        typed = _form_values(form, ("category", "amount", "currency", "payment_method", "paid_on", "paid_to"), 64)
        typed["currency"] = typed["currency"].upper()
        minor = minor_units(typed["amount"], typed["currency"])
        if minor is None:
            errors = {"amount": [visit.language.gettext("Amount: enter the amount as a number, e.g. 1500 or 1500.50.")]}
            return await _worker_page(request, visit, worker_id, status=422, fee=typed, fee_errors=errors)
        body: dict[str, Any] = {
            "category": typed["category"],
            "amount_minor": minor,
            "currency": typed["currency"],
            "payment_method": typed["payment_method"],
        }
        if typed["paid_on"]:
            body["paid_on"] = typed["paid_on"]
        if typed["paid_to"] == "agency" and visit.me.get("business_id"):
            body["paid_to_business_id"] = str(visit.me["business_id"])
        status, answer = await _posted(visit.api, f"/v1/workers/{segment(worker_id)}/fees", body)
        if status < 300:
            return RedirectResponse(f"{HOME}/workers/{worker_id}?done=fee#fees", status_code=303)
        errors = by_input(
            answer,
            {"amount_minor": "amount", "category": "category", "currency": "currency"}
            | {
                "payment_method": "payment_method",
                "paid_on": "paid_on",
                "paid_to_business_id": "paid_to",
            },
            FEE_LABELS,
            visit.language.gettext,
        )
        return await _worker_page(request, visit, worker_id, status=status, fee=typed, fee_errors=errors)


@router.post("/agency/workers/{worker_id}/grievances")
async def file_grievance(request: Request, worker_id: str) -> Response:
    """A grievance the agency files for its worker (the API records the agency's channel)."""
    async with visiting(request) as visit:
        _agency(visit)
        form = await checked_form(request, visit)
        if not is_uuid(worker_id):
            raise PageNotFound()
        typed: dict[str, Any] = {
            "description": form_text(form, "description", 10_000),
            "business_id": form_text(form, "business_id", 64),
            "language": form_text(form, "grievance_language", 16).strip(),
            "anonymous": form_text(form, "anonymous", 8) == "yes",
        }
        body: dict[str, Any] = {"description": typed["description"], "anonymous": typed["anonymous"]}
        if typed["business_id"]:
            body["business_id"] = typed["business_id"]
        if typed["language"]:
            body["language"] = typed["language"]
        status, answer = await _posted(visit.api, f"/v1/workers/{segment(worker_id)}/grievances", body)
        if status < 300:
            return RedirectResponse(f"{HOME}/workers/{worker_id}?done=grievance#grievances", status_code=303)
        where = {"description": "description", "business_id": "business_id", "language": "grievance_language"}
        errors = by_input(answer, where, GRIEVANCE_LABELS, visit.language.gettext)
        return await _worker_page(request, visit, worker_id, status=status, grievance=typed, grievance_errors=errors)


# --- contracts ---------------------------------------------------------------------------------------------


@router.get("/agency/contracts")
async def contracts(request: Request) -> Response:
    async with visiting(request) as visit:
        _agency(visit)
        status = request.query_params.get("status")
        status = status if status in CONTRACT_STATUSES else None
        found = await pages.contracts(visit.api, status)
        return render(
            request, "agency_contracts.html", visit=visit, contracts=found, chosen=status, statuses=CONTRACT_STATUSES
        )


def _positions(job_orders: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """Each position the agency may draft for: (value of the form's choice, job order, position)."""
    return [(f"{o['id']}:{p['id']}", o, p) for o in job_orders for p in o.get("positions", [])]


def _prefilled(order: dict[str, Any], position: dict[str, Any], choice: str) -> dict[str, str]:
    """The form as the job order's offer fills it: the agency checks and completes the rest."""
    offered = position.get("offered", {})
    departure = date.today() + timedelta(days=30)
    currency = str(offered.get("currency", ""))
    return {
        "position": choice,
        "departure_date": departure.isoformat(),
        "start_date": (departure + timedelta(days=2)).isoformat(),
        "duration_months": str(offered.get("duration_months") or ""),
        "probation_days": "90",
        "pay_amount": _major(offered.get("pay_amount"), currency),
        "pay_currency": currency,
        "pay_period": str(offered.get("pay_period") or "month"),
        "payment_method": "bank_transfer",
        "food_provision": str(offered.get("food") or "provided_free"),
        "housing_provision": str(offered.get("housing") or "provided_free"),
        "transport_to_from_paid_by": "employer",
        "transport_at_site_paid_by": "employer",
        "medical_care_paid_by": "employer",
        "insurance_paid_by": "employer",
        "repatriation_paid_by": "employer",
        "identity_documents_kept_by": "worker",
        "prevailing_language": "worker",
        "overtime_rate_percent": "125",
        "hours_per_day": _plain(offered.get("normal_hours_per_day")),
        "hours_per_week": _plain(offered.get("normal_hours_per_week")),
        "weekly_rest_days": str(offered.get("weekly_rest_days", "")),
        "annual_leave_days": str(offered.get("paid_annual_leave_days", "")),
        "sick_leave_days": "14",
        "passport_kept_by": "worker",
        "destination_language": "ar" if order.get("destination_country") in ARABIC_SPEAKING else "en",
        "fee_paid_by": "employer",
        "dispute_procedure": "The labour authority of the destination country",
    }


ARABIC_SPEAKING = frozenset({"AE", "SA", "QA", "KW", "BH", "OM", "JO", "LB"})


def _plain(value: Any) -> str:
    """8.0 as 8, 7.5 as 7.5."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def _major(minor: Any, currency: str) -> str:
    """An amount in minor units as the form shows it, in the currency's own units (200000 AED as 2000.00)."""
    if not isinstance(minor, int):
        return ""
    try:
        precision = get_currency_precision(currency)
    except (ValueError, TypeError):
        precision = 2
    return f"{minor / 10**precision:.{precision}f}" if precision else str(minor)


async def _contract_form(
    request: Request,
    visit: Visit,
    typed: dict[str, str],
    *,
    errors: dict[str, list[str]] | None = None,
    warnings: dict[str, list[str]] | None = None,
    passes: bool = False,
    status: int = 200,
    choices: list[tuple[str, dict[str, Any], dict[str, Any]]] | None = None,
    mine: list[dict[str, Any]] | None = None,
) -> HTMLResponse:
    choices = choices if choices is not None else _positions(await pages.job_orders(visit.api))
    mine = mine if mine is not None else await visit.api.items("/v1/workers")
    employers = await business_names(visit.api, {str(order.get("employer_id")) for _v, order, _p in choices})
    context = contract_form_context(typed, choices, employers, mine, visit.language.gettext)
    return render(
        request,
        "agency_contract_new.html",
        status=status,
        visit=visit,
        errors=errors or {},
        warnings=warnings or {},
        passes=passes,
        **context,
    )


def contract_form_context(
    typed: dict[str, str],
    choices: list[tuple[str, dict[str, Any], dict[str, Any]]],
    employers: dict[str, str],
    mine: list[dict[str, Any]],
    gettext: Gettext,
) -> dict[str, Any]:
    """What the contract form shows besides the rules: the draft as typed, the job orders' positions (each named by
    its employer), the agency's workers, and each input's label and choices in the reader's language."""
    return {
        "draft": typed,
        "choices": choices,
        "employers": employers,
        "workers": [w for w in mine if w.get("status") != "erased"],
        "labels": {name: gettext(label) for name, label in CONTRACT_LABELS.items()},
        "paid_by": _options(PAID_BY, gettext),
        "kept_by": _options(KEPT_BY, gettext),
        "provisions": _options(PROVISIONS, gettext),
        "pay_periods": _options(PAY_PERIODS, gettext),
        "payment_methods": _options(PAYMENT_METHODS_OF_PAY, gettext),
        "prevailing": _options(PREVAILING, gettext),
    }


def _options(choices: dict[str, str], gettext: Gettext) -> list[tuple[str, str]]:
    """A choice's options as a form's select lists them: (the API's code, its words in the reader's language)."""
    return [(code, gettext(words)) for code, words in choices.items()]


@router.get("/agency/contracts/new")
async def contract_form(request: Request) -> Response:
    """Choose a job order's position, then the form comes filled with what it offers."""
    async with visiting(request) as visit:
        _agency(visit)
        choices = _positions(await pages.job_orders(visit.api))
        chosen = request.query_params.get("position", "")
        found = next(((o, p) for value, o, p in choices if value == chosen), None)
        typed = _prefilled(*found, chosen) if found else {}
        return await _contract_form(request, visit, typed, choices=choices)


async def contract_draft(api: Api, me: dict[str, Any], typed: dict[str, str], choices) -> dict[str, Any]:  # noqa: ANN001
    """The draft's body (POST /v1/contracts and /check) from the form and the records it names: the job order and
    position, the worker's name and nationality (their record), the employer's and the agency's business."""
    found = next(((o, p) for value, o, p in choices if value == typed["position"]), None)
    order, position = found if found else ({}, {})
    worker: dict[str, Any] = {}
    if typed["worker_id"]:
        try:
            worker = await api.get(f"/v1/workers/{segment(typed['worker_id'])}")
        except ApiRefused as refused:
            if refused.status not in (403, 404, 422):
                raise
    employer = await _business(api, str(order.get("employer_id", "")))
    agency = await _business(api, str(me.get("business_id") or ""))
    currency = typed["pay_currency"].upper()
    pay_amount: Any = minor_units(typed["pay_amount"], currency)
    fee_amount = minor_units("0", currency) or 0
    worker_language = typed["worker_language"] or next(
        (lang["language"] for lang in worker.get("languages", []) if isinstance(lang, dict)), ""
    )
    duration: Any = _int(typed["duration_months"]) if typed["duration_months"] else None
    terms: dict[str, Any] = {
        "parties": {
            "employer": {
                "business_id": str(order.get("employer_id", "")),
                "legal_name": employer.get("legal_name", ""),
                "address": typed["employer_address"],
            },
            "worker": {
                "worker_id": typed["worker_id"],
                "full_name": worker.get("full_name") or "",
                "address": typed["worker_address"],
                "nationality": worker.get("nationality") or "",
            },
            "recruiters": [
                {
                    "business_id": str(me.get("business_id") or ""),
                    "legal_name": agency.get("legal_name", ""),
                    "role": "origin_agency",
                    "country": agency.get("country", ""),
                }
            ],
        },
        "workplace": {
            "address": typed["workplace_address"],
            "city": typed["workplace_city"],
            "country": order.get("destination_country", ""),
        },
        "job": {
            "title": position.get("title", ""),
            "occupation": position.get("occupation", ""),
            "description": typed["job_description"],
            "sector": order.get("sector", ""),
        },
        "period": {
            "departure_date": typed["departure_date"],
            "start_date": typed["start_date"],
            "term": "fixed_period" if duration else "open_ended",
            "duration_months": duration,
            "probation_days": _int(typed["probation_days"] or "0"),
        },
        "pay": {
            "amount": pay_amount if pay_amount is not None else typed["pay_amount"],
            "currency": currency,
            "period": typed["pay_period"],
            "calculation": "basic wage per period",
            "payment_method": typed["payment_method"],
            "overtime_rate_percent": _int(typed["overtime_rate_percent"]),
            "deductions": [],
        },
        "hours": {
            "normal_hours_per_day": _number(typed["hours_per_day"]),
            "normal_hours_per_week": _number(typed["hours_per_week"]),
        },
        "rest": {"weekly_rest_days": _int(typed["weekly_rest_days"])},
        "leave": {
            "paid_annual_leave_days": _int(typed["annual_leave_days"]),
            "sick_leave_days": _int(typed["sick_leave_days"]),
        },
        "food_and_housing": {
            "food": _provision(typed, "food", currency),
            "housing": _provision(typed, "housing", currency),
        },
        "transport": {
            "to_and_from_point_of_hire_paid_by": typed["transport_to_from_paid_by"],
            "at_job_site_paid_by": typed["transport_at_site_paid_by"],
        },
        "medical": {
            "medical_care_paid_by": typed["medical_care_paid_by"],
            "insurance_paid_by": typed["insurance_paid_by"],
            "insurance_description": "health insurance",
        },
        "termination": {
            "grounds": ["gross misconduct"],
            "employer_notice_days": 30,
            "worker_notice_days": 30,
            "worker_may_leave_without_penalty": True,
        },
        "repatriation": {"paid_by": typed["repatriation_paid_by"], "includes_repatriation_of_remains": True},
        "dispute_settlement": {
            "procedure": typed["dispute_procedure"],
            "grievance_contact": {"organisation": "Fairpath worker helpline"},
        },
        "fee_statement": [
            {
                "category": "recruitment_fee",
                "description": "agency service fee",
                "amount": fee_amount,
                "currency": currency,
                "paid_by": typed["fee_paid_by"],
            }
        ],
        "document_custody": {
            "passport_kept_by": typed["passport_kept_by"],
            "identity_documents_kept_by": typed["identity_documents_kept_by"],
        },
        "languages": {
            "worker_language": worker_language,
            "destination_language": typed["destination_language"],
            "prevailing": typed["destination_language"]
            if typed["prevailing_language"] == "destination"
            else worker_language,
        },
    }
    return {"job_order_id": order.get("id", ""), "position_id": position.get("id", ""), "terms": terms}


def amounts_asked(typed: dict[str, str]) -> list[str]:
    """The form's amounts its terms need: the pay, and the allowance or the charge that food or housing comes with
    (each typed in the pay currency's units, e.g. 300 or 300.50)."""
    asked = ["pay_amount"]
    for name in ("food", "housing"):
        kind = typed[f"{name}_provision"]
        if kind == "cash_allowance":
            asked.append(f"{name}_allowance")
        elif kind == "charged_to_worker":
            asked.append(f"{name}_charge")
    return asked


def _provision(typed: dict[str, str], name: str, currency: str) -> dict[str, Any]:
    """Food or housing as the form states it: the provision, and the allowance or the charge it comes with."""
    kind = typed[f"{name}_provision"]
    provided: dict[str, Any] = {"provision": kind}
    if kind == "cash_allowance":
        provided["cash_value"] = minor_units(typed[f"{name}_allowance"], currency)
    if kind == "charged_to_worker":
        provided["monthly_charge"] = minor_units(typed[f"{name}_charge"], currency)
        provided["worker_agrees_to_deduction"] = typed[f"{name}_agreed"] == "yes"
    return provided


async def _business(api: Api, business_id: str) -> dict[str, Any]:
    """A business the agency may read (its own, an employer it recruits for); an empty record otherwise."""
    if not is_uuid(business_id):
        return {}
    try:
        return await api.get(f"/v1/businesses/{segment(business_id)}")
    except ApiRefused as refused:
        if refused.status in (403, 404):
            return {}
        raise


@router.post("/agency/contracts")
async def draft_contract(request: Request) -> Response:
    """The form's two buttons: check (POST /v1/contracts/check, nothing stored) or save the draft."""
    async with visiting(request) as visit:
        _agency(visit)
        form = await checked_form(request, visit)
        typed = _form_values(form, CONTRACT_FIELDS, 2000)
        action = form_text(form, "action", 16)
        choices = _positions(await pages.job_orders(visit.api))
        _ = visit.language.gettext
        if not any(value == typed["position"] for value, _o, _p in choices):
            errors = {"position": [_("Job order and position: choose one of the options.")]}
            return await _contract_form(request, visit, typed, errors=errors, status=422, choices=choices)
        unreadable = [
            name for name in amounts_asked(typed) if minor_units(typed[name], typed["pay_currency"].upper()) is None
        ]
        if unreadable:
            said_of = _("{label}: enter the amount as a number, e.g. 2000 or 2000.50.")
            errors = {name: [said_of.format(label=_(CONTRACT_LABELS[name]))] for name in unreadable}
            return await _contract_form(request, visit, typed, errors=errors, status=422, choices=choices)
        body = await contract_draft(visit.api, visit.me, typed, choices)
        path = "/v1/contracts/check" if action == "check" else "/v1/contracts"
        status, answer = await _posted(visit.api, path, body)
        if status < 300 and action != "check":
            return RedirectResponse(f"{HOME}/contracts/{answer['id']}?done=drafted", status_code=303)
        if status < 300:
            found = {"violations": answer.get("warnings", [])}
            warnings = by_input(found, CONTRACT_FIELD_OF, CONTRACT_LABELS, _)
            return await _contract_form(request, visit, typed, warnings=warnings, passes=True, choices=choices)
        errors = by_input(answer, CONTRACT_FIELD_OF, CONTRACT_LABELS, _)
        return await _contract_form(request, visit, typed, errors=errors, status=status, choices=choices)


async def _contract_page(
    request: Request, visit: Visit, contract_id: str, *, status: int = 200, errors: list[str] | None = None
) -> HTMLResponse:
    if not is_uuid(contract_id):
        raise PageNotFound()
    try:
        found, versions = await pages.contract(visit.api, contract_id)
    except ApiRefused as refused:
        if refused.status in (403, 404):
            raise PageNotFound() from None
        raise
    _ = visit.language.gettext
    said_of = by_input({"violations": found.get("warnings") or []}, CONTRACT_FIELD_OF, CONTRACT_LABELS, _)
    return render(
        request,
        "agency_contract.html",
        status=status,
        visit=visit,
        contract=found,
        versions=versions,
        warnings=[message for messages in said_of.values() for message in messages],
        errors=errors or [],
        notice=request.query_params.get("done", "") if status == 200 else "",
    )


@router.get("/agency/contracts/{contract_id}")
async def contract(request: Request, contract_id: str) -> Response:
    async with visiting(request) as visit:
        _agency(visit)
        return await _contract_page(request, visit, contract_id)


@router.post("/agency/contracts/{contract_id}/issue")
async def issue_contract(request: Request, contract_id: str) -> Response:
    """Issue the draft to the worker: the API refuses (409) when a party is not in good standing or it is too
    late before departure; the page says why."""
    async with visiting(request) as visit:
        _agency(visit)
        await checked_form(request, visit)
        if not is_uuid(contract_id):
            raise PageNotFound()
        status, answer = await _posted(visit.api, f"/v1/contracts/{segment(contract_id)}/issue")
        if status < 300:
            return RedirectResponse(f"{HOME}/contracts/{contract_id}?done=issued", status_code=303)
        said_of = by_input(answer, CONTRACT_FIELD_OF, CONTRACT_LABELS, visit.language.gettext)
        reasons = [m for messages in said_of.values() for m in messages]
        return await _contract_page(request, visit, contract_id, status=status, errors=reasons)


@router.get("/agency/contracts/{contract_id}/document")
async def contract_document(request: Request, contract_id: str) -> Response:
    """The contract's bilingual document as the API renders it, shown in a sandbox (as the employer's page does)."""
    async with visiting(request) as visit:
        _agency(visit)
        if not is_uuid(contract_id):
            raise PageNotFound()
        answer = await pages.contract_document(visit.api, contract_id, None)
        if answer.status_code != 200:
            raise PageNotFound()
        headers = HEADERS | {
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"
        }
        return HTMLResponse(answer.content, headers=headers)
