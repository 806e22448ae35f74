"""Each operation's OpenAPI lists the problems it can return, by type, so /docs shows a client the real
409s and 422s of each operation instead of one blanket set."""

import pytest

from fairpath.common.errors import PROBLEM_JSON
from fairpath.common.services import DOMAIN_SERVICES

from .test_routing_table import app_of

METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def documents(common_settings) -> dict:
    return {spec.name: app_of(spec, common_settings).openapi() for spec in DOMAIN_SERVICES}


def operations(document: dict):
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item and path.startswith("/v1/"):
                yield f"{method.upper()} {path}", path, item[method]


@pytest.mark.parametrize("spec", DOMAIN_SERVICES, ids=lambda spec: spec.name)
def test_every_client_error_an_operation_documents_names_its_problem_types(spec, documents):
    unnamed = []
    for name, _, operation in operations(documents[spec.name]):
        for status, response in operation["responses"].items():
            if not status.startswith("4"):
                continue
            examples = response.get("content", {}).get(PROBLEM_JSON, {}).get("examples", {})
            types = [e["value"]["type"] for e in examples.values()]
            if not types or not all(t.startswith("urn:fairpath:problem:") for t in types):
                unnamed.append(f"{name} {status}")
    assert unnamed == []


@pytest.mark.parametrize("spec", DOMAIN_SERVICES, ids=lambda spec: spec.name)
def test_an_operation_on_a_record_by_id_documents_not_found(spec, documents):
    missing = [
        name
        for name, path, operation in operations(documents[spec.name])
        if "_id}" in path and "404" not in operation["responses"]
    ]
    assert missing == []


@pytest.mark.parametrize("spec", DOMAIN_SERVICES, ids=lambda spec: spec.name)
def test_named_conflicts_are_documented_where_they_are_raised(spec, documents):
    """Not one blanket 409: operations differ in the conflicts they list."""
    conflicts = {
        name: tuple(sorted(operation["responses"]["409"]["content"][PROBLEM_JSON]["examples"]))
        for name, _, operation in operations(documents[spec.name])
        if "409" in operation["responses"]
    }
    assert conflicts, "the service documents no conflict at all"
    assert len(set(conflicts.values())) > 1 or len(conflicts) == 1
