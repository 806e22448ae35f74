"""The whole portal on the gateway: sign-in, every role's pages (each role's own module beside `routes`, which
they build on), the static files, and `/` sending visitors to it."""

from fastapi import FastAPI

from fairpath.gateway.portal import agency, auditor, officer, routes


def install(app: FastAPI) -> None:
    routes.install(app)
    for pages_of_role in (officer, auditor, agency):
        app.include_router(pages_of_role.router)
    # Last, behind every page and the static files: any other path under the portal is its not-found page.
    app.add_api_route(f"{routes.PREFIX}/{{path:path}}", _no_such_page, methods=["GET"], include_in_schema=False)


async def _no_such_page(path: str) -> None:
    raise routes.PageNotFound(path)
