"""Forwarding to services: one httpx client per process, streamed bodies, explicit timeouts,
round-robin over each service's replicas, and no cookie kept between callers."""

import itertools
import logging
from http.cookiejar import CookieJar, DefaultCookiePolicy

import httpx
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import StreamingResponse

from fairpath.common.auth import PRINCIPAL_HEADER
from fairpath.common.errors import DomainError
from fairpath.common.logging import correlation_id

log = logging.getLogger("fairpath.gateway.upstreams")

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
# Credentials end at the gateway; a principal header from outside is never trusted.
_NOT_FORWARDED = _HOP_BY_HOP | {
    "host",
    "authorization",
    "x-api-key",
    "cookie",
    PRINCIPAL_HEADER.lower(),
    "x-request-id",
}
_NOT_RETURNED = _HOP_BY_HOP | {"set-cookie"}
_BODILESS = {"GET", "HEAD", "DELETE", "OPTIONS"}


class BadGateway(DomainError):
    status, name, title = 502, "upstream_unavailable", "Service unavailable"
    description = "no replica of the service that owns the path answered; try again"


class GatewayTimeout(DomainError):
    status, name, title = 504, "upstream_timeout", "Service timed out"
    description = "the service that owns the path did not answer in time"


class Upstreams:
    def __init__(self, urls: dict[str, list[str]], *, connect_timeout: float, read_timeout: float) -> None:
        self.urls = urls
        self._rotation = {name: itertools.cycle(range(len(u))) for name, u in urls.items() if u}
        refuse_all = CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))
        self.client = httpx.AsyncClient(
            timeout=httpx.Timeout(connect=connect_timeout, read=read_timeout, write=read_timeout, pool=connect_timeout),
            limits=httpx.Limits(max_connections=200, max_keepalive_connections=50),
            follow_redirects=False,
            cookies=httpx.Cookies(refuse_all),
        )

    async def close(self) -> None:
        await self.client.aclose()

    def _replicas(self, service: str) -> list[str]:
        urls = self.urls.get(service) or []
        if not urls:
            return []
        start = next(self._rotation[service])
        return urls[start:] + urls[:start]

    async def forward(self, service: str, request: Request, principal_token: str) -> StreamingResponse:
        headers = [(k, v) for k, v in request.headers.items() if k.lower() not in _NOT_FORWARDED]
        headers.append((PRINCIPAL_HEADER, principal_token))
        headers.append(("x-request-id", correlation_id.get() or ""))
        if request.client:
            headers.append(("x-forwarded-for", request.client.host))
        replicas = self._replicas(service)
        # Without a body a request can go to the next replica when one refuses the connection.
        attempts = replicas if request.method in _BODILESS else replicas[:1]
        last_error: Exception | None = None
        for base in attempts:
            upstream = self.client.build_request(
                request.method,
                base + request.url.path,
                params=request.url.query or None,
                headers=headers,
                content=None if request.method in _BODILESS else request.stream(),
            )
            try:
                response = await self.client.send(upstream, stream=True)
            except httpx.TimeoutException as exc:
                log.warning("upstream timed out", extra={"service": service, "url": base, "error": type(exc).__name__})
                raise GatewayTimeout(f"the {service} service did not answer in time") from None
            except httpx.TransportError as exc:
                log.warning("upstream unreachable", extra={"url": base, "error": type(exc).__name__})
                last_error = exc
                continue
            return StreamingResponse(
                response.aiter_raw(),
                status_code=response.status_code,
                headers={k: v for k, v in response.headers.items() if k.lower() not in _NOT_RETURNED},
                background=BackgroundTask(response.aclose),
            )
        raise BadGateway(
            f"the {service} service is unavailable ({type(last_error).__name__ if last_error else 'no replicas'})"
        )

    async def ready(self, service: str) -> bool:
        for base in self.urls.get(service) or []:
            try:
                r = await self.client.get(base + "/readyz", timeout=1.5)
                if r.status_code == 200:
                    return True
            except httpx.HTTPError:
                continue
        return False
