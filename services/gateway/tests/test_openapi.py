"""The gateway's OpenAPI document: its own paths and every service's, merged, with authentication."""

import importlib
import re

from fairpath.common.config import ServiceSettings
from fairpath.common.errors import PROBLEM_JSON, problems
from fairpath.common.services import DOMAIN_SERVICES, owner_of
from fairpath.gateway.protection.limits import TooManyFailedSignIns
from fairpath.gateway.routing.openapi import TAG_DESCRIPTIONS, merge


def spec(paths, schemas):
    return {
        "openapi": "3.1.0",
        "info": {"title": "x", "version": "1"},
        "paths": paths,
        "components": {"schemas": schemas},
    }


def test_services_paths_join_the_gateways_and_clashing_schemas_stay_apart():
    own = spec({"/v1/auth/token": {"post": {}}}, {"Problem": {"type": "object"}})
    vetting = spec(
        {
            "/v1/businesses": {"get": {"responses": {"200": {"$ref": "#/components/schemas/Page"}}}},
            "/healthz": {"get": {}},
        },
        {"Problem": {"type": "object"}, "Page": {"type": "object", "title": "businesses"}},
    )
    registry = spec(
        {"/v1/workers": {"get": {"responses": {"200": {"$ref": "#/components/schemas/Page"}}}}},
        {"Page": {"type": "object", "title": "workers"}},
    )
    doc = merge(own, {"vetting": vetting, "registry": registry})
    assert set(doc["paths"]) == {"/v1/auth/token", "/v1/businesses", "/v1/workers"}  # not the services' health
    schemas = doc["components"]["schemas"]
    assert schemas["Problem"] == {"type": "object"}
    refs = {
        doc["paths"]["/v1/businesses"]["get"]["responses"]["200"]["$ref"],
        doc["paths"]["/v1/workers"]["get"]["responses"]["200"]["$ref"],
    }
    assert len(refs) == 2  # the two different Page schemas are both kept
    assert {schemas[r.rsplit("/", 1)[-1]]["title"] for r in refs} == {"businesses", "workers"}


def test_every_operation_but_signing_in_names_its_authentication():
    own = {"/v1/auth/token": {"post": {}}, "/v1/auth/refresh": {"post": {}}, "/v1/auth/activate": {"post": {}}}
    doc = merge(spec(own | {"/v1/me": {"get": {}}}, {}), {"vetting": spec({"/v1/businesses": {"post": {}}}, {})})
    assert doc["components"]["securitySchemes"]["ApiKey"]["name"] == "X-API-Key"
    assert doc["paths"]["/v1/businesses"]["post"]["security"] == [
        {"ApiKey": []},
        {"Password": []},
        {"SingleSignOn": []},
    ]
    assert all("security" not in doc["paths"][path]["post"] for path in own)
    assert doc["paths"]["/v1/me"]["get"]["security"]


# --- readable ids, described tags, the gateway's own problems ----------------------------------------


def fastapi_operation(name: str, path: str, method: str, **fields) -> dict:
    """An operation as FastAPI writes it: its id is the function's name, then the path and method."""
    return {"operationId": name + re.sub(r"\W", "_", path) + "_" + method, "responses": {}, **fields}


def test_operation_ids_are_the_functions_names_and_unique_across_services():
    own = spec({"/v1/me": {"get": fastapi_operation("who_am_i", "/v1/me", "get")}}, {})
    vetting = spec(
        {
            "/v1/businesses/{business_id}": {
                "get": fastapi_operation("get_business", "/v1/businesses/{business_id}", "get")
            },
            "/v1/audit/vetting/records": {
                "get": fastapi_operation("list_audit_records", "/v1/audit/vetting/records", "get")
            },
        },
        {},
    )
    registry = spec(
        {
            "/v1/audit/registry/records": {
                "get": fastapi_operation("list_audit_records", "/v1/audit/registry/records", "get")
            }
        },
        {},
    )
    doc = merge(own, {"vetting": vetting, "registry": registry})
    ids = {path: item["get"]["operationId"] for path, item in doc["paths"].items()}
    assert ids == {
        "/v1/me": "who_am_i",
        "/v1/businesses/{business_id}": "get_business",
        "/v1/audit/vetting/records": "list_audit_records_vetting",
        "/v1/audit/registry/records": "list_audit_records_registry",
    }


def test_every_tag_is_described_the_services_own_words_first():
    own = spec({"/v1/me": {"get": {"tags": ["identity"], "responses": {}}}}, {})
    vetting = spec(
        {
            "/v1/businesses": {"get": {"tags": ["businesses"], "responses": {}}},
            "/v1/watchlists": {"get": {"tags": ["a tag nobody described"], "responses": {}}},
            "/v1/screening-hits/x": {"get": {"tags": ["screening"], "responses": {}}},
        },
        {},
    )
    vetting["tags"] = [{"name": "screening", "description": "vetting's own words"}]
    tags = {t["name"]: t["description"] for t in merge(own, {"vetting": vetting})["tags"]}
    assert tags["identity"] == TAG_DESCRIPTIONS["identity"]
    assert tags["businesses"] == TAG_DESCRIPTIONS["businesses"]
    assert tags["screening"] == "vetting's own words"
    assert tags["a tag nobody described"] == "Operations of the vetting service."


def problem_types(operation: dict, status: str) -> set[str]:
    examples = operation["responses"][status]["content"][PROBLEM_JSON]["examples"]
    return {e["value"]["type"].rsplit(":", 1)[-1] for e in examples.values()}


def test_the_gateways_own_problems_are_listed_beside_each_operations_own():
    sign_in = {
        "post": {
            "requestBody": {"content": {"application/x-www-form-urlencoded": {"schema": {}}}},
            "responses": {
                "429": {k: v for k, v in problems(TooManyFailedSignIns, public=True)[429].items() if k != "model"}
            },
        }
    }
    own = spec({"/v1/auth/token": sign_in, "/healthz": {"get": {"responses": {}}}}, {})
    vetting = spec(
        {
            "/v1/businesses": {
                "get": {"responses": {"200": {"description": "ok"}}},
                "post": {"requestBody": {"content": {"application/json": {"schema": {}}}}, "responses": {}},
            }
        },
        {},
    )
    doc = merge(own, {"vetting": vetting})
    listed = doc["paths"]["/v1/businesses"]["get"]
    assert problem_types(listed, "429") == {"too_many_requests"}
    assert {"invalid_path", "body_not_allowed", "invalid_target"} <= problem_types(listed, "400")
    assert problem_types(listed, "502") == {"upstream_unavailable"}
    assert problem_types(listed, "504") == {"upstream_timeout"}
    assert set(listed["responses"]["429"]["headers"]) == {
        "Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset",
    }  # fmt: skip
    assert listed["responses"]["200"] == {"description": "ok"}
    registered = doc["paths"]["/v1/businesses"]["post"]
    assert problem_types(registered, "413") == {"too_large"}
    signing_in = doc["paths"]["/v1/auth/token"]["post"]
    assert problem_types(signing_in, "429") == {"too_many_failed_sign_ins", "too_many_requests"}
    assert problem_types(signing_in, "413") == {"too_large"}
    assert "502" not in signing_in["responses"] and "504" not in signing_in["responses"]  # the gateway's own
    assert "429" not in doc["paths"]["/healthz"]["get"]["responses"]  # probes are never limited


# --- the documents as served ----------------------------------------------------------------------


def request_body_examples(doc: dict, operation: dict) -> bool:
    schemas = doc["components"]["schemas"]
    for media in operation["requestBody"]["content"].values():
        if "example" in media or "examples" in media:
            return True
        schema = media.get("schema", {})
        refs = [schema] + schema.get("anyOf", [])
        for ref in refs:
            found = schemas.get(ref.get("$ref", "").rsplit("/", 1)[-1], ref)
            if "example" in found or "examples" in found:
                return True
    return False


def operations_of(doc: dict):
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and method in ("get", "post", "put", "patch", "delete"):
                yield f"{method.upper()} {path}", path, method, operation


async def test_the_gateways_own_operations_have_readable_ids_and_an_example_on_every_body(gateway):
    doc = (await gateway.get("/openapi.json")).json()
    ids = [operation["operationId"] for _, _, _, operation in operations_of(doc)]
    assert len(ids) == len(set(ids))
    assert "issue_token" in ids and "create_organization" in ids
    assert not [i for i in ids if "_v1_" in i]
    without = [
        name for name, _, _, op in operations_of(doc) if "requestBody" in op and not request_body_examples(doc, op)
    ]
    assert without == []
    assert all(t["description"] for t in doc["tags"])
    limited = [
        name for name, path, _, op in operations_of(doc) if not path.startswith(("/healthz", "/readyz", "/metrics"))
    ]
    assert limited and all("429" in op["responses"] for name, _, _, op in operations_of(doc) if name in limited)


def service_document(spec_, common_settings) -> dict:
    """A domain service's own document, from its real app (imported by name, as the launcher starts it)."""
    config = importlib.import_module(f"fairpath.{spec_.package}.config")
    settings_class = next(
        value
        for value in vars(config).values()
        if isinstance(value, type)
        and issubclass(value, ServiceSettings)
        and getattr(value, "service_name", None) == spec_.name
    )
    module, factory = spec_.app_factory.split(":")
    settings = settings_class(database_url="sqlite+aiosqlite:///:memory:", common=common_settings)
    return getattr(importlib.import_module(module), factory)(settings).openapi()


async def test_the_whole_apis_document_names_describes_and_lists_the_gateways_problems(gateway_app, common_settings):
    doc = merge(gateway_app.openapi(), {s.name: service_document(s, common_settings) for s in DOMAIN_SERVICES})
    ids = [operation["operationId"] for _, _, _, operation in operations_of(doc)]
    assert len(ids) == len(set(ids))
    assert not [i for i in ids if "_v1_" in i]
    undescribed = [t["name"] for t in doc["tags"] if t["description"].startswith("Operations of the")]
    assert undescribed == []
    forwarded = [(name, method, op) for name, path, method, op in operations_of(doc) if owner_of(path) is not None]
    assert forwarded
    for name, method, operation in forwarded:
        statuses = set(operation["responses"])
        assert {"429", "502", "504"} <= statuses, name
        if "requestBody" in operation:
            assert "413" in statuses, name


# --- /docs, offline ---------------------------------------------------------------------------------


async def test_the_docs_page_loads_only_assets_the_gateway_serves(gateway):
    page = await gateway.get("/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert not re.search(r"(https?:)?//[a-z0-9]", page.text, re.IGNORECASE)  # no CDN, no other host at all
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sorted(assets) == [
        "/docs/assets/favicon-32x32.png",
        "/docs/assets/swagger-ui-bundle.js",
        "/docs/assets/swagger-ui.css",
    ]
    expected = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}
    for url in assets:
        r = await gateway.get(url)
        assert r.status_code == 200, url
        assert r.headers["content-type"].split(";")[0] == expected[url[url.rindex(".") :]]
    bundle = (await gateway.get("/docs/assets/swagger-ui-bundle.js")).text
    assert "SwaggerUIBundle" in bundle and len(bundle) > 500_000
    assert "url: '/openapi.json'" in page.text and (await gateway.get("/openapi.json")).status_code == 200


async def test_nothing_else_is_served_from_the_docs_assets_nor_redoc_from_a_cdn(gateway):
    assert (await gateway.get("/docs/assets/index.html")).status_code == 404
    assert (await gateway.get("/docs/assets/..%2F__init__.py")).status_code == 404
    assert (await gateway.get("/redoc")).status_code == 404
    redirect = await gateway.get("/docs/oauth2-redirect")
    assert redirect.status_code == 200 and not re.search(r"https?://", redirect.text)


def test_metrics_are_documented_as_prometheus_text_and_readiness_with_its_503():
    own = spec(
        {
            "/readyz": {"get": {"responses": {"200": {"content": {"application/json": {"schema": {}}}}}}},
            "/metrics": {"get": {"responses": {"200": {"content": {"application/json": {"schema": {}}}}}}},
        },
        {},
    )
    doc = merge(own, {})
    assert list(doc["paths"]["/metrics"]["get"]["responses"]["200"]["content"]) == ["text/plain"]
    readyz = doc["paths"]["/readyz"]["get"]["responses"]
    assert readyz["503"]["content"]["application/json"]["schema"]["properties"]["status"]["enum"] == [
        "ready",
        "not_ready",
    ]
    assert readyz["200"]["content"]["application/json"]["schema"]["required"] == ["status", "service", "checks"]
