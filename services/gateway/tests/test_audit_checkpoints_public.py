"""Signed audit checkpoints hold no personal data: the operator may serve them without login (outside witnesses keep
copies); by default they need an auditor's or an operator's credentials like every other audit route."""

import httpx

from fairpath.common.config import CommonSettings
from fairpath.gateway.app import create_app

from .conftest import api_key, gateway_settings


async def test_checkpoints_need_credentials_by_default_and_are_forwarded_with_the_callers_principal(
    gateway, demo_credentials
):
    _, credentials = demo_credentials
    assert (await gateway.get("/v1/audit/registry/checkpoints")).status_code == 401
    assert (await gateway.get("/v1/audit/gateway/checkpoints")).status_code == 401
    forwarded = await gateway.get("/v1/audit/registry/checkpoints", headers=api_key(credentials, "auditor"))
    assert forwarded.status_code == 200 and forwarded.json()["path"] == "/v1/audit/registry/checkpoints"
    assert forwarded.json()["headers"]["x-fairpath-principal"]
    own = await gateway.get("/v1/audit/gateway/checkpoints", headers=api_key(credentials, "auditor"))
    assert own.status_code == 200 and own.json()["service"] == "gateway"


async def test_with_public_checkpoints_anyone_reads_them_and_nothing_else_opens(
    echo_upstream, common_settings, keypair, database_url
):
    public = CommonSettings(**(common_settings.model_dump() | {"audit_public_checkpoints": True}))
    settings = gateway_settings(
        public, keypair, await database_url("gateway_public"), registry_urls=echo_upstream, vetting_urls=echo_upstream
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            forwarded = await client.get("/v1/audit/registry/checkpoints")
            assert forwarded.status_code == 200 and forwarded.json()["headers"]["x-fairpath-principal"] == ""
            own = await client.get("/v1/audit/gateway/checkpoints")
            assert own.status_code == 200 and own.json()["service"] == "gateway" and "keys" in own.json()
            assert (await client.post("/v1/audit/gateway/checkpoints")).status_code == 401
            assert (await client.get("/v1/audit/registry/records")).status_code == 401
            assert (await client.get("/v1/audit/nowhere/checkpoints")).status_code == 404
