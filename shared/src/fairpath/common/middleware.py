"""ASGI middleware: the correlation id (X-Request-ID), access logs and request metrics; and a
request cut short by a shutdown answers 503, never 500."""

import asyncio
import json
import logging
import re
import time
import uuid

from prometheus_client import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fairpath.common.logging import correlation_id

log = logging.getLogger("fairpath.access")

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
REQUESTS = Counter("fairpath_http_requests_total", "HTTP requests", ["service", "method", "route", "status"])
LATENCY = Histogram(
    "fairpath_http_request_duration_seconds",
    "HTTP request latency",
    ["service", "method", "route"],
    buckets=LATENCY_BUCKETS,
)

REQUEST_ID_HEADER = "x-request-id"
_REQUEST_ID_KEY = REQUEST_ID_HEADER.encode()
# A service behind the gateway names the route template that answered, so that the gateway's metrics count by
# route (`/v1/businesses/{business_id}`) rather than by its own catch-all; the gateway strips it from the answer.
ROUTE_HEADER = "x-fairpath-route"
_ROUTE_KEY = ROUTE_HEADER.encode()
# Where a proxy puts the route its upstream named, for the metrics and the access line of its own request.
ROUTE_SCOPE_KEY = "fairpath.route"
# Probes and scrapes: neither counted nor logged (nor rate limited by the gateway).
PROBE_PATHS = ("/healthz", "/readyz", "/metrics")
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def _route_of(scope: Scope) -> str:
    named = scope.get(ROUTE_SCOPE_KEY)
    if named:
        return named
    route = scope.get("route")
    return getattr(route, "path", None) or "unmatched"


async def _send_shutting_down(send: Send, service: str) -> None:
    body = json.dumps(
        {
            "type": "urn:fairpath:problem:unavailable",
            "title": "Service unavailable",
            "status": 503,
            "detail": f"{service} is shutting down and could not finish this request: try again shortly "
            "(a change may have been saved before the cut: read before repeating it)",
        }
    ).encode()
    await send({
        "type": "http.response.start", "status": 503,
        "headers": [(b"content-type", b"application/problem+json"), (b"retry-after", b"1"),
                    (b"connection", b"close")],
    })  # fmt: skip
    await send({"type": "http.response.body", "body": body})


class RequestContextMiddleware:
    """One pure ASGI middleware for all of it (no per-request task or body buffering, as Starlette's
    BaseHTTPMiddleware would add); the metrics' labelled series are looked up once per route and status,
    and the access line is built only when its level is on."""

    def __init__(self, app: ASGIApp, service: str, *, announce_route: bool = False) -> None:
        self.app = app
        self.service = service
        self.announce_route = announce_route
        self._series: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    def _observe(self, method: str, route: str, status: int, elapsed: float) -> None:
        series = self._series.get((method, route, status))
        if series is None:
            series = (
                REQUESTS.labels(self.service, method, route, str(status)),
                LATENCY.labels(self.service, method, route),
            )
            self._series[(method, route, status)] = series
        series[0].inc()
        series[1].observe(elapsed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = next((value for name, value in scope["headers"] if name == _REQUEST_ID_KEY), b"").decode("latin-1")
        rid = incoming if incoming and _VALID_ID.match(incoming) else str(uuid.uuid4())
        token = correlation_id.set(rid)
        start = time.perf_counter()
        status = 500
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start":
                status = message["status"]
                started = True
                message.setdefault("headers", [])
                message["headers"] = [h for h in message["headers"] if h[0].lower() != b"x-request-id"]
                message["headers"].append((b"x-request-id", rid.encode()))
                if self.announce_route:
                    message["headers"].append((_ROUTE_KEY, _route_of(scope).encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except asyncio.CancelledError:
            # The server cancels what is still running when its graceful shutdown runs out: a request
            # whose response had not started gets a 503 it can act on, instead of the server's bare 500.
            task = asyncio.current_task()
            if started or task is None:
                raise
            task.uncancel()
            status = 503
            await _send_shutting_down(send_with_id, self.service)
        finally:
            elapsed = time.perf_counter() - start
            route = _route_of(scope)
            path = scope.get("path", "")
            if not path.startswith(PROBE_PATHS):
                self._observe(scope["method"], route, status, elapsed)
                if log.isEnabledFor(logging.INFO):
                    # The route template, not the raw path: ids in paths are fine, but query strings may carry names.
                    log.info(
                        "request",
                        extra={
                            "method": scope["method"],
                            "path": route if route != "unmatched" else path,
                            "status": status,
                            "duration_ms": round(elapsed * 1000, 2),
                        },
                    )
            correlation_id.reset(token)
