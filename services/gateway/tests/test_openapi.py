"""The gateway's OpenAPI document: its own paths and every service's, merged, with authentication."""

from fairpath.gateway.routing.openapi import merge


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
