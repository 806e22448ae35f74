"""The compliance officer's pages of the portal: the work lists (open vetting cases, potential screening hits oldest
first), resolving a hit, deciding a case (the four-eyes rule shown up front), investigating grievances.

Every page shows what the API gives the officer, fetched through the gateway's own API as them; every form posts
to the API and comes back with the API's answer (the rule it broke next to its field, or a redirect)."""

import uuid
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from fairpath.common.domain_codes import EscalationBody, ForcedLabourIndicator, Remedy, Severity
from fairpath.gateway.portal.pages import Api, ApiRefused, Submitted, refused_problem, segment
from fairpath.gateway.portal.plain import said
from fairpath.gateway.portal.web import (
    PREFIX,
    ROLE_PAGES,
    PageNotFound,
    Visit,
    checked_form,
    form_text,
    render,
    require_role,
    visiting,
)

ROLE = "compliance_officer"
router = APIRouter(prefix=PREFIX, include_in_schema=False)
ROLE_PAGES[ROLE] = [
    (f"{PREFIX}/vetting-cases", "Vetting cases"),
    (f"{PREFIX}/screening-hits", "Screening hits"),
    (f"{PREFIX}/investigations", "Grievances to investigate"),
    (f"{PREFIX}/businesses", "Businesses"),
]

CASE_STATUSES = ("open", "decided")
DECISIONS = ("approved", "conditionally_approved", "rejected")
HIT_DECISIONS = ("dismissed", "confirmed")
GRIEVANCE_STATUSES = ("received", "under_investigation", "substantiated", "unsubstantiated", "resolved")
# The steps a grievance may take next, as the registry allows them.
NEXT_STATUSES = {
    "received": ("under_investigation",),
    "under_investigation": ("substantiated", "unsubstantiated"),
    "substantiated": ("resolved",),
    "unsubstantiated": ("resolved",),
    "resolved": (),
}
INDICATORS = tuple(i.value for i in ForcedLabourIndicator)
SEVERITIES = tuple(s.value for s in Severity)
REMEDIES = tuple(r.value for r in Remedy)
ESCALATION_BODIES = tuple(b.value for b in EscalationBody)


# --- the API calls behind the pages ---------------------------------------------------------------------------


async def _send(api: Api, method: str, path: str, body: dict[str, Any]) -> Submitted:
    """A form's request to the API: done, or the rules it broke by field (422), or the state that forbids it
    (409, and the four-eyes refusal, shown on the form rather than as a page not found)."""
    response = await api.client.request(method, path, json=body)
    if response.status_code < 300:
        return Submitted(done=True, status=response.status_code)
    problem = refused_problem(response)
    if response.status_code == 422:
        violations: dict[str, str] = {}
        for v in problem.get("violations", []) or problem.get("errors", []):
            if isinstance(v, dict):
                name = str(v.get("field", "")).split(".")[0] or "form"
                violations.setdefault("form" if name == "body" else name, said(v, None, str))
        return Submitted(done=False, violations=violations or {"form": str(problem.get("detail", ""))}, status=422)
    kind = str(problem.get("type", "")).rsplit(":", 1)[-1]
    if response.status_code == 409 or (response.status_code == 403 and kind == "four_eyes"):
        return Submitted(done=False, violations={"form": str(problem.get("detail", ""))}, status=response.status_code)
    raise ApiRefused(response.status_code, problem)


async def business_names(api: Api, ids: set[str]) -> dict[str, str]:
    """The legal names of the businesses a page names, each read once as the caller may read it (a business out of
    their reach, or no business id, has no name here: the page says so in words)."""
    names: dict[str, str] = {}
    for business_id in sorted(i for i in ids if is_uuid(i)):
        try:
            names[business_id] = (await api.get(f"/v1/businesses/{segment(business_id)}"))["legal_name"]
        except ApiRefused as refused:
            if refused.status not in (403, 404):
                raise
    return names


@dataclass
class CasePage:
    case: dict[str, Any]
    business: dict[str, Any] | None
    hits: list[dict[str, Any]] = field(default_factory=list)


async def case_page(api: Api, case_id: str) -> CasePage:
    case = await api.get(f"/v1/vetting-cases/{segment(case_id)}")
    business_id = segment(str(case["business_id"]))
    try:
        business = await api.get(f"/v1/businesses/{business_id}")
    except ApiRefused as refused:
        if refused.status not in (403, 404):
            raise
        business = None
    hits = (await api.get(f"/v1/businesses/{business_id}/screening-hits", status="potential")).get("items", [])
    return CasePage(case=case, business=business, hits=hits)


def is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _chosen(value: str | None, allowed: tuple[str, ...]) -> str | None:
    return value if value in allowed else None


def _guard(visit: Visit, record_id: str | None = None) -> None:
    require_role(visit, ROLE)
    if record_id is not None and not is_uuid(record_id):
        raise PageNotFound()


async def _found(call: Any) -> Any:
    """A record the page is about: a 403 or 404 from the API is this page not found."""
    try:
        return await call
    except ApiRefused as refused:
        if refused.status in (403, 404, 422):
            raise PageNotFound() from None
        raise


# --- vetting cases ------------------------------------------------------------------------------------------------


@router.get("/vetting-cases")
async def vetting_cases(request: Request) -> Response:
    async with visiting(request) as visit:
        _guard(visit)
        status = _chosen(request.query_params.get("status"), CASE_STATUSES) or "open"
        cases = await visit.api.items("/v1/vetting-cases", status=status)
        names = await business_names(visit.api, {str(c["business_id"]) for c in cases})
        return render(
            request,
            "officer_cases.html",
            visit=visit,
            cases=cases,
            names=names,
            chosen=status,
            statuses=CASE_STATUSES,
        )


def _decision_context(page: CasePage, visit: Visit, decision: dict[str, str], errors: dict[str, str]) -> dict:
    opened_by_me = str(page.case.get("opened_by")) == str(visit.me.get("user_id"))
    return {
        "page": page,
        "opened_by_me": opened_by_me,
        "decision": decision,
        "errors": errors,
        "decisions": DECISIONS,
    }


@router.get("/vetting-cases/{case_id}")
async def vetting_case(request: Request, case_id: str) -> Response:
    async with visiting(request) as visit:
        _guard(visit, case_id)
        page = await _found(case_page(visit.api, case_id))
        decided = request.query_params.get("decided") == "1"
        return render(
            request, "officer_case.html", visit=visit, decided=decided, **_decision_context(page, visit, {}, {})
        )


@router.post("/vetting-cases/{case_id}/decision")
async def decide_case(request: Request, case_id: str) -> Response:
    """The decision on a case: approved, conditionally approved (conditions, one a line, and a deadline), rejected."""
    async with visiting(request) as visit:
        _guard(visit, case_id)
        form = await checked_form(request, visit)
        typed = {
            "decision": form_text(form, "decision", 64),
            "reason": form_text(form, "reason", 2000).strip(),
            "conditions": form_text(form, "conditions", 20_000),
            "condition_deadline": form_text(form, "condition_deadline", 32).strip(),
        }
        body: dict[str, Any] = {"decision": typed["decision"], "reason": typed["reason"]}
        conditions = [line.strip() for line in typed["conditions"].splitlines() if line.strip()]
        if conditions:
            body["conditions"] = conditions
        if typed["condition_deadline"]:
            body["condition_deadline"] = f"{typed['condition_deadline']}T00:00:00Z"
        submitted = await _send(visit.api, "POST", f"/v1/vetting-cases/{segment(case_id)}/decision", body)
        if submitted.done:
            return RedirectResponse(f"{PREFIX}/vetting-cases/{case_id}?decided=1", status_code=303)
        page = await _found(case_page(visit.api, case_id))
        return render(
            request,
            "officer_case.html",
            status=submitted.status,
            visit=visit,
            decided=False,
            **_decision_context(page, visit, typed, submitted.violations),
        )


# --- screening hits -----------------------------------------------------------------------------------------------


@router.get("/screening-hits")
async def screening_hits(request: Request) -> Response:
    """The review queue: potential hits, oldest first, as the API orders them."""
    async with visiting(request) as visit:
        _guard(visit)
        hits = await visit.api.items("/v1/screening-hits", status="potential")
        names = await business_names(visit.api, {str(h["business_id"]) for h in hits})
        resolved = request.query_params.get("resolved")
        return render(
            request,
            "officer_hits.html",
            visit=visit,
            hits=hits,
            names=names,
            resolved=resolved if resolved in HIT_DECISIONS else None,
        )


async def _hit_page(
    request: Request, visit: Visit, hit_id: str, resolution: dict, errors: dict, status: int = 200
) -> Response:
    hit = await _found(visit.api.get(f"/v1/screening-hits/{segment(hit_id)}"))
    names = await business_names(visit.api, {str(hit["business_id"])})
    return render(
        request,
        "officer_hit.html",
        status=status,
        visit=visit,
        hit=hit,
        business_name=names.get(str(hit["business_id"])),
        resolution=resolution,
        errors=errors,
        decisions=HIT_DECISIONS,
    )


@router.get("/screening-hits/{hit_id}")
async def screening_hit(request: Request, hit_id: str) -> Response:
    async with visiting(request) as visit:
        _guard(visit, hit_id)
        return await _hit_page(request, visit, hit_id, {}, {})


@router.post("/screening-hits/{hit_id}/resolution")
async def resolve_hit(request: Request, hit_id: str) -> Response:
    """Confirm or dismiss a potential hit, with the reason."""
    async with visiting(request) as visit:
        _guard(visit, hit_id)
        form = await checked_form(request, visit)
        typed = {"decision": form_text(form, "decision", 32), "reason": form_text(form, "reason", 2000).strip()}
        submitted = await _send(visit.api, "POST", f"/v1/screening-hits/{segment(hit_id)}/resolution", typed)
        if submitted.done:
            return RedirectResponse(f"{PREFIX}/screening-hits?resolved={typed['decision']}", status_code=303)
        return await _hit_page(request, visit, hit_id, typed, submitted.violations, submitted.status)


# --- grievances to investigate ----------------------------------------------------------------------------------


@router.get("/investigations")
async def investigations(request: Request) -> Response:
    """The operator's grievance queue, by status; the overdue ones flagged."""
    async with visiting(request) as visit:
        _guard(visit)
        status = _chosen(request.query_params.get("status"), GRIEVANCE_STATUSES)
        overdue = request.query_params.get("overdue") == "1"
        found = await visit.api.items("/v1/grievances", status=status, overdue="true" if overdue else None)
        return render(
            request,
            "officer_grievances.html",
            visit=visit,
            grievances=found,
            chosen=status,
            overdue=overdue,
            statuses=GRIEVANCE_STATUSES,
        )


async def _grievance_context(
    api: Api, grievance: dict[str, Any], step: dict[str, Any], errors: dict[str, str]
) -> dict[str, Any]:
    against = str(grievance.get("business_id") or "")
    names = await business_names(api, {against}) if against else {}
    return {
        "grievance": grievance,
        "business_name": names.get(against),
        "next_statuses": NEXT_STATUSES.get(grievance["status"], ()),
        "step": step,
        "errors": errors,
        "indicators": INDICATORS,
        "severities": SEVERITIES,
        "remedies": REMEDIES,
        "bodies": ESCALATION_BODIES,
    }


@router.get("/investigations/{grievance_id}")
async def investigation(request: Request, grievance_id: str) -> Response:
    async with visiting(request) as visit:
        _guard(visit, grievance_id)
        grievance = await _found(visit.api.get(f"/v1/grievances/{segment(grievance_id)}"))
        updated = request.query_params.get("updated") == "1"
        return render(
            request,
            "officer_grievance.html",
            visit=visit,
            updated=updated,
            **await _grievance_context(visit.api, grievance, {}, {}),
        )


@router.post("/investigations/{grievance_id}")
async def investigate(request: Request, grievance_id: str) -> Response:
    """A step of the investigation: the next status with what it needs (indicators, severity and a note for a
    decision; remedies for a resolution), or an escalation."""
    async with visiting(request) as visit:
        _guard(visit, grievance_id)
        form = await checked_form(request, visit)
        step: dict[str, Any] = {
            "status": form_text(form, "status", 64),
            "indicators": [v for v in form.getlist("indicators") if isinstance(v, str)][: len(INDICATORS)],
            "severity": form_text(form, "severity", 32),
            "decision_note": form_text(form, "decision_note", 10_000).strip(),
            "remedies": [v for v in form.getlist("remedies") if isinstance(v, str)][: len(REMEDIES)],
            "remedy_note": form_text(form, "remedy_note", 10_000).strip(),
            "escalated_to": form_text(form, "escalated_to", 64),
            "escalation_reference": form_text(form, "escalation_reference", 200).strip(),
        }
        body = {name: value for name, value in step.items() if value}
        submitted = await _send(visit.api, "PATCH", f"/v1/grievances/{segment(grievance_id)}", body)
        if submitted.done:
            return RedirectResponse(f"{PREFIX}/investigations/{grievance_id}?updated=1", status_code=303)
        grievance = await _found(visit.api.get(f"/v1/grievances/{segment(grievance_id)}"))
        return render(
            request,
            "officer_grievance.html",
            status=submitted.status,
            visit=visit,
            updated=False,
            **await _grievance_context(visit.api, grievance, step, submitted.violations),
        )
