"""Who may have a request forwarded: anyone the gateway authenticates. The service that owns the path
decides the rest (the role, and which records are within the caller's reach) from the signed principal."""

from fairpath.common.auth import CurrentPrincipal

# The app points `current_principal` at the gateway's own authentication (an API key or a bearer token).
Caller = CurrentPrincipal
