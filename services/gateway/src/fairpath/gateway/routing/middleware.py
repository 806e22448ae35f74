"""The forwarding's fast path: a request for a service's path goes straight to the service.

It is authenticated, charged to its caller's limits and forwarded exactly as the catch-all route would
(`routes.forward`), without FastAPI's routing through the gateway's own routes and its per-request dependency
resolution: on a GET of one record those were a third of the gateway's time. A problem is answered by the
handler the app registered for it, as from a route. The gateway's own paths, methods no service takes and
the signed checkpoints (which may be public) go on to the app's routes. The public paths (PUBLIC_PATHS) are
forwarded without credentials, under a stricter limit per client address of their own."""

import re

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from fairpath.common.services import owner_of
from fairpath.gateway.accounts.authentication import authenticate
from fairpath.gateway.protection.addresses import client_of
from fairpath.gateway.routing.routes import METHODS, forward, router

_FORWARDED_METHODS = frozenset(METHODS)
# Signed audit checkpoints may be served without login (a setting): their route decides.
_CHECKPOINTS = re.compile(r"^/v1/audit/[^/]+/checkpoints$")
# Public, no login (design.md, "public, no login"): forwarded without a principal, each under its own stricter
# limit per client address (the setting named). Only GET: another method is authenticated as usual.
PUBLIC_PATHS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^/v1/verify/contracts/[^/]+$"), "rate_limit_verify"),
)


def public_limit(method: str, path: str) -> str | None:
    """The setting that limits a public path, or None when the request needs credentials."""
    if method != "GET":
        return None
    return next((setting for pattern, setting in PUBLIC_PATHS if pattern.match(path)), None)


# Logged and counted under the catch-all's template, as the route would be (never the raw path).
_CATCH_ALL = next(route for route in router.routes if getattr(route, "endpoint", None) is forward)


class ServiceForwarding:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _FORWARDED_METHODS:
            await self.app(scope, receive, send)
            return
        service = owner_of(scope["path"])
        if service is None or (scope["method"] == "GET" and _CHECKPOINTS.match(scope["path"])):
            await self.app(scope, receive, send)
            return
        scope["route"] = _CATCH_ALL
        request = Request(scope, receive)
        state = request.app.state
        public = public_limit(scope["method"], scope["path"])
        try:
            if public is not None:
                # No principal: the service's route asks for none, and answers nothing that needs one.
                limit = getattr(state.settings, public)
                await state.rate_limits.charge_public(scope, public, limit, client_of(scope))
                token = ""
            else:
                token = state.principal_signer.sign(await authenticate(request))
            response = await state.upstreams.forward(service.name, request, token, client_of(scope))
        except Exception as exc:  # answered by the app's handler for it, as from a route
            handler = _handler_for(request, exc)
            if handler is None:
                raise
            response = await handler(request, exc)
        await response(scope, receive, send)


def _handler_for(request: Request, exc: Exception):  # noqa: ANN202 - an exception handler of the app
    handlers = request.app.exception_handlers
    for kind in type(exc).__mro__:
        if kind in handlers:
            return handlers[kind]
    return None
