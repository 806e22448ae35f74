"""The API docs page (/docs), usable without internet: Swagger UI's script, style sheet and icon are served by
the gateway from the `swagger-ui-bundle-v2` package (Apache-2.0, the upstream dist files), never from a CDN.
ReDoc, which FastAPI would load from a CDN, is not offered."""

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from starlette.responses import HTMLResponse, Response
from swagger_ui_bundle import swagger_ui_path

from fairpath.common.errors import NotFound

DOCS_URL = "/docs"
ASSETS_URL = "/docs/assets"
OAUTH2_REDIRECT_URL = "/docs/oauth2-redirect"
# The files the page loads, and their types.
ASSETS = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "favicon-32x32.png": "image/png",
}
# The assets change only with the package: a day in a browser's cache is safe.
_CACHE = {"Cache-Control": "public, max-age=86400"}


def install(app: FastAPI) -> None:
    """Replace FastAPI's CDN-loading /docs (and /redoc) with the page on local assets."""
    replaced = {app.docs_url, app.redoc_url, app.swagger_ui_oauth2_redirect_url, DOCS_URL, OAUTH2_REDIRECT_URL}
    app.router.routes = [r for r in app.router.routes if getattr(r, "path", None) not in replaced]
    folder = Path(str(swagger_ui_path))
    # Read once (1.7 MB in all): each answer is then a copy from memory, with no file or thread involved.
    contents = {name: (folder / name).read_bytes() for name in ASSETS}
    title = f"{app.title} API"

    @app.get(DOCS_URL, include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url,
            title=title,
            swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_URL}/favicon-32x32.png",
            oauth2_redirect_url=OAUTH2_REDIRECT_URL,
            # No call to the online validator, which a machine without internet cannot reach either.
            swagger_ui_parameters={"validatorUrl": None, "displayOperationId": True},
        )

    @app.get(OAUTH2_REDIRECT_URL, include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get(ASSETS_URL + "/{name}", include_in_schema=False)
    async def swagger_ui_asset(name: str) -> Response:
        if name not in ASSETS:
            raise NotFound("asset", name)
        return Response(contents[name], media_type=ASSETS[name], headers=_CACHE)
