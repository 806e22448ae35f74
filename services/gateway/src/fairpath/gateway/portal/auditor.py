"""The auditor's pages of the portal (read-only: no form here writes): searching businesses, a business's compliance
dossier (its risk factors as a chart drawn here as SVG, its timeline, the CSV download), and verifying each
service's audit chain with its latest signed checkpoint.

Compliance officers may read the dossier too (the API lets them), so the search and the dossier are theirs as well;
the audit pages are the auditor's."""

import uuid
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from fairpath.common.domain_codes import BusinessKind, BusinessStatus
from fairpath.gateway.portal.pages import Api, ApiRefused, segment
from fairpath.gateway.portal.web import (
    HEADERS,
    PREFIX,
    ROLE_PAGES,
    PageNotFound,
    Visit,
    render,
    visiting,
)

ROLE = "auditor"
READERS = ("auditor", "compliance_officer")
router = APIRouter(prefix=PREFIX, include_in_schema=False)
ROLE_PAGES[ROLE] = [
    (f"{PREFIX}/businesses", "Businesses"),
    (f"{PREFIX}/audit", "Audit chains"),
]

KINDS = tuple(k.value for k in BusinessKind)
BUSINESS_STATUSES = tuple(s.value for s in BusinessStatus)
# The services whose audit chains the API verifies (`/v1/audit/{service}/...`), in the order the page lists them.
AUDITED_SERVICES = ("vetting", "contracts", "registry", "gateway")
# The risk chart's geometry (SVG user units; the chart scales to the page's width).
CHART_WIDTH, LABEL_WIDTH, VALUE_WIDTH, BAR_HEIGHT, ROW_GAP = 640, 260, 50, 22, 10


def _readers_only(visit: Visit, roles: tuple[str, ...] = READERS) -> None:
    if visit.role not in roles:
        raise PageNotFound()


def is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


# --- searching businesses ---------------------------------------------------------------------------------------


def _search_filters(request: Request) -> dict[str, str]:
    """The search's filters as the API takes them: only known values, so a typo is a search for all."""
    query = request.query_params
    filters = {
        "name": query.get("name", "").strip()[:200],
        "kind": query.get("kind", "") if query.get("kind") in KINDS else "",
        "country": query.get("country", "").strip().upper()[:2],
        "status": query.get("status", "") if query.get("status") in BUSINESS_STATUSES else "",
        "review_open": query.get("review_open", "") if query.get("review_open") in ("true", "false") else "",
    }
    if len(filters["country"]) != 2 or not filters["country"].isalpha():
        filters["country"] = ""
    return filters


@router.get("/businesses")
async def businesses(request: Request) -> Response:
    async with visiting(request) as visit:
        _readers_only(visit)
        filters = _search_filters(request)
        refused = None
        try:
            found = await visit.api.items("/v1/businesses", **{k: v for k, v in filters.items() if v})
        except ApiRefused as answer:
            if answer.status != 422:
                raise
            found, refused = [], answer.problem
        return render(
            request,
            "auditor_businesses.html",
            visit=visit,
            businesses=found,
            filters=filters,
            kinds=KINDS,
            statuses=BUSINESS_STATUSES,
            refused=refused,
        )


# --- the dossier ------------------------------------------------------------------------------------------------


@dataclass
class Bar:
    label: str
    points: int
    evidence: str
    y: int
    width: int


def risk_chart(factors: list[dict[str, Any]]) -> dict[str, Any]:
    """The risk factors as horizontal bars: each a row with its label, a bar as long as its points (the longest
    fills the bar's room) and its points written after it. Drawn here, so the page needs no script."""
    room = CHART_WIDTH - LABEL_WIDTH - VALUE_WIDTH
    top = max((abs(int(f.get("points", 0))) for f in factors), default=0) or 1
    bars = [
        Bar(
            label=str(f.get("factor", "")).replace("_", " "),
            points=int(f.get("points", 0)),
            evidence=str(f.get("evidence", "")),
            y=i * (BAR_HEIGHT + ROW_GAP),
            width=max(2, round(room * abs(int(f.get("points", 0))) / top)),
        )
        for i, f in enumerate(factors)
    ]
    return {
        "bars": bars,
        "width": CHART_WIDTH,
        "height": max(len(bars) * (BAR_HEIGHT + ROW_GAP), BAR_HEIGHT),
        "label_width": LABEL_WIDTH,
        "bar_height": BAR_HEIGHT,
    }


async def _dossier(api: Api, business_id: str, **params: str) -> Any:
    try:
        return await api.get(f"/v1/compliance/businesses/{segment(business_id)}", **params)
    except ApiRefused as refused:
        if refused.status in (403, 404, 422):
            raise PageNotFound() from None
        raise


@router.get("/businesses/{business_id}/dossier")
async def dossier(request: Request, business_id: str) -> Response:
    async with visiting(request) as visit:
        _readers_only(visit)
        if not is_uuid(business_id):
            raise PageNotFound()
        found = await _dossier(visit.api, business_id)
        factors = (found.get("risk") or {}).get("factors") or []
        findings = [f for items in (found.get("findings_by_principle") or {}).values() for f in items]
        return render(
            request,
            "auditor_dossier.html",
            visit=visit,
            d=found,
            chart=risk_chart(factors),
            findings=sorted(findings, key=lambda f: str(f.get("created_at", ""))),
        )


@router.get("/businesses/{business_id}/dossier.csv")
async def dossier_csv(request: Request, business_id: str) -> Response:
    """The dossier as the API's one CSV file, under the name the API gives it."""
    async with visiting(request) as visit:
        _readers_only(visit)
        if not is_uuid(business_id):
            raise PageNotFound()
        answer = await visit.api.client.get(
            f"/v1/compliance/businesses/{segment(business_id)}", params={"format": "csv"}
        )
        if answer.status_code in (403, 404, 422):
            raise PageNotFound()
        if answer.status_code != 200:
            raise ApiRefused(answer.status_code, {})
        headers = {k: v for k, v in HEADERS.items() if k != "Content-Security-Policy"}
        disposition = answer.headers.get("content-disposition")
        if disposition:
            headers["Content-Disposition"] = disposition
        return Response(
            answer.content, media_type=answer.headers.get("content-type", "text/csv; charset=utf-8"), headers=headers
        )


# --- audit chains -----------------------------------------------------------------------------------------------


async def latest_checkpoint(api: Api, service: str) -> dict[str, Any] | None:
    """The newest signed checkpoint of a service's audit tree (the API lists them oldest first, by pages)."""
    latest, cursor = None, None
    for _ in range(100):  # 100 pages of 1,000: far more checkpoints than a chain is signed at
        page = await api.get(f"/v1/audit/{segment(service)}/checkpoints", limit=1000, cursor=cursor)
        if page.get("items"):
            latest = page["items"][-1]
        cursor = page.get("next_cursor")
        if not cursor:
            break
    return latest


@router.get("/audit")
async def audit(request: Request) -> Response:
    """Each service's chain with a button that verifies it (a GET: verifying writes nothing); the verdict and the
    latest signed checkpoint of the service verified."""
    async with visiting(request) as visit:
        _readers_only(visit, (ROLE,))
        service = request.query_params.get("service")
        verdict = checkpoint = None
        if service is not None:
            if service not in AUDITED_SERVICES:
                raise PageNotFound()
            verdict = await visit.api.get(f"/v1/audit/{segment(service)}/verify")
            checkpoint = await latest_checkpoint(visit.api, service)
        return render(
            request,
            "auditor_audit.html",
            visit=visit,
            services=AUDITED_SERVICES,
            service=service,
            verdict=verdict,
            checkpoint=checkpoint,
        )
