"""Request dependencies of the protection: the client's address and the failed sign-in throttle."""

from typing import Annotated

from fastapi import Depends, Request

from fairpath.gateway.protection.addresses import client_of
from fairpath.gateway.protection.limits import SignInFailures


def _client_address(request: Request) -> str:
    return client_of(request.scope)


def _sign_in_failures(request: Request) -> SignInFailures:
    return request.app.state.sign_in_failures


ClientAddress = Annotated[str, Depends(_client_address)]
SignInFailuresDep = Annotated[SignInFailures, Depends(_sign_in_failures)]
