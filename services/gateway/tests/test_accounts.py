"""The admin API: organisations (and the business each acts for), users, worker logins and API keys; who may
manage them; 404 for ids that do not exist, 422 naming the field, no 500."""

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from fairpath.common.clock import CLOCK
from fairpath.gateway.accounts.tables import ApiKey, LinkedBusiness

from .helpers import (
    active_user,
    admin,
    bearer,
    key_of,
    new_organization,
    new_user,
    registry_announces_worker,
    signed_in,
    unique,
    vetting_announces_business,
)


async def test_an_admin_creates_an_organisation_and_finds_it_listed_and_alone(gateway, demo_credentials):
    _, credentials = demo_credentials
    org = await new_organization(gateway, credentials, "employer")
    assert org["kind"] == "employer" and org["business_id"] is None and org["sso"] is None
    got = await gateway.get(f"/v1/admin/organizations/{org['id']}", headers=admin(credentials))
    assert got.status_code == 200 and got.json() == org

    listed = await gateway.get("/v1/admin/organizations", params={"kind": "employer"}, headers=admin(credentials))
    assert org["id"] in [o["id"] for o in listed.json()["items"]]
    assert {o["kind"] for o in listed.json()["items"]} == {"employer"}

    renamed = await gateway.patch(
        f"/v1/admin/organizations/{org['id']}", json={"name": "Renamed Employer"}, headers=admin(credentials)
    )
    assert renamed.status_code == 200 and renamed.json()["name"] == "Renamed Employer"
    assert renamed.json()["version"] == org["version"] + 1


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/v1/admin/organizations/{id}", None),
        ("PATCH", "/v1/admin/organizations/{id}", {"name": "x"}),
        ("PUT", "/v1/admin/organizations/{id}/sso", {"issuer": "https://i.example", "jwks_url": "https://i.example/k", "audience": "a"}),
        ("DELETE", "/v1/admin/organizations/{id}/sso", None),
        ("GET", "/v1/admin/organizations/{id}/users", None),
        ("POST", "/v1/admin/organizations/{id}/users", {"username": "nobody.here"}),
        ("GET", "/v1/admin/organizations/{id}/api-keys", None),
        ("POST", "/v1/admin/organizations/{id}/api-keys", {"name": "k", "user_id": str(uuid.uuid4())}),
        ("GET", "/v1/admin/users/{id}", None),
        ("PATCH", "/v1/admin/users/{id}", {"disabled": True}),
        ("POST", "/v1/admin/users/{id}/activation-code", None),
        ("DELETE", "/v1/admin/api-keys/{id}", None),
    ],
)  # fmt: skip
async def test_an_organisation_user_or_key_that_does_not_exist_is_404(gateway, demo_credentials, method, path, body):
    _, credentials = demo_credentials
    r = await gateway.request(method, path.format(id=uuid.uuid4()), json=body, headers=admin(credentials))
    assert r.status_code == 404, r.text
    assert r.json()["type"] == "urn:fairpath:problem:not_found"


async def test_only_an_admin_manages_organisations_users_and_keys(gateway, demo_credentials):
    _, credentials = demo_credentials
    body = {"name": "Sneaky Agency", "kind": "recruitment_agency"}
    assert (await gateway.post("/v1/admin/organizations", json=body)).status_code == 401
    for user in ("agency", "compliance_officer", "auditor", "worker"):
        r = await gateway.post("/v1/admin/organizations", json=body, headers=key_of(credentials, user))
        assert r.status_code == 403, user
    org = await new_organization(gateway, credentials)
    for path in (f"/v1/admin/organizations/{org['id']}/users", f"/v1/admin/organizations/{org['id']}/api-keys"):
        assert (await gateway.get(path, headers=key_of(credentials, "agency"))).status_code == 403


async def test_invalid_input_is_422_naming_each_field(gateway, demo_credentials):
    _, credentials = demo_credentials
    r = await gateway.post(
        "/v1/admin/organizations", json={"name": "A\u0000B", "kind": "bank"}, headers=admin(credentials)
    )
    assert r.status_code == 422
    assert {v["field"] for v in r.json()["violations"]} == {"name", "kind"}

    org = await new_organization(gateway, credentials)
    users = f"/v1/admin/organizations/{org['id']}/users"
    for body, field, rule in (
        ({"username": "has space"}, "username", "string_pattern_mismatch"),
        ({"username": unique("u"), "role": "admin"}, "role", "role_not_for_organization"),
        ({"username": unique("u"), "extra": 1}, "extra", "extra_forbidden"),
    ):
        r = await gateway.post(users, json=body, headers=admin(credentials))
        assert r.status_code == 422, r.text
        assert (r.json()["violations"][0]["field"], r.json()["violations"][0]["rule"]) == (field, rule)

    operator = await gateway.get("/v1/admin/organizations", params={"kind": "operator"}, headers=admin(credentials))
    operator_id = operator.json()["items"][0]["id"]
    r = await gateway.post(
        f"/v1/admin/organizations/{operator_id}/users", json={"username": unique("u")}, headers=admin(credentials)
    )
    assert r.status_code == 422 and r.json()["violations"][0]["field"] == "role"

    keys = f"/v1/admin/organizations/{org['id']}/api-keys"
    stranger = (await gateway.get("/v1/me", headers=key_of(credentials, "employer"))).json()["user_id"]
    r = await gateway.post(keys, json={"name": "k", "user_id": stranger}, headers=admin(credentials))
    assert r.status_code == 422 and r.json()["violations"][0] == {
        "field": "user_id", "rule": "not_found", "message": f"user {stranger} not found",
    }  # fmt: skip
    member = await new_user(gateway, credentials, org["id"])
    r = await gateway.post(
        keys, json={"name": "k", "user_id": member["id"], "expires_at": "2001-01-01T00:00:00Z"},
        headers=admin(credentials),
    )  # fmt: skip
    assert r.status_code == 422 and r.json()["violations"][0]["field"] == "expires_at"


async def test_usernames_are_unique_whatever_their_case(gateway, demo_credentials):
    _, credentials = demo_credentials
    org = await new_organization(gateway, credentials)
    user = await new_user(gateway, credentials, org["id"])
    r = await gateway.post(
        f"/v1/admin/organizations/{org['id']}/users", json={"username": user["username"].upper()},
        headers=admin(credentials),
    )  # fmt: skip
    assert r.status_code == 409 and r.json()["type"] == "urn:fairpath:problem:username_taken"


async def test_an_organisation_acts_only_for_a_business_vetting_announced_with_its_kind(
    gateway, gateway_app, demo_credentials
):
    _, credentials = demo_credentials
    agency = await new_organization(gateway, credentials, "recruitment_agency")
    path = f"/v1/admin/organizations/{agency['id']}"
    unknown = uuid.uuid4()
    r = await gateway.patch(path, json={"business_id": str(unknown)}, headers=admin(credentials))
    assert r.status_code == 422
    assert r.json()["violations"][0] == {
        "field": "business_id", "rule": "not_found", "message": f"business {unknown} not found",
    }  # fmt: skip

    employer_business = await vetting_announces_business(gateway_app, "employer")
    r = await gateway.patch(path, json={"business_id": str(employer_business)}, headers=admin(credentials))
    assert r.status_code == 422 and r.json()["violations"][0]["rule"] == "business_kind_mismatch"

    agency_business = await vetting_announces_business(gateway_app, "recruitment_agency")
    r = await gateway.patch(path, json={"business_id": str(agency_business)}, headers=admin(credentials))
    assert r.status_code == 200 and r.json()["business_id"] == str(agency_business)

    other = await new_organization(gateway, credentials, "recruitment_agency")
    r = await gateway.patch(
        f"/v1/admin/organizations/{other['id']}", json={"business_id": str(agency_business)},
        headers=admin(credentials),
    )  # fmt: skip
    assert r.status_code == 409 and r.json()["type"] == "urn:fairpath:problem:business_linked_elsewhere"

    # Vetting's record naming another organisation is honoured too.
    theirs = await vetting_announces_business(gateway_app, "recruitment_agency", organization_id=other["id"])
    assert (await gateway.get(f"/v1/admin/organizations/{other['id']}", headers=admin(credentials))).json()[
        "business_id"
    ] == str(theirs)
    r = await gateway.patch(path, json={"business_id": str(theirs)}, headers=admin(credentials))
    assert r.status_code == 409

    auditor = await new_organization(gateway, credentials, "auditor")
    r = await gateway.post(
        "/v1/admin/organizations",
        json={"name": "Audit", "kind": "auditor", "business_id": str(agency_business)},
        headers=admin(credentials),
    )
    assert r.status_code == 422 and r.json()["violations"][0]["rule"] == "no_business_for_kind"
    assert auditor["business_id"] is None


async def test_the_principal_carries_the_business_its_organisation_acts_for(gateway, gateway_app, demo_credentials):
    _, credentials = demo_credentials
    person = await active_user(gateway, credentials, "employer")
    business_id = await vetting_announces_business(
        gateway_app, "employer", organization_id=person["organization"]["id"]
    )
    tokens = await signed_in(gateway, person["username"])
    me = (await gateway.get("/v1/me", headers=bearer(tokens))).json()
    assert me["business_id"] == str(business_id) and me["organization"]["kind"] == "employer"
    async with gateway_app.state.database.session(read_only=True) as session:
        assert (await session.get(LinkedBusiness, business_id)).kind == "employer"


async def test_a_worker_login_links_only_to_a_worker_the_registry_announced(gateway, gateway_app, demo_credentials):
    _, credentials = demo_credentials
    unknown = uuid.uuid4()
    body = {"username": unique("worker"), "worker_id": str(unknown)}
    r = await gateway.post("/v1/admin/users", json=body, headers=key_of(credentials, "compliance_officer"))
    assert r.status_code == 422 and r.json()["violations"][0]["message"] == f"worker {unknown} not found"

    worker_id = await registry_announces_worker(gateway_app)
    body["worker_id"] = str(worker_id)
    created = await gateway.post("/v1/admin/users", json=body, headers=key_of(credentials, "compliance_officer"))
    assert created.status_code == 201, created.text
    login = created.json()
    assert (login["role"], login["worker_id"], login["organization_id"]) == ("worker", str(worker_id), None)
    assert login["status"] == "pending_activation" and login["activation"]["code"]

    again = await gateway.post(
        "/v1/admin/users", json={"username": unique("worker"), "worker_id": str(worker_id)}, headers=admin(credentials)
    )
    assert again.status_code == 409 and again.json()["type"] == "urn:fairpath:problem:worker_has_login"
    found = await gateway.get(
        "/v1/admin/users", params={"worker_id": str(worker_id)}, headers=key_of(credentials, "compliance_officer")
    )
    assert [u["id"] for u in found.json()["items"]] == [login["id"]]
    # The agency that registered the worker never handles their login.
    assert (await gateway.post("/v1/admin/users", json=body, headers=key_of(credentials, "agency"))).status_code == 403


async def test_a_compliance_officer_reaches_no_operator_account(gateway, demo_credentials):
    _, credentials = demo_credentials
    admin_id = (await gateway.get("/v1/me", headers=admin(credentials))).json()["user_id"]
    officer = key_of(credentials, "compliance_officer")
    assert (await gateway.get(f"/v1/admin/users/{admin_id}", headers=officer)).status_code == 404
    assert (await gateway.post(f"/v1/admin/users/{admin_id}/activation-code", headers=officer)).status_code == 404
    found = await gateway.get("/v1/admin/users", params={"username": "admin"}, headers=officer)
    assert found.json()["items"] == []


async def test_an_api_key_is_shown_once_listed_by_prefix_and_stops_at_once_when_revoked(
    gateway, gateway_app, demo_credentials
):
    _, credentials = demo_credentials
    person = await active_user(gateway, credentials)
    org_id = person["organization"]["id"]
    created = await gateway.post(
        f"/v1/admin/organizations/{org_id}/api-keys", json={"name": "CRM", "user_id": person["user"]["id"]},
        headers=admin(credentials),
    )  # fmt: skip
    assert created.status_code == 201, created.text
    key = created.json()
    assert key["key"].startswith(key["prefix"]) and len(key["key"]) > 40 and key["last_used_at"] is None

    me = await gateway.get("/v1/me", headers={"X-API-Key": key["key"]})
    assert me.status_code == 200 and me.json()["authenticated_by"] == "api_key"
    listed = (await gateway.get(f"/v1/admin/organizations/{org_id}/api-keys", headers=admin(credentials))).json()
    [shown] = listed["items"]
    assert "key" not in shown and shown["prefix"] == key["prefix"] and shown["status"] == "active"
    assert shown["last_used_at"] is not None and shown["name"] == "CRM"
    async with gateway_app.state.database.session(read_only=True) as session:
        stored = (await session.execute(select(ApiKey).where(ApiKey.id == uuid.UUID(key["id"])))).scalar_one()
    assert key["key"] not in stored.digest and len(stored.digest) == 64

    assert (await gateway.delete(f"/v1/admin/api-keys/{key['id']}", headers=admin(credentials))).status_code == 204
    assert (await gateway.get("/v1/me", headers={"X-API-Key": key["key"]})).status_code == 401
    listed = (await gateway.get(f"/v1/admin/organizations/{org_id}/api-keys", headers=admin(credentials))).json()
    assert listed["items"][0]["status"] == "revoked"
    # Revoking it again changes nothing.
    assert (await gateway.delete(f"/v1/admin/api-keys/{key['id']}", headers=admin(credentials))).status_code == 204


async def test_a_keys_last_use_is_not_written_on_every_request(gateway, gateway_app, demo_credentials):
    _, credentials = demo_credentials
    person = await active_user(gateway, credentials)
    created = await gateway.post(
        f"/v1/admin/organizations/{person['organization']['id']}/api-keys",
        json={"name": "busy", "user_id": person["user"]["id"]}, headers=admin(credentials),
    )  # fmt: skip
    key = created.json()

    async def last_used():
        async with gateway_app.state.database.session(read_only=True) as session:
            return (await session.get(ApiKey, uuid.UUID(key["id"]))).last_used_at

    await gateway.get("/v1/me", headers={"X-API-Key": key["key"]})
    first = await last_used()
    assert first is not None
    for _ in range(3):
        assert (await gateway.get("/v1/me", headers={"X-API-Key": key["key"]})).status_code == 200
    assert await last_used() == first


async def test_an_expired_key_is_refused(gateway, demo_credentials):
    _, credentials = demo_credentials
    person = await active_user(gateway, credentials)
    created = await gateway.post(
        f"/v1/admin/organizations/{person['organization']['id']}/api-keys",
        json={"name": "short", "user_id": person["user"]["id"], "expires_at": "2999-01-01T00:00:00Z"},
        headers=admin(credentials),
    )  # fmt: skip
    key = created.json()
    assert (await gateway.get("/v1/me", headers={"X-API-Key": key["key"]})).status_code == 200
    try:
        CLOCK.set_now(CLOCK.now().replace(year=3000))
        assert (await gateway.get("/v1/me", headers={"X-API-Key": key["key"]})).status_code == 401
    finally:
        CLOCK.set_offset(timedelta(0))


async def test_disabling_a_user_ends_their_sessions_and_stops_their_keys_at_the_next_request(gateway, demo_credentials):
    _, credentials = demo_credentials
    person = await active_user(gateway, credentials)
    user_id = person["user"]["id"]
    created = await gateway.post(
        f"/v1/admin/organizations/{person['organization']['id']}/api-keys",
        json={"name": "k", "user_id": user_id}, headers=admin(credentials),
    )  # fmt: skip
    key = {"X-API-Key": created.json()["key"]}
    tokens = await signed_in(gateway, person["username"])
    assert (await gateway.get("/v1/me", headers=bearer(tokens))).status_code == 200

    r = await gateway.patch(f"/v1/admin/users/{user_id}", json={"disabled": True}, headers=admin(credentials))
    assert r.status_code == 200 and r.json()["status"] == "disabled"
    assert (await gateway.get("/v1/me", headers=bearer(tokens))).status_code == 401
    assert (await gateway.get("/v1/me", headers=key)).status_code == 401
    assert (await gateway.post("/v1/auth/refresh", data={"refresh_token": tokens["refresh_token"]})).status_code == 401
    assert (
        await gateway.post("/v1/auth/token", data={"username": person["username"], "password": "x"})
    ).status_code == 401

    r = await gateway.patch(f"/v1/admin/users/{user_id}", json={"disabled": False}, headers=admin(credentials))
    assert r.status_code == 200 and r.json()["status"] == "active"
    assert (await gateway.get("/v1/me", headers=key)).status_code == 200  # the key comes back
    assert (await gateway.get("/v1/me", headers=bearer(tokens))).status_code == 401  # the session does not


async def test_the_last_admin_can_be_neither_disabled_nor_demoted(gateway, demo_credentials):
    _, credentials = demo_credentials
    admin_id = (await gateway.get("/v1/me", headers=admin(credentials))).json()["user_id"]
    for body in ({"disabled": True}, {"role": "compliance_officer"}):
        r = await gateway.patch(f"/v1/admin/users/{admin_id}", json=body, headers=admin(credentials))
        assert r.status_code == 409 and r.json()["type"] == "urn:fairpath:problem:last_admin"
    assert (await gateway.get("/v1/me", headers=admin(credentials))).json()["role"] == "admin"


async def test_a_role_changes_only_within_the_organisations_kind(gateway, demo_credentials):
    _, credentials = demo_credentials
    operator = await gateway.get("/v1/admin/organizations", params={"kind": "operator"}, headers=admin(credentials))
    officer = await new_user(gateway, credentials, operator.json()["items"][0]["id"], role="compliance_officer")
    r = await gateway.patch(f"/v1/admin/users/{officer['id']}", json={"role": "admin"}, headers=admin(credentials))
    assert r.status_code == 200 and r.json()["role"] == "admin"
    r = await gateway.patch(f"/v1/admin/users/{officer['id']}", json={"role": "agency"}, headers=admin(credentials))
    assert r.status_code == 422 and r.json()["violations"][0]["rule"] == "role_not_for_organization"
    r = await gateway.patch(f"/v1/admin/users/{officer['id']}", json={"role": None}, headers=admin(credentials))
    assert r.status_code == 422 and r.json()["violations"][0]["field"] == "role"
    back = await gateway.patch(
        f"/v1/admin/users/{officer['id']}", json={"role": "compliance_officer"}, headers=admin(credentials)
    )
    assert back.status_code == 200  # the demo admin is the only admin again, for the other tests


async def test_the_api_document_shows_the_account_operations_and_which_are_public(gateway):
    doc = (await gateway.get("/openapi.json")).json()
    for path in (
        "/v1/me", "/v1/me/totp", "/v1/me/totp/confirm", "/v1/admin/organizations/{organization_id}/api-keys",
        "/v1/admin/users/{user_id}/activation-code", "/v1/admin/organizations/{organization_id}/sso",
    ):  # fmt: skip
        assert path in doc["paths"], path
    assert "security" not in doc["paths"]["/v1/auth/activate"]["post"]
    assert doc["paths"]["/v1/admin/api-keys/{key_id}"]["delete"]["security"]
