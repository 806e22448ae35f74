"""`POST /v1/auth/token`: the OAuth2 password flow for people."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from pydantic import BaseModel

from fairpath.common.errors import PROBLEM_RESPONSES, Unauthenticated, problems
from fairpath.gateway.deps import SettingsDep
from fairpath.gateway.identity.service import log_in

router = APIRouter(prefix="/v1/auth", tags=["identity"], responses=PROBLEM_RESPONSES)


class AccessToken(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


@router.post(
    "/token",
    response_model=AccessToken,
    summary="Exchange a username and password for an access token",
    responses=problems(Unauthenticated),
)
async def issue_token(
    request: Request,
    settings: SettingsDep,
    username: Annotated[str, Form(min_length=1, max_length=200)],
    password: Annotated[str, Form(min_length=1, max_length=500)],
) -> AccessToken:
    token = log_in(
        request.app.state.identities.current(),
        username=username,
        password=password,
        secret=settings.token_secret,
        ttl_seconds=settings.access_token_ttl_seconds,
    )
    return AccessToken(access_token=token, expires_in=settings.access_token_ttl_seconds)
