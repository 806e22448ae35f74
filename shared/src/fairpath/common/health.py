"""Liveness, readiness and metrics: `/healthz`, `/readyz`, `/metrics`, open to all callers."""

import asyncio
import logging
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

log = logging.getLogger("fairpath.health")

ReadinessCheck = Callable[[], Awaitable[None]]


def health_router(service: str) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", summary="Liveness: the process answers")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": service}

    @router.get("/readyz", summary="Readiness: the database (and the broker) answer")
    async def readyz(request: Request) -> JSONResponse:
        state = request.app.state
        # What the process forwards to (the gateway's services) is reported, never waited for: a service that is
        # down takes its own routes down (502), not every route, as a gateway taken out of rotation would.
        reported: dict[str, ReadinessCheck] = getattr(state, "upstream_checks", {})
        results, upstreams = await asyncio.gather(_run_checks(state.readiness_checks), _run_checks(reported))
        ready = all(v == "ok" for v in results.values())
        body: dict[str, object] = {"status": "ready" if ready else "not_ready", "service": service, "checks": results}
        if reported:
            body["upstreams"] = upstreams
        return JSONResponse(body, status_code=200 if ready else 503)

    @router.get("/metrics", summary="Prometheus metrics")
    async def metrics(request: Request) -> Response:
        # Gauges read from the database and the broker now, at the scrape, never on a request's path; one that
        # cannot be read in time keeps its last value (and the failure is logged).
        refreshes = getattr(request.app.state, "metrics_refreshes", [])
        results = await asyncio.gather(
            *(asyncio.wait_for(refresh(), timeout=2.0) for refresh in refreshes), return_exceptions=True
        )
        for failure in (r for r in results if isinstance(r, BaseException)):
            log.warning("metrics refresh failed", extra={"error": type(failure).__name__})
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


async def _run_checks(checks: dict[str, ReadinessCheck]) -> dict[str, str]:
    """Each check at once, each within its own time: "ok" or "unavailable"."""

    async def outcome(name: str, check: ReadinessCheck) -> str:
        try:
            await asyncio.wait_for(check(), timeout=2.0)
        except Exception as exc:  # noqa: BLE001 - any failure means unavailable
            log.warning("readiness check failed", extra={"error": f"{name}: {type(exc).__name__}"})
            return "unavailable"
        return "ok"

    names = list(checks)
    outcomes = await asyncio.gather(*(outcome(name, checks[name]) for name in names))
    return dict(zip(names, outcomes, strict=True))
