"""The catch-all that forwards `/v1/...` to the service that owns the path."""

import re

from fastapi import APIRouter, Request
from starlette.responses import Response

from fairpath.common.errors import NotFound, problems
from fairpath.common.services import owner_of
from fairpath.gateway.protection.addresses import client_of
from fairpath.gateway.routing.auth import Caller
from fairpath.gateway.routing.upstreams import BadGateway, GatewayTimeout, InvalidTarget

router = APIRouter()

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
# Uploads the services read as they arrive: they take a larger body (`max_import_body_bytes`).
STREAMED_IMPORTS = (re.compile(r"^/v1/watchlists/[^/]+/imports$"), re.compile(r"^/v1/licence-registers$"))


@router.api_route(
    "/v1/{path:path}",
    methods=METHODS,
    include_in_schema=False,
    responses=problems(NotFound, InvalidTarget, BadGateway, GatewayTimeout),
)
async def forward(path: str, request: Request, principal: Caller) -> Response:  # noqa: ARG001 - names the path parameter
    service = owner_of(request.url.path)
    if service is None:
        raise NotFound("resource", request.url.path)
    token = request.app.state.principal_signer.sign(principal)
    return await request.app.state.upstreams.forward(service.name, request, token, client_of(request.scope))
