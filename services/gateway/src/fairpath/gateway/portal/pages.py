"""What each page shows, fetched through the gateway's own API in this process, with the caller's credentials:
the same authentication, rate limits, tenancy and audit apply, so a page never shows what the API would refuse.
Nothing here reads a table of another service (or of the accounts domain) directly."""

import re
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx
from starlette.requests import Request

from fairpath.gateway.accounts.context import Accounts
from fairpath.gateway.portal.i18n import N_
from fairpath.gateway.protection.addresses import client_of

# Each page asks for at most this many rows of a list (the API's own page size limit applies too).
LIST_LIMIT = 50
# A worker's fee reports: the pages of the list a page follows at most (LIST_LIMIT rows each).
FEE_PAGES = 4
ANSWERS = ("compliant", "non_compliant", "not_applicable")


class ApiRefused(Exception):
    """The API answered a page's call with an error the page does not show as data."""

    def __init__(self, status: int, problem: dict[str, Any]) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.problem = problem


@dataclass
class Api:
    """The gateway's API, called in this process as the page's caller (an access token of their session, or
    nobody for the public pages), from the caller's address so that its rate limit is theirs."""

    client: httpx.AsyncClient

    @classmethod
    def for_request(cls, request: Request, access_token: str | None = None) -> "Api":
        headers = {"Authorization": f"Bearer {access_token}"} if access_token else {}
        transport = httpx.ASGITransport(app=request.app, client=(client_of(request.scope), 0))
        return cls(httpx.AsyncClient(transport=transport, base_url="http://gateway.portal", headers=headers))

    @classmethod
    def as_session(cls, request: Request, user_id: uuid.UUID, user_session_id: uuid.UUID) -> "Api":
        accounts: Accounts = request.app.state.accounts
        return cls.for_request(request, accounts.tokens.issue(user_id, user_session_id))

    async def close(self) -> None:
        await self.client.aclose()

    async def get(self, path: str, **params: Any) -> Any:
        response = await self.client.get(path, params={k: v for k, v in params.items() if v is not None})
        return _json_or_refused(response)

    async def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.client.post(path, **kwargs)

    async def items(self, path: str, **params: Any) -> list[dict[str, Any]]:
        return (await self.get(path, limit=LIST_LIMIT, **params)).get("items", [])


def _json_or_refused(response: httpx.Response) -> Any:
    if response.status_code >= 400:
        try:
            problem = response.json()
        except ValueError:
            problem = {}
        raise ApiRefused(response.status_code, problem if isinstance(problem, dict) else {})
    return response.json()


# --- who is signed in ---------------------------------------------------------------------------


async def who_am_i(api: Api) -> dict[str, Any]:
    return await api.get("/v1/me")


# --- the employer's pages -------------------------------------------------------------------------


@dataclass
class BusinessPage:
    business: dict[str, Any]
    licences: list[dict[str, Any]] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    # The vetting decisions on the business, newest first: decision, reasons, conditions, deadline, when.
    decisions: list[dict[str, Any]] = field(default_factory=list)
    # The self-assessment's questions (IRIS principles), in the question set's order.
    questions: list[dict[str, Any]] = field(default_factory=list)
    # The answers of the latest self-assessment, by question ({"answer", "evidence"}), and when they were given.
    answered: dict[str, dict[str, str]] = field(default_factory=dict)
    answered_at: str | None = None

    @property
    def licence_needed(self) -> bool:
        """Whether vetting asks this business for an operating licence (it says so: `licence_required`)."""
        return bool(self.business.get("licence_required", True))

    @property
    def last_decision(self) -> dict[str, Any] | None:
        return self.decisions[0] if self.decisions else None

    @property
    def open_findings(self) -> list[dict[str, Any]]:
        """What stands against the business now: why it is suspended, when it is."""
        return [f for f in self.findings if f.get("status") == "open"]


async def business_page(api: Api, business_id: str) -> BusinessPage:
    business = await api.get(f"/v1/businesses/{segment(business_id)}")
    page = BusinessPage(business=business)
    page.licences = await optional_items(api, f"/v1/businesses/{segment(business_id)}/licences")
    page.findings = await optional_items(api, f"/v1/businesses/{segment(business_id)}/findings")
    page.decisions = await optional_items(api, f"/v1/businesses/{segment(business_id)}/decisions")
    page.questions = await assessment_questions(api)
    latest = await optional_items(api, f"/v1/businesses/{segment(business_id)}/assessments", limit=1)
    if latest:
        page.answered = {
            a["question_id"]: {"answer": a["answer"], "evidence": a.get("evidence") or ""} for a in latest[0]["answers"]
        }
        page.answered_at = latest[0]["submitted_at"]
    # What vetting holds against it for want of a record: a licence, or self-assessment answers.
    open_kinds = {f.get("kind") for f in page.open_findings}
    licence_findings = {"licence_missing", "licence_expired", "licence_not_in_register"}
    if page.licence_needed and (not page.licences or open_kinds & licence_findings):
        page.missing.append("licence")
    if "self_assessment_non_compliant" in open_kinds:
        page.missing.append("self_assessment")
    return page


async def optional_items(api: Api, path: str, **params: Any) -> list[dict[str, Any]]:
    """A list the page shows when the caller may read it (a 403 or 404 leaves it out, as the API decides)."""
    try:
        found = await api.get(path, **params)
    except ApiRefused as refused:
        if refused.status in (403, 404, 405):
            return []
        raise
    if isinstance(found, dict):
        return found.get("items", [])
    return found if isinstance(found, list) else []


@dataclass
class Submitted:
    """What the API said to a form's request: done, or the rules it broke (by field), or another refusal."""

    done: bool
    violations: dict[str, str] = field(default_factory=dict)
    status: int = 200
    # The API's violations as it gave them (field, rule, message), for a form that places them itself.
    raw: list[dict[str, Any]] = field(default_factory=list)


async def _submit(api: Api, path: str, body: dict[str, Any]) -> Submitted:
    response = await api.post(path, json=body)
    if response.status_code < 300:
        return Submitted(done=True, status=response.status_code)
    problem = refused_problem(response)
    if response.status_code == 422:
        violations = {
            str(v.get("field", "")).split(".")[-1] or "form": str(v.get("message") or v.get("rule") or "")
            for v in problem.get("violations", [])
            if isinstance(v, dict)
        }
        raw = [v for v in problem.get("violations", []) if isinstance(v, dict)]
        return Submitted(
            done=False, violations=violations or {"form": str(problem.get("detail", ""))}, status=422, raw=raw
        )
    if response.status_code in (409,):
        return Submitted(done=False, violations={"form": str(problem.get("detail", ""))}, status=409)
    raise ApiRefused(response.status_code, problem)


def refused_problem(response: httpx.Response) -> dict[str, Any]:
    try:
        problem = response.json()
    except ValueError:
        return {}
    return problem if isinstance(problem, dict) else {}


def problem_name(problem: dict[str, Any]) -> str:
    """The name of an API problem's type (`not_issued` of `urn:fairpath:problem:not_issued`), "" when none."""
    kind = problem.get("type", "")
    return kind.rsplit(":", 1)[-1] if isinstance(kind, str) else ""


async def add_licence(api: Api, business_id: str, licence: dict[str, str]) -> Submitted:
    """Record an operating licence of the caller's business (vetting checks it against the register)."""
    return await _submit(api, f"/v1/businesses/{segment(business_id)}/licences", licence)


async def assessment_questions(api: Api) -> list[dict[str, Any]]:
    """The self-assessment's questions (the API's IRIS-derived set); none when it cannot be read."""
    try:
        found = await api.get("/v1/assessment-questions")
    except ApiRefused as refused:
        if refused.status in (403, 404):
            return []
        raise
    questions = found.get("questions", []) if isinstance(found, dict) else []
    return [q for q in questions if isinstance(q, dict) and isinstance(q.get("id"), str)]


_UNANSWERED = re.compile(r"question (\S+) is not answered")


async def submit_assessment(api: Api, business_id: str, answers: list[dict[str, str]], asked: list[str]) -> Submitted:
    """The business's self-assessment: the answers given (the API names each question left unanswered). The rules
    broken come back by question id (`A1`), so the page shows each next to its question; `form` for the rest."""
    submitted = await _submit(api, f"/v1/businesses/{segment(business_id)}/assessments", {"answers": answers})
    if submitted.done or submitted.status != 422:
        return submitted
    response_violations = submitted.raw or []
    by_question: dict[str, str] = {}
    for violation in response_violations:
        where = str(violation.get("field", "")).split(".")
        message = str(violation.get("message") or violation.get("rule") or "")
        unanswered = _UNANSWERED.fullmatch(message)
        if unanswered and unanswered.group(1) in asked:
            by_question.setdefault(unanswered.group(1), "Choose an answer.")
        elif len(where) >= 2 and where[0] == "answers" and where[1].isdigit() and int(where[1]) < len(answers):
            qid = answers[int(where[1])]["question_id"]
            by_question.setdefault(qid, f"{where[-1]}: {message}" if len(where) > 2 else message)
        else:
            by_question.setdefault("form", message)
    return Submitted(done=False, violations=by_question or submitted.violations, status=422)


async def job_orders(api: Api) -> list[dict[str, Any]]:
    return await api.items("/v1/job-orders")


async def contracts(api: Api, status: str | None = None) -> list[dict[str, Any]]:
    return await api.items("/v1/contracts", status=status)


async def contract(api: Api, contract_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    found = await api.get(f"/v1/contracts/{segment(contract_id)}")
    versions = await optional_items(api, f"/v1/contracts/{segment(contract_id)}/versions")
    return found, versions


async def contract_document(api: Api, contract_id: str, lang: str | None, *, pdf: bool = False) -> httpx.Response:
    """The contract's document as the API draws it: the PDF (its fonts inside, so every script reads on any device)
    or the HTML page."""
    params = {"format": "pdf" if pdf else "html", **({"lang": lang} if lang else {})}
    return await api.client.get(f"/v1/contracts/{segment(contract_id)}/document", params=params)


# Why a signature was not recorded, in the worker's words (the API's problem types are the keys).
SIGNING_REFUSALS = {
    "not_issued": N_(
        "This contract is not waiting for your signature: only a contract issued to you, and not signed yet, "
        "can be signed."
    ),
    "departure_passed": N_(
        "It is too late to sign this contract: a contract is signed before departure. Ask your agency what "
        "happens now, or file a grievance."
    ),
    "version_mismatch": N_(
        "The contract changed after you opened it. Read the version shown now, and sign it only if you agree."
    ),
    "party_not_in_good_standing": N_(
        "This contract cannot be signed now: the employer or the recruitment agency has not passed the checks "
        "on it. Do not pay anything or travel on this contract; file a grievance if you need help."
    ),
}
SIGNING_REFUSED = N_("Your signature was not recorded. Open the contract again and try once more.")


async def sign_contract(api: Api, contract_id: str, version: int) -> Submitted:
    """The worker signs the version they read, here and now (an electronic signature): done, or why not in the
    worker's words (`form`: a message of the catalogues, never the API's own text)."""
    response = await api.post(
        f"/v1/contracts/{segment(contract_id)}/sign", json={"version": version, "method": "electronic"}
    )
    if response.status_code < 300:
        return Submitted(done=True, status=response.status_code)
    problem = refused_problem(response)
    if response.status_code in (409, 422):
        why = SIGNING_REFUSALS.get(problem_name(problem), SIGNING_REFUSED)
        return Submitted(done=False, violations={"form": why}, status=response.status_code)
    raise ApiRefused(response.status_code, problem)


async def grievances(api: Api, business_id: str | None = None) -> list[dict[str, Any]]:
    return await api.items("/v1/grievances", business_id=business_id)


# --- the worker's pages ---------------------------------------------------------------------------


async def fee_reports(api: Api, worker_id: str) -> list[dict[str, Any]]:
    """The worker's own fee reports, oldest first (`GET /v1/workers/{id}/fees`, page after page, at most
    FEE_PAGES of them)."""
    found: list[dict[str, Any]] = []
    cursor = None
    for _ in range(FEE_PAGES):
        listed = await api.get(f"/v1/workers/{segment(worker_id)}/fees", limit=LIST_LIMIT, cursor=cursor)
        found += listed.get("items", []) if isinstance(listed, dict) else []
        cursor = listed.get("next_cursor") if isinstance(listed, dict) else None
        if not cursor:
            break
    return found


async def report_fee(api: Api, worker_id: str, fee: dict[str, Any]) -> Submitted:
    """A fee the worker paid (or had deducted): any amount a worker paid is a finding against who took it."""
    return await _submit(api, f"/v1/workers/{segment(worker_id)}/fees", fee)


async def file_grievance(api: Api, worker_id: str, grievance: dict[str, Any]) -> Submitted:
    """A worker's own grievance, through the channel that does not pass through their agency."""
    return await _submit(api, f"/v1/workers/{segment(worker_id)}/grievances", grievance)


# --- the worker's journey: offers, check-ins, the return home --------------------------------------------


# The words of the API's statuses a worker's journey shows.
OFFER_STATUSES = {
    "pending": N_("waiting for your answer"),
    "accepted": N_("accepted"),
    "declined": N_("declined"),
    "withdrawn": N_("withdrawn"),
}
CHECK_IN_STATUSES = {
    "scheduled": N_("not due yet"),
    "due": N_("due today"),
    "overdue": N_("waiting for your answers"),
    "answered": N_("answered"),
}
# The check-in's questions, each answered yes or no, in the order the form asks them.
CHECK_IN_QUESTIONS = {
    "paid_in_full_and_on_time": N_("Were you paid in full and on time?"),
    "passport_in_hand": N_("Do you have your passport with you?"),
    "contract_is_the_one_signed": N_("Is the contract you work under the one you signed?"),
    "paid_any_fee": N_("Did you pay any fee for this job, or was one taken from your wages?"),
    "want_to_talk": N_("Do you want someone from the operator to contact you?"),
}
# Why an answer was not recorded, in the worker's words (the API's problem types are the keys).
JOURNEY_REFUSALS = {
    "offer_not_pending": N_("This offer is no longer open: it was answered already, or it was withdrawn."),
    "check_in_not_due": N_("This check-in is not due yet: you can answer it from its date."),
    "check_in_answered": N_("You answered this check-in already."),
    "return_already_recorded": N_("You confirmed already that you got home."),
    "contract_not_ended": N_("Your contract has not ended yet: confirm that you got home after it ends."),
}
JOURNEY_REFUSED = N_("Your answer was not recorded. Open the page again and try once more.")


async def journey(api: Api, worker_id: str) -> dict[str, Any]:
    """The worker's journey as the registry keeps it: offers, check-ins, returns home, next-season invitations."""
    return await api.get(f"/v1/workers/{segment(worker_id)}/journey")


async def _answer(api: Api, path: str, body: dict[str, Any] | None = None) -> Submitted:
    """An answer of the worker's: done, or why not in the worker's words (`form`: a message of the catalogues)."""
    response = await api.post(path, json=body) if body is not None else await api.post(path)
    if response.status_code < 300:
        return Submitted(done=True, status=response.status_code)
    problem = refused_problem(response)
    if response.status_code in (409, 422):
        why = JOURNEY_REFUSALS.get(problem_name(problem), JOURNEY_REFUSED)
        return Submitted(done=False, violations={"form": why}, status=response.status_code)
    raise ApiRefused(response.status_code, problem)


async def answer_offer(api: Api, offer_id: str, *, accept: bool) -> Submitted:
    """The worker accepts or declines an offer made to them."""
    return await _answer(api, f"/v1/offers/{segment(offer_id)}/{'accept' if accept else 'decline'}")


async def answer_check_in(api: Api, check_in_id: str, answers: dict[str, Any]) -> Submitted:
    """The worker's answers to a check-in (a worrying one files a confidential grievance for an officer)."""
    return await _answer(api, f"/v1/check-ins/{segment(check_in_id)}/answers", answers)


async def confirm_home(api: Api, contract_id: str) -> Submitted:
    """The worker's own word that they got home at the contract's end."""
    return await _answer(api, f"/v1/contracts/{segment(contract_id)}/return", {"confirmed_home": True})


# --- the public check of a contract document --------------------------------------------------------


# What a printed document is worth now, in a sentence per verdict (the API's, which it gives in English).
VERDICTS = {
    "terminated": N_("The contract was terminated: this document no longer binds anyone."),
    "completed": N_("The contract was completed: this document no longer binds anyone."),
    "superseded": N_("This version was replaced by a later one: it is not the contract."),
    "not_signed": N_("This version has not been signed (yet): it is not a signed contract."),
    "disputed": N_(
        "This is the signed version, but the terms found on arrival differ from it: a substitution finding is "
        "under review."
    ),
    "current_signed": N_("This is the signed version of a contract in force."),
}


async def verify_contract(api: Api, code: str) -> dict[str, Any] | None:
    """The verdict on a printed code, or None when no document carries it."""
    try:
        return await api.get(f"/v1/verify/contracts/{segment(code)}")
    except ApiRefused as refused:
        if refused.status in (404, 422):
            return None
        raise


def segment(value: str) -> str:
    """A value as one path segment: it cannot reach another path of the API."""
    return quote(value, safe="")
