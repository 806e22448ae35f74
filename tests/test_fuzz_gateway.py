"""Fuzzing the whole public API through the gateway: schemathesis generates requests from the gateway's merged
OpenAPI (fetched live from the shared stack) and sends each to the running gateway as every role, with an API
key each. Whatever the role (a 403, a 404 outside its reach, a 422 for a generated body), the answer must be
one the document promises: no server error, a documented status, the documented content type, a body and
headers that match the documented schema, and 405 for a method an operation does not have.

Bounded for the suite: a few generated requests per operation (about 2,000 requests in all, a minute and a half
on two busy cores), derandomized so that a failure comes back on the next run, and no per-example deadline (a
loaded machine is slow, not wrong). Each role's first failure on an operation is kept and all are reported
together, rather than hypothesis shrinking the first one. It runs last (see conftest.py): it writes what it
likes, reference tables included."""

import re
import uuid

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)
from schemathesis.core.failures import FailureGroup

from .conftest import LiveStack

ROLES = ("admin", "compliance_officer", "auditor", "agency", "employer", "worker")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    unsupported_method,
]
EXAMPLES_PER_OPERATION = 3

# Left out, each for a reason:
EXCLUDED = {
    # Moves the clock every service sees: every later request of the run would be judged at a random date.
    ("PUT", "/v1/admin/clock"),
}


@pytest.fixture(scope="module")
def gateway_api(shared_stack: LiveStack):
    """The merged document as the running gateway serves it."""
    document = httpx.get(f"{shared_stack.gateway}/openapi.json", timeout=30).json()
    return schemathesis.openapi.from_dict(document)


def summary(failure: BaseException) -> str:
    text = str(failure).strip().splitlines()
    return " | ".join(line.strip() for line in text[:6] if line.strip())


def fuzz(operation, shared_stack: LiveStack, failures: dict[str, str]) -> None:
    """Send EXAMPLES_PER_OPERATION generated requests to one operation as every role; keep each role's first
    failure (caught, so that hypothesis does not spend the budget shrinking it)."""
    label = f"{operation.method.upper()} {operation.path}"

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case) -> None:
        for role in ROLES:
            key = f"{label} as {role}"
            if key in failures:
                continue
            try:
                case.call_and_validate(
                    base_url=shared_stack.gateway,
                    headers={"X-API-Key": shared_stack.api_key(role)},
                    checks=CHECKS,
                    timeout=30,
                )
            except (Exception, FailureGroup) as failure:  # noqa: BLE001 - every failure is reported, by operation and role
                failures[key] = f"{type(failure).__name__}: {summary(failure)}"

    run()


def test_every_role_gets_a_documented_answer_to_any_request(gateway_api, shared_stack: LiveStack):
    failures: dict[str, str] = {}
    tried = []
    for result in gateway_api.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in EXCLUDED:
            continue
        fuzz(operation, shared_stack, failures)
        tried.append(operation.path)
    assert len(tried) > 100, "the document lists far fewer operations than the API has"
    assert not failures, "\n".join(f"{key}: {message}" for key, message in sorted(failures.items()))


def test_a_method_a_path_does_not_have_is_405_naming_those_it_has(shared_stack: LiveStack):
    """What schemathesis's unsupported_method check asks, for every path of the document, the gateway's own
    and the services' alike: a 405 with an Allow header, not a 404, which would say the path does not exist,
    naming the methods documented for the path (all of them, where a path has several routes)."""
    document = httpx.get(f"{shared_stack.gateway}/openapi.json", timeout=30).json()
    wrong = {}
    with shared_stack.client("admin") as admin:
        for path, item in document["paths"].items():
            documented = {method.upper() for method in item if method in ("get", "put", "post", "patch", "delete")}
            missing = next(m for m in ("PUT", "DELETE", "PATCH", "POST", "GET") if m not in documented)
            response = admin.request(missing, re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path))
            allowed = {m.strip() for m in response.headers.get("allow", "").split(",") if m.strip()}
            if response.status_code != 405 or allowed != documented:
                wrong[f"{missing} {path}"] = (response.status_code, response.headers.get("allow"))
    assert wrong == {}
