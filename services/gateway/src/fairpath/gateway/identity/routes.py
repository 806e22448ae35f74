"""`POST /v1/auth/token`: the OAuth2 password flow for people."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from pydantic import BaseModel

from fairpath.common.errors import PROBLEM_RESPONSES, Unauthenticated
from fairpath.gateway.identity.service import issue_access_token

router = APIRouter(prefix="/v1/auth", tags=["identity"], responses=PROBLEM_RESPONSES)


class AccessToken(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


@router.post("/token", response_model=AccessToken, summary="Exchange a username and password for an access token")
async def issue_token(
    request: Request,
    username: Annotated[str, Form(min_length=1, max_length=200)],
    password: Annotated[str, Form(min_length=1, max_length=500)],
) -> AccessToken:
    user = request.app.state.identities.current().by_password(username, password)
    if user is None:
        raise Unauthenticated("unknown username or wrong password")
    settings = request.app.state.settings
    return AccessToken(
        access_token=issue_access_token(user.id, settings.token_secret, settings.access_token_ttl_seconds),
        expires_in=settings.access_token_ttl_seconds,
    )
