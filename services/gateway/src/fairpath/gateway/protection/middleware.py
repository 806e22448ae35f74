"""The gateway's first look at every request, before any route: the client's address (behind trusted proxies
only), the rate limit per address, the body limit, and the malformed requests a proxy must refuse itself
(a path with control characters, a GET or DELETE with a body). Each refusal is a problem, never a 500.

Pure ASGI: the body is never buffered. A Content-Length over the limit is refused before a byte is read; a
streamed body is counted as it arrives and refused (413) as soon as it passes the limit."""

import json
import re
from collections.abc import Sequence

from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fairpath.common.errors import PROBLEM_JSON, DomainError
from fairpath.common.middleware import PROBE_PATHS
from fairpath.gateway.protection.addresses import CLIENT_KEY, TrustedProxies
from fairpath.gateway.protection.limits import USAGE_KEY, RateLimited, RateLimits, RequestUsage, Usage

# Probes and scrapes: never limited.
UNLIMITED = PROBE_PATHS
# C0 controls, DEL and C1 controls: no path of the API has one, and a URL cannot carry one on.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
BODILESS = frozenset({"GET", "HEAD", "DELETE", "OPTIONS"})


class BodyTooLarge(DomainError):
    status, name, title = 413, "too_large", "Too large"
    description = "the request body is larger than the gateway accepts (1 MiB by default; more for streamed imports)"


class BodyNotAllowed(DomainError):
    status, name, title = 400, "body_not_allowed", "Body not allowed"
    description = "a GET or DELETE request carries no body"


class InvalidPath(DomainError):
    status, name, title = 400, "invalid_path", "Invalid path"
    description = "the path has a control character, which no resource's path has"


class _BodyLimitPassed(StarletteHTTPException):
    """Raised from `receive` when a streamed body passes the limit: an HTTPException, so FastAPI's body parsing
    lets it through as it is and the error handlers answer it as the `too_large` problem."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than {limit} bytes")


def _headers_of(usage: Usage) -> list[tuple[bytes, bytes]]:
    return [
        (b"ratelimit-limit", str(usage.limit).encode()),
        (b"ratelimit-remaining", str(usage.remaining).encode()),
        (b"ratelimit-reset", str(usage.reset_after).encode()),
    ]


async def _answer(send: Send, problem: DomainError, headers: Sequence[tuple[bytes, bytes]] = ()) -> None:
    body = json.dumps(problem.problem()).encode()
    await send(
        {
            "type": "http.response.start",
            "status": problem.status,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class ProtectionMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        proxies: TrustedProxies,
        rate_limits: RateLimits,
        max_body_bytes: int,
        max_import_body_bytes: int,
        import_paths: Sequence[re.Pattern[str]],
    ) -> None:
        self.app = app
        self.proxies = proxies
        self.rate_limits = rate_limits
        self.max_body_bytes = max_body_bytes
        self.max_import_body_bytes = max_import_body_bytes
        self.import_paths = tuple(import_paths)

    def _body_limit(self, method: str, path: str) -> int:
        if method == "POST" and any(p.match(path) for p in self.import_paths):
            return self.max_import_body_bytes
        return self.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path, method = scope["path"], scope["method"]
        client = self.proxies.client_address(scope)
        scope[CLIENT_KEY] = client
        usage = RequestUsage()
        scope[USAGE_KEY] = usage
        if not path.startswith(UNLIMITED):
            usage.note(await self.rate_limits.spend("address", client))
            spent = usage.tightest
            if spent is not None and spent.exceeded:
                wait = max(1, spent.reset_after)
                problem = RateLimited(
                    f"this address made more than {spent.limit} requests in the window: try again in {wait} s",
                    retry_after=wait,
                )
                await _answer(send, problem, [(b"retry-after", str(wait).encode()), *_headers_of(spent)])
                return

        if _CONTROL.search(path):
            await _answer(send, InvalidPath("the path has a control character"))
            return
        length: int | None = None
        chunked = False
        for name, value in scope["headers"]:
            if name == b"content-length":
                length = int(value) if value.isdigit() else None
            elif name == b"transfer-encoding":
                chunked = True
        if method in BODILESS:
            if chunked or length:
                await _answer(send, BodyNotAllowed(f"a {method} request carries no body"))
                return
        else:
            limit = self._body_limit(method, path)
            if length is not None and length > limit:
                await _answer(send, BodyTooLarge(f"the request body is larger than {limit} bytes"))
                return
            receive = _counting(receive, limit)

        async def send_with_usage(message: Message) -> None:
            if message["type"] == "http.response.start" and usage.tightest is not None:
                message["headers"] = [*message.get("headers", ()), *_headers_of(usage.tightest)]
            await send(message)

        await self.app(scope, receive, send_with_usage)


def _counting(receive: Receive, limit: int) -> Receive:
    received = 0

    async def counted() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise _BodyLimitPassed(limit)
        return message

    return counted
