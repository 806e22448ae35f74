"""The gateway: authentication, the principal it forwards, routing, and upstream failures."""

import uuid

import pytest

from fairpath.common.auth import PrincipalVerifier, Role
from fairpath.common.events.catalogue import BusinessRegistered, BusinessUpdated
from fairpath.common.events.envelope import new_event
from fairpath.common.testing.nats import wait_until
from fairpath.gateway.accounts.consumers import on_business_state
from fairpath.gateway.accounts.tables import LinkedBusiness


def key(demo_credentials, user):
    return {"X-API-Key": demo_credentials[1]["users"][user]["api_key"]}


async def test_request_without_credentials_is_401(gateway):
    r = await gateway.get("/v1/workers")
    assert r.status_code == 401 and r.headers["content-type"] == "application/problem+json"


async def test_unknown_api_key_is_401(gateway):
    assert (await gateway.get("/v1/workers", headers={"X-API-Key": "fp_nope"})).status_code == 401


async def test_api_key_becomes_a_signed_principal_for_the_service(gateway, demo_credentials, keypair):
    r = await gateway.get("/v1/workers?country=NP", headers=key(demo_credentials, "agency"))
    assert r.status_code == 200
    seen = r.json()
    assert seen["path"] == "/v1/workers" and seen["query"] == "country=NP"
    principal = PrincipalVerifier(keypair.public_pem).verify(seen["headers"]["x-fairpath-principal"])
    assert principal.role == Role.agency and principal.organization_id is not None
    assert "x-api-key" not in seen["headers"]


async def test_principal_header_from_outside_is_replaced(gateway, demo_credentials, keypair):
    r = await gateway.get("/v1/workers", headers={**key(demo_credentials, "worker"), "X-Fairpath-Principal": "forged"})
    token = r.json()["headers"]["x-fairpath-principal"]
    assert token != "forged" and PrincipalVerifier(keypair.public_pem).verify(token).role == Role.worker


async def test_request_id_is_passed_through_and_returned(gateway, demo_credentials):
    r = await gateway.get("/v1/workers", headers={**key(demo_credentials, "agency"), "X-Request-ID": "trace-123"})
    assert r.headers["x-request-id"] == "trace-123" and r.json()["headers"]["x-request-id"] == "trace-123"
    generated = await gateway.get("/v1/workers", headers=key(demo_credentials, "agency"))
    assert generated.headers["x-request-id"] == generated.json()["headers"]["x-request-id"]


async def test_body_is_streamed_to_the_service_and_cookies_stay_behind(gateway, demo_credentials):
    r = await gateway.post(
        "/v1/grievances/x",
        content=b'{"a": 1}',
        headers={**key(demo_credentials, "worker"), "content-type": "application/json"},
    )
    assert r.json()["body"] == '{"a": 1}'
    assert "set-cookie" not in r.headers
    assert not gateway_app_cookies(gateway)


def gateway_app_cookies(client):
    return list(client.cookies.jar)


async def test_password_login_gives_a_bearer_token(gateway, demo_credentials):
    user = demo_credentials[1]["users"]["auditor"]
    bad = await gateway.post("/v1/auth/token", data={"username": user["username"], "password": "wrong"})
    assert bad.status_code == 401
    r = await gateway.post("/v1/auth/token", data={"username": user["username"], "password": user["password"]})
    assert r.status_code == 200
    token = r.json()["access_token"]
    seen = await gateway.get("/v1/workers", headers={"Authorization": f"Bearer {token}"})
    assert seen.status_code == 200 and "authorization" not in seen.json()["headers"]
    assert (await gateway.get("/v1/workers", headers={"Authorization": "Bearer junk"})).status_code == 401


async def test_missing_login_fields_are_422(gateway):
    r = await gateway.post("/v1/auth/token", data={"username": "x"})
    assert r.status_code == 422 and r.json()["violations"][0]["field"] == "password"


async def test_unknown_path_is_404(gateway, demo_credentials):
    r = await gateway.get("/v1/nothing-here", headers=key(demo_credentials, "admin"))
    assert r.status_code == 404


async def test_a_method_a_gateway_path_does_not_have_is_405_naming_those_it_has(gateway, demo_credentials):
    r = await gateway.put("/v1/me", headers=key(demo_credentials, "admin"))
    assert r.status_code == 405 and r.headers["allow"] == "GET"
    assert r.json()["type"] == "urn:fairpath:problem:method_not_allowed"
    r = await gateway.delete("/v1/admin/organizations", headers=key(demo_credentials, "admin"))
    assert r.status_code == 405 and r.headers["allow"] == "GET, POST"
    # Without credentials it is a 401 first, as for any path.
    assert (await gateway.put("/v1/me")).status_code == 401


async def test_service_down_is_502_problem(gateway, demo_credentials):
    r = await gateway.get("/v1/job-orders", headers=key(demo_credentials, "employer"))
    assert r.status_code == 502 and r.json()["type"] == "urn:fairpath:problem:upstream_unavailable"


async def test_bodiless_request_fails_over_to_a_live_replica(gateway, demo_credentials):
    for _ in range(4):  # round-robin starts on the dead replica half of the time
        assert (await gateway.get("/v1/businesses", headers=key(demo_credentials, "agency"))).status_code == 200


async def test_slow_service_is_504_problem(gateway, demo_credentials):
    r = await gateway.get("/v1/workers/slow", headers=key(demo_credentials, "agency"))
    assert r.status_code == 504 and r.json()["type"] == "urn:fairpath:problem:upstream_timeout"


async def test_one_service_down_leaves_the_gateway_ready_and_only_its_routes_failing(gateway, demo_credentials):
    # The test gateway's contracts service listens nowhere; vetting (one live replica of two) and registry answer.
    async def broker_connected():
        r = await gateway.get("/readyz")
        return r if r.json()["checks"]["broker"] == "ok" else None

    r = await wait_until(broker_connected, message="the broker connection")
    assert r.status_code == 200 and r.json()["status"] == "ready"
    assert r.json()["checks"] == {"database": "ok", "broker": "ok"}
    assert r.json()["upstreams"] == {"vetting": "ok", "contracts": "unavailable", "registry": "ok"}
    down = await gateway.get("/v1/contracts", headers=key(demo_credentials, "agency"))
    assert down.status_code == 502 and down.json()["type"] == "urn:fairpath:problem:upstream_unavailable"
    assert "contracts" in down.json()["detail"]
    for path in ("/v1/workers", "/v1/businesses"):
        assert (await gateway.get(path, headers=key(demo_credentials, "agency"))).status_code == 200, path


@pytest.mark.parametrize("path", ["/healthz", "/docs", "/openapi.json"])
async def test_health_and_docs_are_open(gateway, path):
    assert (await gateway.get(path)).status_code == 200


async def test_dead_letters_are_for_admins_only(gateway, demo_credentials):
    assert (await gateway.get("/v1/admin/events/dead-letters")).status_code == 401
    r = await gateway.post("/v1/admin/events/replay", headers=key(demo_credentials, "compliance_officer"))
    assert r.status_code == 403


async def test_admin_lists_and_replays_dead_letters(gateway, gateway_app, demo_credentials):
    await wait_until(lambda: gateway_app.state.broker.connected, message="the broker connection")
    js = gateway_app.state.broker.js
    await js.publish(
        "dlq.gateway-test",
        b"{}",
        headers={
            "Fairpath-Consumer": "gateway-test",
            "Fairpath-Original-Subject": "registry.fee.reported",
            "Fairpath-Original-Stream": "REGISTRY",
            "Fairpath-Original-Seq": "1",
            "Fairpath-Error": "ValueError",
        },
    )
    listed = (
        await gateway.get(
            "/v1/admin/events/dead-letters", params={"consumer": "gateway-test"}, headers=key(demo_credentials, "admin")
        )
    ).json()
    assert [(d["subject"], d["error"]) for d in listed] == [("registry.fee.reported", "ValueError")]
    before = (await js.stream_info("REGISTRY")).state.last_seq
    r = await gateway.post(
        "/v1/admin/events/replay", json={"consumer": "gateway-test"}, headers=key(demo_credentials, "admin")
    )
    assert r.status_code == 200 and len(r.json()["replayed"]) == 1
    assert (await js.stream_info("REGISTRY")).state.last_seq == before + 1
    assert (
        await gateway.get(
            "/v1/admin/events/dead-letters", params={"consumer": "gateway-test"}, headers=key(demo_credentials, "admin")
        )
    ).json() == []


async def test_an_organisation_acts_for_the_business_vetting_links_it_to(
    gateway, gateway_app, demo_credentials, keypair
):
    me = (await gateway.get("/v1/me", headers=key(demo_credentials, "agency"))).json()
    agency_org = me["organization"]["id"]

    def principal_seen(response):
        return PrincipalVerifier(keypair.public_pem).verify(response.json()["headers"]["x-fairpath-principal"])

    before = await gateway.get("/v1/workers", headers=key(demo_credentials, "agency"))
    assert principal_seen(before).business_id is None

    await wait_until(lambda: gateway_app.state.broker.connected, message="the broker connection")
    business_id = uuid.uuid4()
    js = gateway_app.state.broker.js
    for payload in (
        BusinessRegistered(
            version=1,
            business_id=business_id,
            kind="recruitment_agency",
            legal_name="A",
            country="NP",
            status="registered",
        ),
        BusinessUpdated(
            version=2,
            business_id=business_id,
            kind="recruitment_agency",
            legal_name="A",
            country="NP",
            status="registered",
            organization_id=agency_org,
            changed_fields=["organization_id"],
        ),
    ):
        event = new_event(payload, business_id)
        await js.publish(event.nats_subject, event.to_json(), headers={"Nats-Msg-Id": event.id})

    async def linked():
        r = await gateway.get("/v1/workers", headers=key(demo_credentials, "agency"))
        return principal_seen(r).business_id == business_id

    await wait_until(linked, message="the agency's principal to carry its business")
    employer = await gateway.get("/v1/workers", headers=key(demo_credentials, "employer"))
    assert principal_seen(employer).business_id is None  # another organisation: not linked


async def test_a_late_business_event_never_overwrites_a_newer_link(gateway_app):
    business_id, first_org, second_org = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()

    def updated(version, organization_id):
        return BusinessUpdated(
            version=version,
            business_id=business_id,
            kind="employer",
            legal_name="B",
            country="AE",
            status="registered",
            organization_id=organization_id,
            changed_fields=["organization_id"],
        )

    database, ledger = gateway_app.state.database, gateway_app.state.ledger
    for payload in (updated(3, second_org), updated(2, first_org)):  # the older one arrives late
        async with database.session() as session:
            await on_business_state(session, ledger, new_event(payload, business_id), payload)
    async with database.session(read_only=True) as session:
        link = await session.get(LinkedBusiness, business_id)
    assert (link.version, link.organization_id) == (3, second_org)


async def test_the_gateways_own_audit_chain_is_read_with_a_gateway_credential(gateway, demo_credentials):
    r = await gateway.get("/v1/audit/gateway/verify", headers=key(demo_credentials, "auditor"))
    assert r.status_code == 200 and r.json()["valid"] is True
    assert (await gateway.get("/v1/audit/gateway/verify", headers=key(demo_credentials, "agency"))).status_code == 403
    assert (await gateway.get("/v1/audit/gateway/verify")).status_code == 401


async def test_large_and_small_answers_come_back_whole_with_their_headers(gateway, demo_credentials):
    headers = {**key(demo_credentials, "worker"), "content-type": "application/json"}
    for size in (10, 300_000):  # one read whole and sent on, one streamed through
        body = b'{"notes": "' + b"n" * size + b'"}'
        r = await gateway.post("/v1/grievances/x", content=body, headers=headers)
        assert r.status_code == 200 and r.json()["body"] == body.decode()
        assert int(r.headers["content-length"]) == len(r.content)
        assert r.headers["content-type"] == "application/json"
