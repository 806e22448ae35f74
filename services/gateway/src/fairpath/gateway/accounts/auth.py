"""Who may call what in the accounts domain (which accounts are within reach is the service's: `may_manage`)."""

from typing import Annotated

from fastapi import Depends, Request

from fairpath.common.auth import CurrentPrincipal, Role, roles
from fairpath.gateway.accounts.signin import Caller

# Organisations, users, API keys and single sign-on: admins.
AccountAdmin = roles(Role.admin)
# Worker logins and one-time codes (activation, reset) for people outside the operator: compliance officers
# too, so that a worker's first password never passes through the agency that registered them.
CodeIssuer = roles(Role.admin, Role.compliance_officer)


def _caller(request: Request, _: CurrentPrincipal) -> Caller:
    return request.state.caller


# Anyone signed in, with how they signed in (`GET /v1/me`, logout, their own password and second factor).
SignedIn = Annotated[Caller, Depends(_caller)]
