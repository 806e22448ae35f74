"""The whole portal on the gateway: sign-in, every role's pages (each role's own module beside `routes`, which
they build on), the static files, and `/` sending visitors to it."""

from fastapi import FastAPI

from fairpath.gateway.portal import agency, auditor, officer, routes


def install(app: FastAPI) -> None:
    routes.install(app)
    for pages_of_role in (officer, auditor, agency):
        app.include_router(pages_of_role.router)
