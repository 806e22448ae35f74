"""Forwarding to services: one aiohttp session per process, streamed bodies, explicit timeouts,
round-robin over each service's replicas, and no cookie kept between callers.

The path and query go on byte for byte as the client sent them (percent-encoding kept), so the service reads
the very path the gateway routed by. The client's own forwarding headers stay behind: the service gets
`X-Forwarded-For` with the client's address as the gateway established it. What the gateway's server writes
itself (`date`, `server`) and hop-by-hop headers are not copied from the service's answer, so each appears once.

aiohttp, not httpx, carries the requests: for a forwarded GET httpx spent about 2.5 ms of CPU in its connection
pool alone (measured here), more than the service spends answering; aiohttp about 0.2 ms. A small answer (a
known length up to 64 KiB) is read whole and sent on in one piece; a larger one, or one of unknown length,
streams through.
"""

import itertools
import logging
import time
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

import aiohttp
from prometheus_client import Counter, Histogram
from starlette.background import BackgroundTask
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response, StreamingResponse
from yarl import URL

from fairpath.common.auth import PRINCIPAL_HEADER
from fairpath.common.errors import DomainError
from fairpath.common.logging import correlation_id
from fairpath.common.middleware import LATENCY_BUCKETS, ROUTE_HEADER, ROUTE_SCOPE_KEY
from fairpath.gateway.protection.middleware import BODILESS

log = logging.getLogger("fairpath.gateway.upstreams")
# httpx and httpcore (the single sign-on keys are fetched with httpx) log every request's URL, query string
# included, at INFO: a search's query can carry a person's name, so they log warnings only.
for _noisy in ("httpx", "httpcore"):
    logging.getLogger(_noisy).setLevel(logging.WARNING)

_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
}
# Credentials end at the gateway; a principal header from outside is never trusted, nor are the client's claims
# about where the request came from.
_NOT_FORWARDED = _HOP_BY_HOP | {
    "host",
    "authorization",
    "x-api-key",
    "cookie",
    PRINCIPAL_HEADER.lower(),
    "x-request-id",
    "forwarded",
    "x-forwarded-for",
    "x-forwarded-host",
    "x-forwarded-proto",
    "x-forwarded-port",
    "x-real-ip",
}
# The gateway's own server writes `date` and `server`.
_NOT_RETURNED = _HOP_BY_HOP | {"set-cookie", "date", "server"}
# An answer of a known length up to this is read whole and sent on in one piece.
_BUFFERED_BYTES = 64 * 1024
_ROUTE_KEY = ROUTE_HEADER.encode()

UPSTREAM_REQUESTS = Counter(
    "fairpath_gateway_upstream_requests_total",
    "Requests forwarded, by service, the route template that answered and the service's status",
    ["upstream", "method", "route", "status"],
)
UPSTREAM_LATENCY = Histogram(
    "fairpath_gateway_upstream_duration_seconds",
    "From forwarding a request to the service's response headers",
    ["upstream", "method", "route"],
    buckets=LATENCY_BUCKETS,
)
_SERIES: dict[tuple[str, str, str, int], tuple[Any, Any]] = {}
UPSTREAM_FAILURES = Counter(
    "fairpath_gateway_upstream_failures_total",
    "Requests no replica of the service answered: timed out, unreachable or failed",
    ["upstream", "failure"],
)


def _connection_tokens(headers: Iterable[tuple[str, str]]) -> set[str]:
    """Headers the `Connection` header names are hop-by-hop too (RFC 9110 7.6.1)."""
    return {
        token.strip().lower() for name, value in headers if name.lower() == "connection" for token in value.split(",")
    }


def _target(request: Request) -> str:
    """The path and query exactly as the client sent them: percent-encoded, never decoded and re-encoded."""
    raw = request.scope.get("raw_path")
    path = raw.decode("latin-1") if raw else quote(request.url.path)
    query = request.scope.get("query_string", b"")
    return f"{path}?{query.decode('latin-1')}" if query else path


def _cause(exc: BaseException) -> BaseException | None:
    """What made aiohttp give up sending the body (it reports a failing body as a connection error)."""
    seen = exc.__cause__ or exc.__context__
    while seen is not None and not isinstance(seen, (StarletteHTTPException, ClientDisconnect)):
        seen = seen.__cause__ or seen.__context__
    return seen


class BadGateway(DomainError):
    status, name, title = 502, "upstream_unavailable", "Service unavailable"
    description = "no replica of the service that owns the path answered; try again"


class InvalidTarget(DomainError):
    status, name, title = 400, "invalid_target", "Invalid request target"
    description = "the path or query has characters a URL cannot carry on"


class ClientLeft(DomainError):
    """Never seen by a client (it has gone): answered so that the leaving is not logged as an error."""

    status, name, title = 400, "client_left", "Client left"


class GatewayTimeout(DomainError):
    status, name, title = 504, "upstream_timeout", "Service timed out"
    description = "the service that owns the path did not answer in time"


# An idle connection to a service is closed before the service would close it (uvicorn's keep-alive is 5 s): a
# connection the service closed just as the gateway reused it failed the request with a 502 (seen under load,
# once in a few thousand requests, after a pause of 5 s).
IDLE_CONNECTION_SECONDS = 3.0


def _observe(service: str, request: Request, upstream: aiohttp.ClientResponse, elapsed: float) -> bytes | None:
    """Count the forwarded request by the route template the service named; that route also labels the gateway's
    own request metrics and access line (instead of its catch-all)."""
    route = upstream.headers.get(ROUTE_HEADER)
    key = (service, request.method, route or "unnamed", upstream.status)
    series = _SERIES.get(key)
    if series is None:  # looked up once per route and status, as the request metrics are
        series = _SERIES[key] = (
            UPSTREAM_REQUESTS.labels(*key[:3], str(key[3])),
            UPSTREAM_LATENCY.labels(*key[:3]),
        )
    series[0].inc()
    series[1].observe(elapsed)
    if route is None:
        return None
    request.scope[ROUTE_SCOPE_KEY] = route
    return route.encode()


class Upstreams:
    """Made in the running event loop (the app's start-up)."""

    def __init__(
        self,
        urls: dict[str, list[str]],
        *,
        connect_timeout: float,
        read_timeout: float,
        trace_configs: list[aiohttp.TraceConfig] | None = None,
    ) -> None:
        self.urls = urls
        self._rotation = {name: itertools.cycle(range(len(u))) for name, u in urls.items() if u}
        self.session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=200, limit_per_host=0, keepalive_timeout=IDLE_CONNECTION_SECONDS),
            timeout=aiohttp.ClientTimeout(
                total=None, connect=connect_timeout, sock_connect=connect_timeout, sock_read=read_timeout
            ),
            cookie_jar=aiohttp.DummyCookieJar(),
            auto_decompress=False,  # the bytes go on as they came, with their content-encoding
            skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding"),  # the client's own, if it sent them
            trust_env=False,
            trace_configs=trace_configs,  # with tracing on: a client span per call, its context sent on
        )

    async def close(self) -> None:
        await self.session.close()

    def _replicas(self, service: str) -> list[str]:
        urls = self.urls.get(service) or []
        if not urls:
            return []
        start = next(self._rotation[service])
        return urls[start:] + urls[:start]

    async def forward(self, service: str, request: Request, principal_token: str, client: str) -> Response:
        incoming = request.headers.items()
        dropped = _NOT_FORWARDED | _connection_tokens(incoming)
        bodiless = request.method in BODILESS
        headers = [
            (k, v)
            for k, v in incoming
            if k not in dropped and not (bodiless and k in ("content-length", "content-type"))
        ]
        headers.append((PRINCIPAL_HEADER, principal_token))
        headers.append(("x-request-id", correlation_id.get() or ""))
        headers.append(("x-forwarded-for", client))
        target = _target(request)
        replicas = self._replicas(service)
        # Without a body a request can go to the next replica when one refuses the connection.
        attempts = replicas if bodiless else replicas[:1]
        last_error: Exception | None = None
        for base in attempts:
            try:
                url = URL(base + target, encoded=True)
            except ValueError:
                raise InvalidTarget("the path or query cannot be sent on") from None
            started = time.perf_counter()
            try:
                upstream = await self.session.request(
                    request.method,
                    url,
                    headers=headers,
                    data=None if bodiless else request.stream(),
                    allow_redirects=False,
                )
            except TimeoutError as exc:  # aiohttp's timeouts are TimeoutErrors
                UPSTREAM_FAILURES.labels(service, "timeout").inc()
                log.warning("upstream timed out", extra={"service": service, "url": base, "error": type(exc).__name__})
                raise GatewayTimeout(f"the {service} service did not answer in time") from None
            except aiohttp.ClientConnectorError as exc:
                UPSTREAM_FAILURES.labels(service, "unreachable").inc()
                log.warning("upstream unreachable", extra={"url": base, "error": type(exc).__name__})
                last_error = exc
                continue
            except (aiohttp.ClientError, ValueError) as exc:
                cause = _cause(exc)
                if isinstance(cause, StarletteHTTPException):
                    raise cause from None  # the body passed the gateway's limit while it was sent on
                if isinstance(cause, ClientDisconnect):
                    # The client left in the middle of its upload: nobody to answer, nothing gone wrong here.
                    log.info("client left during its upload", extra={"service": service})
                    raise ClientLeft("the client closed the connection before its request was whole") from None
                if isinstance(exc, ValueError):  # aiohttp.InvalidURL among them
                    raise InvalidTarget("the path or query cannot be sent on") from None
                UPSTREAM_FAILURES.labels(service, "failed").inc()
                log.warning("upstream failed", extra={"url": base, "error": type(exc).__name__})
                last_error = exc
                if not bodiless:
                    break
                continue
            route = _observe(service, request, upstream, time.perf_counter() - started)
            return await self._answer(upstream, route)
        raise BadGateway(
            f"the {service} service is unavailable ({type(last_error).__name__ if last_error else 'no replicas'})"
        )

    async def _answer(self, upstream: aiohttp.ClientResponse, route: bytes | None) -> Response:
        returned = _NOT_RETURNED | _connection_tokens(
            (k.decode("latin-1"), v.decode("latin-1")) for k, v in upstream.raw_headers
        )
        raw_headers = [(k.lower(), v) for k, v in upstream.raw_headers if k.lower().decode("latin-1") not in returned]
        if route is not None:
            raw_headers = [(k, v) for k, v in raw_headers if k != _ROUTE_KEY]
        length = upstream.content_length
        if length is not None and length <= _BUFFERED_BYTES:
            try:
                body = await upstream.read()
            except TimeoutError:
                raise GatewayTimeout("the service did not finish its answer in time") from None
            except aiohttp.ClientError as exc:
                log.warning("upstream answer cut short", extra={"error": type(exc).__name__})
                raise BadGateway("the service's answer was cut short") from None
            finally:
                upstream.release()
            answer: Response = Response(body, status_code=upstream.status)
        else:
            answer = StreamingResponse(
                upstream.content.iter_any(), status_code=upstream.status, background=BackgroundTask(upstream.release)
            )
        answer.raw_headers = raw_headers
        return answer

    async def get_json(self, url: str, timeout: float) -> Any | None:
        """A document from a service (its OpenAPI), or None when it does not answer it."""
        async with self.session.get(url, timeout=aiohttp.ClientTimeout(total=timeout)) as response:
            if response.status != 200:
                return None
            return await response.json(content_type=None)

    async def ready(self, service: str) -> bool:
        for base in self.urls.get(service) or []:
            try:
                async with self.session.get(base + "/readyz", timeout=aiohttp.ClientTimeout(total=1.5)) as r:
                    if r.status == 200:
                        return True
            except (aiohttp.ClientError, TimeoutError):
                continue
        return False
