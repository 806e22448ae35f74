"""The public check of a contract document (`GET /v1/verify/contracts/{code}`): forwarded to contracts without
credentials and without a principal, under its own stricter limit per client address; every other forwarded
path still asks for credentials, and the merged OpenAPI document shows the check as public."""

import itertools

import pytest

from fairpath.common.services import CONTRACTS, owner_of
from fairpath.gateway.config import GatewaySettings
from fairpath.gateway.routing.middleware import public_limit
from fairpath.gateway.routing.openapi import merge

from .conftest import api_key, client_from, echo_gateway
from .test_openapi import service_document

VERIFY_LIMIT = 4
_addresses = itertools.count(1)


def fresh_address() -> str:
    """A client address no other request of this module used: each test has its own counters."""
    n = next(_addresses)
    return f"198.19.{n // 250}.{n % 250 + 1}"


@pytest.fixture(scope="module")
async def public_app(gateway_app, demo_credentials, echo_upstream, common_settings, keypair):
    """A gateway on the same accounts whose services are the echoing upstream, with a small verify limit."""
    async with echo_gateway(
        gateway_app,
        echo_upstream,
        common_settings,
        keypair,
        rate_limit_verify=f"{VERIFY_LIMIT}/minute",
    ) as app:
        yield app


def test_contracts_owns_the_verify_path():
    assert owner_of("/v1/verify/contracts/7KQ2-M9XD-4RTH-W") is CONTRACTS
    assert owner_of("/v1/verify/workers/x") is None


def test_only_a_get_of_one_code_is_public():
    assert public_limit("GET", "/v1/verify/contracts/7KQ2-M9XD-4RTH-W") == "rate_limit_verify"
    for method, path in (
        ("POST", "/v1/verify/contracts/7KQ2-M9XD-4RTH-W"),
        ("DELETE", "/v1/verify/contracts/7KQ2-M9XD-4RTH-W"),
        ("GET", "/v1/verify/contracts"),
        ("GET", "/v1/verify/contracts/"),
        ("GET", "/v1/verify/contracts/7KQ2/M9XD"),
        ("GET", "/v1/contracts/7KQ2-M9XD-4RTH-W"),
    ):
        assert public_limit(method, path) is None, (method, path)


def test_the_verify_limit_defaults_to_30_a_minute_and_must_parse():
    assert GatewaySettings.model_fields["rate_limit_verify"].default == "30/minute"
    with pytest.raises(ValueError):
        GatewaySettings(rate_limit_verify="often")


async def test_a_check_needs_no_credentials_and_is_forwarded_to_contracts_without_a_principal(public_app):
    async with client_from(public_app, fresh_address()) as client:
        r = await client.get("/v1/verify/contracts/7kq2-m9xd-4rth-w")
    assert r.status_code == 200, r.text
    echoed = r.json()
    assert echoed["path"] == "/v1/verify/contracts/7kq2-m9xd-4rth-w"
    assert echoed["headers"]["x-fairpath-principal"] == ""
    assert int(r.headers["ratelimit-limit"]) == VERIFY_LIMIT
    assert int(r.headers["ratelimit-remaining"]) == VERIFY_LIMIT - 1


async def test_a_check_with_credentials_is_forwarded_without_a_principal_too(public_app, demo_credentials):
    _, credentials = demo_credentials
    async with client_from(public_app, fresh_address()) as client:
        r = await client.get("/v1/verify/contracts/7KQ2M9XD4RTHW", headers=api_key(credentials, "worker"))
    assert r.status_code == 200 and r.json()["headers"]["x-fairpath-principal"] == ""


async def test_checks_past_the_limit_from_one_address_are_429_and_another_address_still_checks(public_app):
    address = fresh_address()
    async with client_from(public_app, address) as client:
        for _ in range(VERIFY_LIMIT):
            assert (await client.get("/v1/verify/contracts/7KQ2-M9XD-4RTH-W")).status_code == 200
        r = await client.get("/v1/verify/contracts/0000-0000-0000-0")
        assert r.status_code == 429
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["type"] == "urn:fairpath:problem:too_many_requests"
        assert int(r.headers["retry-after"]) >= 1 and r.headers["ratelimit-remaining"] == "0"
    async with client_from(public_app, fresh_address()) as other:
        assert (await other.get("/v1/verify/contracts/7KQ2-M9XD-4RTH-W")).status_code == 200


async def test_every_other_path_still_asks_for_credentials(public_app):
    async with client_from(public_app, fresh_address()) as client:
        for method, path in (
            ("GET", "/v1/contracts"),
            ("GET", "/v1/contracts/7KQ2-M9XD-4RTH-W"),
            ("GET", "/v1/verify/contracts"),
            ("GET", "/v1/verify/contracts/7KQ2/M9XD"),
            ("POST", "/v1/verify/contracts/7KQ2-M9XD-4RTH-W"),
            ("DELETE", "/v1/verify/contracts/7KQ2-M9XD-4RTH-W"),
            ("GET", "/v1/workers"),
            ("GET", "/v1/businesses"),
        ):
            r = await client.request(method, path)
            assert r.status_code == 401, (method, path, r.status_code)


def test_the_merged_document_shows_the_check_as_public_and_everything_else_of_contracts_as_not(common_settings):
    contracts_doc = service_document(CONTRACTS, common_settings)
    doc = merge({"openapi": "3.1.0", "info": {"title": "x", "version": "1"}, "paths": {}}, {"contracts": contracts_doc})
    check = doc["paths"]["/v1/verify/contracts/{code}"]["get"]
    assert check["security"] == []
    assert {"200", "404", "429"} <= set(check["responses"])
    assert "401" not in check["responses"] and "403" not in check["responses"]
    assert check["responses"]["200"]["content"]["application/json"]["example"]["verdict"] == "current_signed"
    assert doc["paths"]["/v1/contracts/{contract_id}/versions"]["get"]["security"]
