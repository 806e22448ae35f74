"""The partner portal's own pages: sign-in and sign-out, the employer's and the worker's pages, and the public
check of a contract's code. Thin: the session rules live in sessions.py, what each page shows in pages.py, how a
page is made in web.py. Not in the OpenAPI document (these are pages, not the API), and not taken by the
forwarding, which only takes paths a service owns."""

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from fairpath.gateway.accounts.context import Accounts
from fairpath.gateway.portal import pages, plain
from fairpath.gateway.portal.i18n import (
    FEE_CATEGORIES,
    LANGUAGES,
    N_,
    PAYMENT_METHODS,
)
from fairpath.gateway.portal.pages import Api, ApiRefused, Submitted
from fairpath.gateway.portal.sessions import (
    CSRF_FIELD,
    SESSION_COOKIE,
    SIGN_IN_COOKIE,
    tokens_match,
)
from fairpath.gateway.portal.web import (
    CONTRACT_STATUSES,
    HEADERS,
    PREFIX,
    ROLE_PAGES,
    CsrfRefused,
    PageNotFound,
    Visit,
    checked_form,
    chosen_language,
    end_accounts_session,
    form_text,
    is_uuid,
    minor_units,
    portal_sessions,
    remember_language,
    render,
    require_role,
    visiting,
)

router = APIRouter(prefix=PREFIX, include_in_schema=False)
LICENCE_FIELDS = ("number", "authority", "country", "valid_from", "valid_until")
# The pages each role has, in the order of the navigation: (path, label).
ROLE_PAGES.update(
    {
        "employer": [
            (f"{PREFIX}/business", "Business and vetting"),
            (f"{PREFIX}/job-orders", "Job orders"),
            (f"{PREFIX}/contracts", "Contracts"),
            (f"{PREFIX}/grievances", "Grievances"),
        ],
        "worker": [
            (f"{PREFIX}/journey", N_("My journey")),
            (f"{PREFIX}/contracts", "My contracts"),
            (f"{PREFIX}/fees", "My fee reports"),
            (f"{PREFIX}/grievances", "My grievances"),
        ],
    }
)


# --- sign-in and sign-out --------------------------------------------------------------------------


@router.get("")
async def portal_root() -> RedirectResponse:
    return RedirectResponse(f"{PREFIX}/", status_code=302)


@router.get("/sign-in")
async def sign_in_form(request: Request) -> Response:
    return _sign_in_page(request, "sign_in.html", ended=request.query_params.get("ended") == "1")


def _sign_in_page(request: Request, template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    """A sign-in step with its form token, in the form and in the sign-in cookie (double submit)."""
    sessions = portal_sessions(request)
    token = sessions.form_token(request)
    # The language switch is on the sign-in page too: a worker chooses theirs before signing in, and keeps it.
    shown = chosen_language(request)
    response = render(request, template, status=status, lang=shown, form_token=token, choose_language=True, **context)
    sessions.set_sign_in_cookie(response, token)
    return remember_language(request, response, None)


@router.post("/sign-in")
async def sign_in(request: Request) -> Response:
    sessions = portal_sessions(request)
    form = await request.form()
    form_token = request.cookies.get(SIGN_IN_COOKIE)
    if not tokens_match(form_token, form_text(form, CSRF_FIELD)):
        raise CsrfRefused()
    username = form_text(form, "username", 200).strip()
    password = form_text(form, "password")
    totp = form_text(form, "totp", 64).strip().replace(" ", "")
    sealed = form_text(form, "sealed", 2000)
    if sealed:
        password = sessions.open_password(sealed, username=username, form_token=form_token or "") or ""
    if not username or not password:
        return _sign_in_page(request, "sign_in.html", error="missing", username=username, status=400)

    api = Api.for_request(request)
    try:
        answer = await api.post(
            "/v1/auth/token", data={"username": username, "password": password, **({"totp": totp} if totp else {})}
        )
    finally:
        await api.close()
    if answer.status_code == 200:
        return await _signed_in(request, answer.json()["access_token"])
    problem = _problem_name(answer)
    if problem == "second_factor_required" or (problem == "second_factor_refused" and sealed):
        sealed_again = sessions.seal_password(password, username=username, form_token=form_token or "")
        return _sign_in_page(
            request,
            "sign_in_totp.html",
            status=401,
            username=username,
            sealed=sealed_again,
            refused=problem == "second_factor_refused",
        )
    if answer.status_code == 429:
        return _sign_in_page(request, "sign_in.html", error="throttled", username=username, status=429)
    return _sign_in_page(request, "sign_in.html", error="refused", username=username, status=401)


def _problem_name(response: Any) -> str:
    try:
        problem = response.json()
    except ValueError:
        return ""
    return pages.problem_name(problem) if isinstance(problem, dict) else ""


async def _signed_in(request: Request, access_token: str) -> Response:
    """A new portal session for the accounts session the sign-in opened; the one before it (if any) ends."""
    sessions = portal_sessions(request)
    accounts: Accounts = request.app.state.accounts
    claims = accounts.tokens.verify(access_token)
    live, expired = await sessions.find(request.cookies.get(SESSION_COOKIE))
    for previous in (live, expired):
        if previous is not None:
            await sessions.forget(previous.digest)
            await end_accounts_session(request, previous)
    token = await sessions.start(claims.session_id)
    response = RedirectResponse(f"{PREFIX}/", status_code=303)
    sessions.set_cookie(response, token)
    sessions.clear_sign_in_cookie(response)
    return response


@router.post("/sign-out")
async def sign_out(request: Request) -> Response:
    sessions = portal_sessions(request)
    async with visiting(request) as visit:
        await checked_form(request, visit)
        await visit.api.post("/v1/auth/logout")
        await sessions.forget(visit.session.digest)
    response = RedirectResponse(f"{PREFIX}/sign-in", status_code=303)
    sessions.clear_cookie(response)
    return response


# --- pages of every role ---------------------------------------------------------------------------


@router.get("/")
async def home(request: Request) -> Response:
    async with visiting(request) as visit:
        return remember_language(request, render(request, "home.html", visit=visit), visit)


# --- the employer's and the worker's pages --------------------------------------------------------------


@router.get("/business")
async def business(request: Request) -> Response:
    async with visiting(request) as visit:
        require_role(visit, "employer")
        business_id = visit.me.get("business_id")
        page = await pages.business_page(visit.api, str(business_id)) if business_id else None
        added = request.query_params.get("added")
        return _business_page(request, visit, page, added=added if added in ("licence", "assessment") else None)


def _business_page(
    request: Request, visit: Visit, page: pages.BusinessPage | None, *, status: int = 200, **form: Any
) -> HTMLResponse:
    """The employer's business page. A licence is asked for only of a business vetting asks one of (a recruitment
    agency: an employer needs none, and vetting holds nothing against it for want of one)."""
    licence_needed = page is not None and page.licence_needed
    # The questionnaire shows the answers given last time, to change what needs changing.
    answered = page.answered if page is not None else {}
    defaults = {"licence": {}, "errors": {}, "added": None, "assessment": answered, "assessment_errors": {}}
    return render(
        request,
        "business.html",
        status=status,
        visit=visit,
        page=page,
        licence_needed=licence_needed,
        answers=pages.ANSWERS,
        **(defaults | form),
    )


@router.post("/business/licences")
async def add_licence(request: Request) -> Response:
    """The form of what is missing: an operating licence of the employer's business."""
    async with visiting(request) as visit:
        require_role(visit, "employer")
        form = await checked_form(request, visit)
        business_id = visit.me.get("business_id")
        if not business_id:
            raise PageNotFound()
        licence = {name: form_text(form, name, 200).strip() for name in LICENCE_FIELDS}
        licence["country"] = licence["country"].upper()
        submitted = await pages.add_licence(visit.api, str(business_id), licence)
        if submitted.done:
            return RedirectResponse(f"{PREFIX}/business?added=licence", status_code=303)
        page = await pages.business_page(visit.api, str(business_id))
        return _business_page(
            request, visit, page, status=submitted.status, licence=licence, errors=_licence_errors(submitted, visit)
        )


def _licence_errors(submitted: Submitted, visit: Visit) -> dict[str, str]:
    """What the API refused of a licence, by the form's input, in plain words (the page names the input by its
    label in the summary, and shows the words next to it)."""
    errors: dict[str, str] = {}
    for violation in submitted.raw:
        name = str(violation.get("field", "")).split(".")[0]
        errors.setdefault(
            name if name in LICENCE_FIELDS else "form", plain.said(violation, None, visit.language.gettext)
        )
    return errors or submitted.violations


@router.post("/business/assessments")
async def submit_assessment(request: Request) -> Response:
    """The form of what is missing: the business's self-assessment, an answer (and its evidence) per question."""
    async with visiting(request) as visit:
        require_role(visit, "employer")
        form = await checked_form(request, visit)
        business_id = visit.me.get("business_id")
        if not business_id:
            raise PageNotFound()
        questions = await pages.assessment_questions(visit.api)
        asked = [q["id"] for q in questions]
        typed = {
            qid: {
                "answer": form_text(form, f"answer_{qid}", 32),
                "evidence": form_text(form, f"evidence_{qid}", 4000).strip(),
            }
            for qid in asked
        }
        errors: dict[str, str] = {
            qid: "Choose one of the answers."
            for qid, given in typed.items()
            if given["answer"] not in ("", *pages.ANSWERS)
        }
        answers = [
            {
                "question_id": qid,
                "answer": given["answer"],
                **({"evidence": given["evidence"]} if given["evidence"] else {}),
            }
            for qid, given in typed.items()
            if given["answer"] in pages.ANSWERS
        ]
        submitted = (
            Submitted(done=False, violations=errors, status=422)
            if errors
            else await pages.submit_assessment(visit.api, str(business_id), answers, asked)
        )
        if submitted.done:
            return RedirectResponse(f"{PREFIX}/business?added=assessment#assessment", status_code=303)
        page = await pages.business_page(visit.api, str(business_id))
        return _business_page(
            request, visit, page, status=submitted.status, assessment=typed, assessment_errors=submitted.violations
        )


@router.get("/job-orders")
async def job_orders(request: Request) -> Response:
    async with visiting(request) as visit:
        require_role(visit, "employer")
        return render(request, "job_orders.html", visit=visit, job_orders=await pages.job_orders(visit.api))


@router.get("/contracts")
async def contracts(request: Request) -> Response:
    async with visiting(request) as visit:
        if visit.role not in ("employer", "worker"):
            raise PageNotFound()
        status = request.query_params.get("status")
        status = status if status in CONTRACT_STATUSES else None
        found = await pages.contracts(visit.api, status)
        response = render(
            request, "contracts.html", visit=visit, contracts=found, chosen=status, statuses=CONTRACT_STATUSES
        )
        return remember_language(request, response, visit)


@router.get("/contracts/{contract_id}")
async def contract(request: Request, contract_id: str) -> Response:
    async with visiting(request) as visit:
        if visit.role not in ("employer", "worker") or not is_uuid(contract_id):
            raise PageNotFound()
        signed = visit.role == "worker" and request.query_params.get("signed") == "1"
        response = await _contract_page(request, visit, contract_id, signed=signed)
        return remember_language(request, response, visit)


async def _contract_page(
    request: Request, visit: Visit, contract_id: str, *, status: int = 200, signed: bool = False, refusal: str = ""
) -> HTMLResponse:
    try:
        found, versions = await pages.contract(visit.api, contract_id)
    except ApiRefused as refused:
        if refused.status in (403, 404):
            raise PageNotFound() from None
        raise
    return render(
        request,
        "contract.html",
        status=status,
        visit=visit,
        contract=found,
        versions=versions,
        signed=signed,
        refusal=refusal,
    )


@router.post("/contracts/{contract_id}/sign")
async def sign_contract(request: Request, contract_id: str) -> Response:
    """The worker signs the issued version they read (its number comes with the form): the page shows the
    contract signed, or why the signature was not recorded, in the worker's words."""
    async with visiting(request) as visit:
        require_role(visit, "worker")
        form = await checked_form(request, visit)
        if not is_uuid(contract_id):
            raise PageNotFound()
        version = form_text(form, "version", 8)
        submitted = (
            await pages.sign_contract(visit.api, contract_id, int(version))
            if version.isdigit()
            else Submitted(done=False, violations={"form": pages.SIGNING_REFUSED}, status=422)
        )
        if submitted.done:
            return RedirectResponse(f"{PREFIX}/contracts/{contract_id}?signed=1", status_code=303)
        refusal = submitted.violations.get("form", pages.SIGNING_REFUSED)
        return await _contract_page(request, visit, contract_id, status=submitted.status, refusal=refusal)


@router.get("/contracts/{contract_id}/document")
async def contract_document(request: Request, contract_id: str) -> Response:
    """The contract's bilingual document (as the API renders it), in the worker's language or another one: the PDF
    (`?format=pdf`, its fonts inside: a phone without a Devanagari or Bengali font reads it too) or the HTML page."""
    async with visiting(request) as visit:
        if visit.role not in ("employer", "worker") or not is_uuid(contract_id):
            raise PageNotFound()
        lang = request.query_params.get("lang")
        pdf = request.query_params.get("format") == "pdf"
        answer = await pages.contract_document(visit.api, contract_id, lang if lang in LANGUAGES else None, pdf=pdf)
        if answer.status_code != 200:
            raise PageNotFound()
        if pdf:
            disposition = f'inline; filename="contract-{contract_id}.pdf"'
            return Response(
                answer.content,
                media_type="application/pdf",
                headers=HEADERS | {"Content-Disposition": disposition},
            )
        # The document is the API's own HTML: shown as it is, in a sandbox (no script, no form, no navigation).
        headers = HEADERS | {
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"
        }
        return HTMLResponse(answer.content, headers=headers)


@router.get("/grievances")
async def grievances(request: Request) -> Response:
    async with visiting(request) as visit:
        if visit.role not in ("employer", "worker"):
            raise PageNotFound()
        found = await pages.grievances(visit.api)
        filed = request.query_params.get("filed") == "1"
        response = render(request, "grievances.html", visit=visit, grievances=found, filed=filed)
        return remember_language(request, response, visit)


@router.get("/grievances/new")
async def grievance_form(request: Request) -> Response:
    async with visiting(request) as visit:
        require_role(visit, "worker")
        found = await pages.contracts(visit.api)
        response = render(request, "grievance_new.html", visit=visit, contracts=found, grievance={}, errors={})
        return remember_language(request, response, visit)


@router.post("/grievances")
async def file_grievance(request: Request) -> Response:
    """A worker files a grievance, choosing whether the employer and the agency may know it was them."""
    async with visiting(request) as visit:
        require_role(visit, "worker")
        form = await checked_form(request, visit)
        worker_id = visit.me.get("worker_id")
        if not worker_id:
            raise PageNotFound()
        mine = await pages.contracts(visit.api)
        about = next((c for c in mine if c["id"] == form_text(form, "contract_id", 64)), None)
        grievance = {
            "description": form_text(form, "description", 10_000),
            "anonymous": form_text(form, "anonymous", 8) == "yes",
            "language": visit.language.code,
            **({"contract_id": about["id"], "business_id": about["employer_id"]} if about else {}),
        }
        submitted = await pages.file_grievance(visit.api, str(worker_id), grievance)
        if submitted.done:
            return RedirectResponse(f"{PREFIX}/grievances?filed=1", status_code=303)
        return render(
            request,
            "grievance_new.html",
            status=submitted.status,
            visit=visit,
            contracts=mine,
            grievance=grievance | {"contract_id": about["id"] if about else ""},
            errors=submitted.violations,
        )


@router.get("/fees")
async def fees(request: Request) -> Response:
    async with visiting(request) as visit:
        require_role(visit, "worker")
        worker_id = visit.me.get("worker_id")
        found = await pages.fee_reports(visit.api, str(worker_id)) if worker_id else []
        reported = request.query_params.get("reported") == "1"
        response = render(request, "fees.html", visit=visit, fees=found, reported=reported, categories=FEE_CATEGORIES)
        return remember_language(request, response, visit)


@router.get("/fees/new")
async def fee_form(request: Request) -> Response:
    async with visiting(request) as visit:
        require_role(visit, "worker")
        response = render(request, "fee_new.html", visit=visit, **_fee_form_context({}, {}))
        return remember_language(request, response, visit)


def _fee_form_context(fee: dict[str, str], errors: dict[str, str]) -> dict[str, Any]:
    return {"fee": fee, "errors": errors, "categories": FEE_CATEGORIES, "methods": PAYMENT_METHODS}


@router.post("/fees")
async def report_fee(request: Request) -> Response:
    """A worker reports a fee they paid: the amount as they would write it, in the currency's own units."""
    async with visiting(request) as visit:
        require_role(visit, "worker")
        form = await checked_form(request, visit)
        worker_id = visit.me.get("worker_id")
        if not worker_id:
            raise PageNotFound()
        typed = {
            name: form_text(form, name, 64).strip()
            for name in ("category", "amount", "currency", "payment_method", "paid_on")
        }
        typed["currency"] = typed["currency"].upper()
        minor = minor_units(typed["amount"], typed["currency"])
        if minor is None:
            submitted = Submitted(
                done=False,
                violations={"amount": visit.language.gettext("Enter the amount as a number, e.g. 1500 or 1500.50.")},
                status=422,
            )
        else:
            body = {
                "category": typed["category"],
                "amount_minor": minor,
                "currency": typed["currency"],
                "payment_method": typed["payment_method"],
                **({"paid_on": typed["paid_on"]} if typed["paid_on"] else {}),
            }
            submitted = await pages.report_fee(visit.api, str(worker_id), body)
        if submitted.done:
            return RedirectResponse(f"{PREFIX}/fees?reported=1", status_code=303)
        return render(
            request,
            "fee_new.html",
            status=submitted.status,
            visit=visit,
            **_fee_form_context(typed, submitted.violations),
        )


# --- the worker's journey: offers, check-ins, the return home ------------------------------------------

# What the journey page confirms after a form (`?done=`), in the worker's words.
JOURNEY_DONE = {
    "accepted": N_(
        "You accepted the offer. The recruiter can now prepare your contract: read it carefully before you sign."
    ),
    "declined": N_("You declined the offer."),
    "check_in": N_(
        "Thank you: your answers were recorded. If something is wrong, a compliance officer will contact you."
    ),
    "home": N_("Your return home is recorded. Welcome home."),
}
ENDED = ("completed", "terminated")
CHOOSE_YES_OR_NO = N_("Choose yes or no.")


@router.get("/journey")
async def journey(request: Request) -> Response:
    async with visiting(request) as visit:
        require_role(visit, "worker")
        done = request.query_params.get("done")
        response = await _journey_page(request, visit, done=done if done in JOURNEY_DONE else None)
        return remember_language(request, response, visit)


async def _journey_page(
    request: Request, visit: Visit, *, status: int = 200, done: str | None = None, refusal: str = ""
) -> HTMLResponse:
    """The offers made to the worker (the pending ones to answer), their check-ins (the due ones to answer), the
    contracts that ended with the journey home (to confirm), and the invitations to a next season."""
    worker_id = visit.me.get("worker_id")
    if not worker_id:
        raise PageNotFound()
    found = await pages.journey(visit.api, str(worker_id))
    returns = {r["contract_id"]: r for r in found.get("returns", [])}
    ended = [c for c in await pages.contracts(visit.api) if c.get("status") in ENDED]
    return render(
        request,
        "journey.html",
        status=status,
        visit=visit,
        journey=found,
        ended=[(c, returns.get(c["id"])) for c in ended],
        offer_statuses=pages.OFFER_STATUSES,
        check_in_statuses=pages.CHECK_IN_STATUSES,
        done=JOURNEY_DONE.get(done or ""),
        refusal=refusal,
    )


async def _after_answer(request: Request, visit: Visit, submitted: Submitted, done: str) -> Response:
    if submitted.done:
        return RedirectResponse(f"{PREFIX}/journey?done={done}", status_code=303)
    refusal = submitted.violations.get("form", pages.JOURNEY_REFUSED)
    return await _journey_page(request, visit, status=submitted.status, refusal=refusal)


@router.post("/offers/{offer_id}/{answer}")
async def answer_offer(request: Request, offer_id: str, answer: str) -> Response:
    """The worker accepts or declines an offer made to them."""
    async with visiting(request) as visit:
        require_role(visit, "worker")
        await checked_form(request, visit)
        if not is_uuid(offer_id) or answer not in ("accept", "decline"):
            raise PageNotFound()
        submitted = await pages.answer_offer(visit.api, offer_id, accept=answer == "accept")
        return await _after_answer(request, visit, submitted, "accepted" if answer == "accept" else "declined")


@router.post("/returns/{contract_id}")
async def confirm_home(request: Request, contract_id: str) -> Response:
    """The worker confirms they got home at their contract's end."""
    async with visiting(request) as visit:
        require_role(visit, "worker")
        await checked_form(request, visit)
        if not is_uuid(contract_id):
            raise PageNotFound()
        return await _after_answer(request, visit, await pages.confirm_home(visit.api, contract_id), "home")


@router.get("/check-ins/{check_in_id}")
async def check_in_form(request: Request, check_in_id: str) -> Response:
    async with visiting(request) as visit:
        require_role(visit, "worker")
        response = await _check_in_page(request, visit, check_in_id, given={}, errors={})
        return remember_language(request, response, visit)


async def _check_in_page(
    request: Request,
    visit: Visit,
    check_in_id: str,
    *,
    given: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
) -> HTMLResponse:
    """A check-in of the worker's own, with its questions when it is due (one of another worker is not found)."""
    worker_id = visit.me.get("worker_id")
    if not worker_id or not is_uuid(check_in_id):
        raise PageNotFound()
    found = await pages.journey(visit.api, str(worker_id))
    check_in = next((c for c in found.get("check_ins", []) if c["id"] == check_in_id), None)
    if check_in is None:
        raise PageNotFound()
    return render(
        request,
        "check_in.html",
        status=status,
        visit=visit,
        check_in=check_in,
        questions=pages.CHECK_IN_QUESTIONS,
        check_in_statuses=pages.CHECK_IN_STATUSES,
        given=given,
        errors=errors,
    )


@router.post("/check-ins/{check_in_id}")
async def answer_check_in(request: Request, check_in_id: str) -> Response:
    """The worker's answers: yes or no to each question, and anything they want to add, in their language."""
    async with visiting(request) as visit:
        require_role(visit, "worker")
        form = await checked_form(request, visit)
        if not is_uuid(check_in_id):
            raise PageNotFound()
        given = {name: form_text(form, name, 8) for name in pages.CHECK_IN_QUESTIONS}
        note = form_text(form, "note", 5000).strip()
        errors = {name: CHOOSE_YES_OR_NO for name, value in given.items() if value not in ("yes", "no")}
        if errors:
            submitted = Submitted(done=False, violations=errors, status=422)
        else:
            answers = {name: value == "yes" for name, value in given.items()}
            body = answers | {"language": visit.language.code, **({"note": note} if note else {})}
            submitted = await pages.answer_check_in(visit.api, check_in_id, body)
        if submitted.done:
            return RedirectResponse(f"{PREFIX}/journey?done=check_in", status_code=303)
        return await _check_in_page(
            request,
            visit,
            check_in_id,
            given=given | {"note": note},
            errors=submitted.violations,
            status=submitted.status,
        )


# --- the public check of a contract document ---------------------------------------------------------


@router.get("/verify")
async def verify_form(request: Request) -> Response:
    code = request.query_params.get("code", "").strip()
    if code:
        return RedirectResponse(f"{PREFIX}/verify/{quote(code[:64], safe='')}", status_code=303)
    return _verify_page(request, code="", verdict=None, searched=False)


@router.get("/verify/{code}")
async def verify(request: Request, code: str) -> Response:
    api = Api.for_request(request)
    try:
        verdict = await pages.verify_contract(api, code[:64])
    except ApiRefused as refused:
        if refused.status == 429:
            return _verify_page(request, status=429, code=code[:64], verdict=None, searched=True, throttled=True)
        raise
    finally:
        await api.close()
    return _verify_page(request, status=200 if verdict else 404, code=code[:64], verdict=verdict, searched=True)


def _verify_page(request: Request, *, status: int = 200, **context: Any) -> Response:
    """The public check, in the language its reader chooses (a worker's, a border officer's), kept for the next."""
    response = render(
        request,
        "verify.html",
        status=status,
        lang=chosen_language(request),
        choose_language=True,
        verdicts=pages.VERDICTS,
        **context,
    )
    return remember_language(request, response, None)
