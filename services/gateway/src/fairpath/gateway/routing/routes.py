"""The catch-all that forwards `/v1/...` to the service that owns the path."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from fairpath.common.auth import Principal
from fairpath.common.errors import NotFound
from fairpath.gateway.identity.service import authenticate
from fairpath.gateway.routing.table import owner_of

router = APIRouter()

Caller = Annotated[Principal, Depends(authenticate)]
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


@router.api_route("/v1/{path:path}", methods=METHODS, include_in_schema=False)
async def forward(path: str, request: Request, principal: Caller) -> Response:  # noqa: ARG001 - names the path parameter
    service = owner_of(request.url.path)
    if service is None:
        raise NotFound("resource", request.url.path)
    token = request.app.state.principal_signer.sign(principal)
    return await request.app.state.upstreams.forward(service, request, token)
