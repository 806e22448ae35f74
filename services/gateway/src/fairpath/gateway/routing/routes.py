"""The catch-all that forwards `/v1/...` to the service that owns the path."""

import re

from fastapi import APIRouter, Request
from starlette.exceptions import HTTPException
from starlette.responses import Response

from fairpath.common.errors import NotFound, documented_methods, problems
from fairpath.common.services import owner_of
from fairpath.gateway.accounts.authentication import authenticate
from fairpath.gateway.protection.addresses import client_of
from fairpath.gateway.routing.auth import Caller
from fairpath.gateway.routing.upstreams import BadGateway, GatewayTimeout, InvalidTarget

router = APIRouter()

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
# Uploads the services read as they arrive: they take a larger body (`max_import_body_bytes`).
STREAMED_IMPORTS = (re.compile(r"^/v1/watchlists/[^/]+/imports$"), re.compile(r"^/v1/licence-registers$"))


@router.get("/v1/audit/{service}/checkpoints", include_in_schema=False, responses=problems(NotFound))
async def forward_audit_checkpoints(service: str, request: Request) -> Response:  # noqa: ARG001 - names the path parameter
    """A service's signed audit checkpoints hold no personal data: with FAIRPATH_AUDIT_PUBLIC_CHECKPOINTS they are
    forwarded without login (outside witnesses keep copies); otherwise as any other request."""
    if not request.app.state.settings.common.audit_public_checkpoints:
        return await forward(request.url.path.removeprefix("/v1/"), request, await authenticate(request))
    owner = owner_of(request.url.path)
    if owner is None:
        raise NotFound("resource", request.url.path)
    return await request.app.state.upstreams.forward(owner.name, request, "", client_of(request.scope))


@router.api_route(
    "/v1/{path:path}",
    methods=METHODS,
    include_in_schema=False,
    responses=problems(NotFound, InvalidTarget, BadGateway, GatewayTimeout),
)
async def forward(path: str, request: Request, principal: Caller) -> Response:  # noqa: ARG001 - names the path parameter
    service = owner_of(request.url.path)
    if service is None:
        if documented_methods(request):
            # One of the gateway's own paths, with a method it does not have: 405 naming those it has, as the
            # services answer (not a 404, which would say the path does not exist).
            raise HTTPException(405)  # the error handler names the methods in Allow
        raise NotFound("resource", request.url.path)
    token = request.app.state.principal_signer.sign(principal)
    return await request.app.state.upstreams.forward(service.name, request, token, client_of(request.scope))
