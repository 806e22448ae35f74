"""The whole portal on the gateway: sign-in and the employer's and worker's pages (`routes`), each other role's
pages (a module each), all made with `web`, the static files, and `/` sending visitors to it."""

from fastapi import FastAPI

from fairpath.gateway.portal import agency, auditor, officer, routes, web


def install(app: FastAPI) -> None:
    web.install(app)
    for pages in (routes, officer, auditor, agency):
        app.include_router(pages.router)
    # Last, behind every page and the static files: any other path under the portal is its not-found page.
    app.add_api_route(f"{web.PREFIX}/{{path:path}}", _no_such_page, methods=["GET"], include_in_schema=False)


async def _no_such_page(path: str) -> None:
    raise web.PageNotFound(path)
