"""One OpenAPI document for the whole public API: the gateway's own paths and every service's,
fetched from the services and merged, with the gateway's two ways to authenticate."""

import json
import logging
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from fairpath.common.services import owner_of
from fairpath.gateway.routing.upstreams import Upstreams

log = logging.getLogger("fairpath.gateway.openapi")

SECURITY_SCHEMES = {
    "ApiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key", "description": "an API key, for agency software"},
    "Password": {
        "type": "oauth2",
        "flows": {"password": {"tokenUrl": "/v1/auth/token", "refreshUrl": "/v1/auth/refresh", "scopes": {}}},
        "description": "a person's username and password (and a TOTP code), exchanged for a short bearer token "
        "and a refresh token",
    },
    "SingleSignOn": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "a token of the organisation's OpenID Connect issuer, for a user linked to its subject",
    },
}
# Public: no credentials asked (signing in, renewing, activating with a one-time code; health).
_OPEN = ("/healthz", "/readyz", "/metrics", "/v1/auth/token", "/v1/auth/refresh", "/v1/auth/activate")


def _rename_refs(node: Any, renames: dict[str, str]) -> Any:
    if isinstance(node, dict):
        return {k: (_renamed(v, renames) if k == "$ref" else _rename_refs(v, renames)) for k, v in node.items()}
    if isinstance(node, list):
        return [_rename_refs(v, renames) for v in node]
    return node


def _renamed(ref: str, renames: dict[str, str]) -> str:
    name = ref.rsplit("/", 1)[-1]
    return f"#/components/schemas/{renames[name]}" if name in renames else ref


def merge(own: dict[str, Any], services: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The gateway's document with each service's /v1 paths added. A schema name two services
    define differently is kept apart by suffixing the service's name."""
    doc = json.loads(json.dumps(own))
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    for service, spec in sorted(services.items()):
        theirs = spec.get("components", {}).get("schemas", {})
        renames = {
            name: f"{name}_{service}" for name, schema in theirs.items() if name in schemas and schemas[name] != schema
        }
        for name, schema in theirs.items():
            schemas[renames.get(name, name)] = _rename_refs(schema, renames)
        for path, item in spec.get("paths", {}).items():
            owner = owner_of(path)
            if owner is not None and owner.name == service:
                doc["paths"][path] = _rename_refs(item, renames)
        doc.setdefault("tags", [])
    doc["components"]["securitySchemes"] = SECURITY_SCHEMES
    for path, item in doc["paths"].items():
        if not path.startswith(_OPEN):
            for operation in item.values():
                if isinstance(operation, dict):
                    operation["security"] = [{"ApiKey": []}, {"Password": []}, {"SingleSignOn": []}]
    return doc


def install(app: FastAPI) -> None:
    """Serve the merged document at /openapi.json (so /docs shows the whole API); rebuilt while a
    service is missing from it, then kept."""
    own_openapi = app.openapi
    state: dict[str, Any] = {"doc": None}

    async def merged_openapi() -> dict[str, Any]:
        if state["doc"] is not None:
            return state["doc"]
        upstreams: Upstreams = app.state.upstreams
        specs: dict[str, dict[str, Any]] = {}
        for service, urls in upstreams.urls.items():
            for base in urls:
                try:
                    response = await upstreams.client.get(f"{base}/openapi.json", timeout=5.0)
                    if response.status_code == 200:
                        specs[service] = response.json()
                        break
                except Exception as exc:  # noqa: BLE001 - a service down leaves its paths out for now
                    log.warning("service OpenAPI unavailable", extra={"service": service, "error": type(exc).__name__})
        doc = merge(own_openapi(), specs)
        if len(specs) == len(upstreams.urls):
            state["doc"] = doc
        return doc

    app.router.routes = [r for r in app.router.routes if getattr(r, "path", None) != app.openapi_url]

    @app.get(app.openapi_url, include_in_schema=False)
    async def openapi_json() -> JSONResponse:
        return JSONResponse(await merged_openapi())
