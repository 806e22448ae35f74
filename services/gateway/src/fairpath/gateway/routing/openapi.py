"""One OpenAPI document for the whole public API: the gateway's own paths and every service's,
fetched from the services and merged, with the gateway's ways to authenticate.

The merge also gives each operation a readable id (its function's name, with the service's name where two
services share one), describes every tag, and lists beside each operation's own problems the ones the gateway
itself answers with: 429 (rate limits), 413 (body limit), 400 (a malformed request) and, for what it forwards,
502 and 504.
"""

import json
import logging
import re
from collections import defaultdict
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from fairpath.common.errors import PROBLEM_JSON, DomainError
from fairpath.common.services import owner_of
from fairpath.gateway.protection.limits import RateLimited
from fairpath.gateway.protection.middleware import UNLIMITED, BodyNotAllowed, BodyTooLarge, InvalidPath
from fairpath.gateway.routing.upstreams import BadGateway, GatewayTimeout, InvalidTarget, Upstreams

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
# Public: no credentials asked (signing in, renewing, activating with a one-time code; health; the check of a
# contract document by its code, which the gateway forwards without login: middleware.PUBLIC_PATHS).
_OPEN = ("/healthz", "/readyz", "/metrics", "/v1/auth/token", "/v1/auth/refresh", "/v1/auth/activate")
_PUBLIC_FORWARDED = ("/v1/verify/contracts/{code}",)
GATEWAY = "gateway"
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

# What each tag groups, for the docs' sections. A service's own description of a tag (its document's `tags`)
# wins; a tag described nowhere gets its service's name.
TAG_DESCRIPTIONS = {
    "identity": "Signing in (passwords, second factor, refresh tokens), activation with a one-time code, and who "
    "is calling (`/v1/me`).",
    "accounts": "Organisations, users, API keys and single sign-on, managed by admins (one-time codes by "
    "compliance officers too).",
    "operations": "Health, readiness and metrics of each process; dead-lettered events and, outside production, "
    "the clock every service sees.",
    "compliance": "The compliance dossier of a business: every service's records about it, for auditors and "
    "compliance officers, as JSON or CSV.",
    "audit": "Each service's append-only, hash-chained audit trail: its records, a verification of the chain, "
    "signed checkpoints, inclusion and consistency proofs, and an export for offline checks.",
    "reference": "The operator's reference data: minimum wages, working-time limits, country risk, minimum age, "
    "exchange rates, each with its source.",
    "businesses": "Recruitment agencies and employers: registration, their records and their history.",
    "findings": "Findings against a business (from screening, audits and complaints) and how they were closed.",
    "licences": "A business's operating licences and the government licence registers they are verified against.",
    "assessments": "A business's self-assessment questionnaire and its answers.",
    "vetting cases": "Due diligence decisions on a business, with four eyes: one compliance officer opens the "
    "case, another decides.",
    "watchlists": "Sanctions and watch lists, loaded by streamed upload (FollowTheMoney JSON lines or CSV).",
    "screening": "Screening businesses and their people against the watchlists, and the resolution of each hit.",
    "job orders": "An employer's job orders: the positions, terms and numbers of workers wanted.",
    "contracts": "Employment contracts: drafted, checked against the rules, issued in the worker's language, "
    "signed, verified on arrival, completed or terminated; every change a new version.",
    "documents": "Contracts as documents: bilingual HTML and PDF, and the public check that a copy is the "
    "current signed version.",
    "workers": "Migrant workers' records, kept by the agency that registered them and seen by the worker.",
    "data-subject rights": "A worker's consents, the export of their data and its erasure.",
    "placements": "A worker's placements with an employer and the steps of their deployment.",
    "fees": "Recruitment fees a worker reports having paid, and their reimbursement (no fee is the worker's to pay).",
    "grievances": "Grievances a worker raises, and how they are handled, with no retaliation.",
    "orientation": "Pre-departure orientation sessions an agency holds in the worker's language, who attended, "
    "and each worker's own confirmation.",
    "offers": "A recruiter's pick of a candidate from its shortlist for a job order's position, and the worker's "
    "answer: an accepted offer lets the recruiter contract the worker.",
    "check-ins": "Post-arrival check-ins with each placed worker; a worrying answer becomes a confidential "
    "grievance for an officer.",
}

# The gateway's own answers, whatever the operation: a malformed request, a body over the limit, a rate limit;
# and for a forwarded operation, a service that does not answer or answers too late.
_RATE_LIMIT_HEADERS = {
    "Retry-After": "seconds to wait before the next request",
    "RateLimit-Limit": "requests the tightest window of the caller's limits allows",
    "RateLimit-Remaining": "requests left in that window (every answer carries these three)",
    "RateLimit-Reset": "seconds until that window frees up",
}


def _rename_refs(node: Any, renames: dict[str, str]) -> Any:
    if isinstance(node, dict):
        return {k: (_renamed(v, renames) if k == "$ref" else _rename_refs(v, renames)) for k, v in node.items()}
    if isinstance(node, list):
        return [_rename_refs(v, renames) for v in node]
    return node


def _renamed(ref: str, renames: dict[str, str]) -> str:
    name = ref.rsplit("/", 1)[-1]
    return f"#/components/schemas/{renames[name]}" if name in renames else ref


def _operations(doc: dict[str, Any]):  # noqa: ANN202 - yields (path, method, operation)
    for path, item in doc["paths"].items():
        for method in _METHODS:
            if isinstance(item.get(method), dict):
                yield path, method, item[method]


def _function_name(operation_id: str, path: str, method: str) -> str:
    """FastAPI's id is the function's name, then the path and method (`issue_token_v1_auth_token_post`)."""
    suffix = re.sub(r"\W", "_", path) + "_" + method
    name = operation_id[: -len(suffix)] if operation_id.endswith(suffix) else ""
    return name or operation_id


def _name_operations(doc: dict[str, Any], owners: dict[str, str]) -> None:
    """Readable operation ids, unique in the whole document: the function's name; where services share one
    (each service's audit routes), the service's name after it."""
    by_name: dict[str, list[tuple[str, str, dict[str, Any]]]] = defaultdict(list)
    for path, method, operation in _operations(doc):
        name = _function_name(operation.get("operationId") or f"{method}{path}", path, method)
        by_name[name].append((path, method, operation))
    taken: set[str] = set()
    for name, uses in sorted(by_name.items()):
        for path, method, operation in uses:
            candidate = name if len(uses) == 1 else f"{name}_{owners.get(path, GATEWAY)}"
            if candidate in taken:
                candidate = re.sub(r"\W", "_", f"{candidate}_{method}{path}")
            operation["operationId"] = candidate
            taken.add(candidate)


def _problem_entry(kinds: list[type[DomainError]]) -> dict[str, Any]:
    lines = [f"- `{k.name}`: {k.description}" for k in kinds]
    return {
        "description": kinds[0].title + ", one of:\n" + "\n".join(lines),
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}, "examples": _examples(kinds)}},
    }


def _examples(kinds: list[type[DomainError]]) -> dict[str, Any]:
    return {
        k.name: {
            "summary": k.description,
            "value": {"type": k.type_uri(), "title": k.title, "status": k.status, "detail": k.description},
        }
        for k in kinds
    }


def _add_problems(operation: dict[str, Any], kinds: list[type[DomainError]]) -> None:
    """List `kinds` beside the operation's own problems of the same status (never instead of them)."""
    responses = operation.setdefault("responses", {})
    for status in sorted({k.status for k in kinds}):
        same = [k for k in kinds if k.status == status]
        entry = responses.get(str(status))
        if entry is None:
            responses[str(status)] = _problem_entry(same)
            continue
        media = entry.setdefault("content", {}).setdefault(PROBLEM_JSON, {})
        media.setdefault("schema", {"$ref": "#/components/schemas/Problem"})
        examples = media.setdefault("examples", {})
        new = [k for k in same if k.name not in examples]
        examples.update(_examples(new))
        entry["description"] = "\n".join(
            [entry.get("description", ""), *(f"- `{k.name}`: {k.description}" for k in new)]
        )


def _document_gateway_problems(doc: dict[str, Any], owners: dict[str, str]) -> None:
    for path, method, operation in _operations(doc):
        if path.startswith(UNLIMITED):
            continue
        kinds: list[type[DomainError]] = [RateLimited, InvalidPath]
        kinds.append(BodyNotAllowed if method in ("get", "delete") else BodyTooLarge)
        if owners.get(path, GATEWAY) != GATEWAY:
            kinds += [InvalidTarget, BadGateway, GatewayTimeout]
        _add_problems(operation, kinds)
        headers = operation["responses"]["429"].setdefault("headers", {})
        for name, description in _RATE_LIMIT_HEADERS.items():
            headers.setdefault(name, {"description": description, "schema": {"type": "integer"}})


_READINESS = {
    "type": "object",
    "required": ["status", "service", "checks"],
    "properties": {
        "status": {"type": "string", "enum": ["ready", "not_ready"]},
        "service": {"type": "string"},
        "checks": {"type": "object", "additionalProperties": {"type": "string", "enum": ["ok", "unavailable"]}},
        "upstreams": {
            "type": "object",
            "description": "the gateway's services, reported: one that is down does not make the gateway not ready",
            "additionalProperties": {"type": "string", "enum": ["ok", "unavailable"]},
        },
    },
}


def _document_operations_routes(doc: dict[str, Any]) -> None:
    """What /readyz and /metrics really answer (their functions return a bare response, which FastAPI documents
    as JSON of any shape): readiness as JSON, 503 while a check fails; metrics in Prometheus's text format."""
    readyz = doc["paths"].get("/readyz", {}).get("get")
    if readyz is not None:
        readyz["responses"]["200"] = {"description": "Ready", "content": {"application/json": {"schema": _READINESS}}}
        readyz["responses"]["503"] = {
            "description": "Not ready: `checks` names each dependency that does not answer",
            "content": {"application/json": {"schema": _READINESS}},
        }
    metrics = doc["paths"].get("/metrics", {}).get("get")
    if metrics is not None:
        metrics["responses"]["200"] = {
            "description": "The process's metrics in Prometheus's text exposition format",
            "content": {"text/plain": {"schema": {"type": "string"}}},
        }


def _describe_tags(doc: dict[str, Any], declared: dict[str, str], owners: dict[str, str]) -> None:
    used: dict[str, str] = {}
    for path, _, operation in _operations(doc):
        for tag in operation.get("tags", []):
            used.setdefault(tag, owners.get(path, GATEWAY))
    doc["tags"] = [
        {
            "name": tag,
            "description": declared.get(tag) or TAG_DESCRIPTIONS.get(tag) or f"Operations of the {owner} service.",
        }
        for tag, owner in sorted(used.items())
    ]


def merge(own: dict[str, Any], services: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The gateway's document with each service's /v1 paths added. A schema name two services
    define differently is kept apart by suffixing the service's name."""
    doc = json.loads(json.dumps(own))
    owners = dict.fromkeys(doc["paths"], GATEWAY)
    declared = {t["name"]: t.get("description", "") for t in doc.get("tags", []) if "name" in t}
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    for service, spec in sorted(services.items()):
        for tag in spec.get("tags", []):
            if tag.get("description") and not declared.get(tag.get("name", "")):
                declared[tag["name"]] = tag["description"]
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
                owners[path] = service
    _name_operations(doc, owners)
    _document_gateway_problems(doc, owners)
    _document_operations_routes(doc)
    _describe_tags(doc, declared, owners)
    doc["components"]["securitySchemes"] = SECURITY_SCHEMES
    for path, item in doc["paths"].items():
        if path in _PUBLIC_FORWARDED and isinstance(item.get("get"), dict):
            # No credentials (an empty requirement, stated, so no default applies); its GET alone is public.
            item["get"]["security"] = []
        elif not path.startswith(_OPEN):
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
                    found = await upstreams.get_json(f"{base}/openapi.json", timeout=5.0)
                    if found is not None:
                        specs[service] = found
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
