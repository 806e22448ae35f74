"""Single sign-on: an organisation's OpenID Connect issuer, whose keys a test server on loopback publishes.
Its tokens open the user linked by (issuer, subject), after the signature, issuer, audience and expiry hold;
an e-mail claim is never used."""

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import jwt
import pytest
import uvicorn
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import FastAPI
from jwt.algorithms import ECAlgorithm

from fairpath.common.testing.nats import free_port, wait_until

from .helpers import admin, key_of, new_organization, new_user, unique

ISSUER = "https://login.agency-idp.test"
AUDIENCE = "fairpath-test-client"


@dataclass
class IdentityProvider:
    """A stand-in OpenID Connect issuer: a signing key and the JWKS it publishes over HTTP on loopback."""

    jwks_url: str = ""
    keys: dict[str, ec.EllipticCurvePrivateKey] = field(default_factory=dict)
    fetches: int = 0

    def add_key(self) -> str:
        kid = uuid.uuid4().hex[:8]
        self.keys[kid] = ec.generate_private_key(ec.SECP256R1())
        return kid

    def jwks(self) -> dict:
        self.fetches += 1
        published = []
        for kid, key in self.keys.items():
            jwk = ECAlgorithm.to_jwk(key.public_key(), as_dict=True)
            published.append(jwk | {"kid": kid, "use": "sig", "alg": "ES256"})
        return {"keys": published}

    def token(
        self, subject: str, *, kid: str | None = None, key: ec.EllipticCurvePrivateKey | None = None, **claims
    ) -> str:
        kid = kid or next(iter(self.keys))
        now = int(time.time())
        body = {"iss": ISSUER, "aud": AUDIENCE, "sub": subject, "iat": now, "exp": now + 300} | claims
        return jwt.encode(body, key or self.keys[kid], algorithm="ES256", headers={"kid": kid})


@pytest.fixture(scope="module")
async def idp() -> AsyncIterator[IdentityProvider]:
    provider = IdentityProvider()
    provider.add_key()
    app = FastAPI(openapi_url=None)

    @app.get("/jwks.json")
    async def jwks() -> dict:
        return provider.jwks()

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve())
    await wait_until(lambda: server.started, timeout=30, interval=0.01, message="the test server to start")
    provider.jwks_url = f"http://127.0.0.1:{port}/jwks.json"
    yield provider
    # A test server: the connections a test left open (an upload cut short) are not waited for.
    server.should_exit = server.force_exit = True
    await task


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def linked_user(gateway, credentials, idp: IdentityProvider) -> tuple[dict, str]:
    org = await new_organization(gateway, credentials, "recruitment_agency")
    sso = {"issuer": ISSUER, "jwks_url": idp.jwks_url, "audience": AUDIENCE}
    r = await gateway.put(f"/v1/admin/organizations/{org['id']}/sso", json=sso, headers=admin(credentials))
    assert r.status_code == 200 and r.json()["sso"] == sso, r.text
    user = await new_user(gateway, credentials, org["id"])
    subject = unique("subject")
    r = await gateway.patch(f"/v1/admin/users/{user['id']}", json={"sso_subject": subject}, headers=admin(credentials))
    assert r.status_code == 200 and r.json()["sso_subject"] == subject
    return user, subject


async def test_an_issuers_token_opens_the_user_linked_to_its_subject(gateway, demo_credentials, idp):
    _, credentials = demo_credentials
    user, subject = await linked_user(gateway, credentials, idp)
    me = await gateway.get("/v1/me", headers=bearer(idp.token(subject)))
    assert me.status_code == 200, me.text
    assert (me.json()["user_id"], me.json()["authenticated_by"], me.json()["role"]) == (user["id"], "sso", "agency")
    forwarded = await gateway.get("/v1/workers", headers=bearer(idp.token(subject)))
    assert forwarded.status_code == 200


async def test_a_token_with_another_issuer_audience_key_or_an_expiry_past_is_refused(gateway, demo_credentials, idp):
    _, credentials = demo_credentials
    _, subject = await linked_user(gateway, credentials, idp)
    now = int(time.time())
    for token in (
        idp.token(subject, aud="another-client"),
        idp.token(subject, iss="https://another-issuer.test"),
        idp.token(subject, exp=now - 120, iat=now - 600),
        idp.token(subject, key=ec.generate_private_key(ec.SECP256R1())),  # right kid, wrong key
        idp.token(subject, kid="unknown-kid", key=ec.generate_private_key(ec.SECP256R1())),
        idp.token("nobody-linked"),
        jwt.encode({"iss": ISSUER, "aud": AUDIENCE, "sub": subject, "exp": now + 300}, "a-shared-secret-guess-32-bytes!!",
                   algorithm="HS256"),
    ):  # fmt: skip
        r = await gateway.get("/v1/me", headers=bearer(token))
        assert r.status_code == 401, r.text


async def test_an_email_claim_never_matches_a_user(gateway, demo_credentials, idp):
    _, credentials = demo_credentials
    user, _ = await linked_user(gateway, credentials, idp)
    token = idp.token(unique("someone-else"), email=user["username"], preferred_username=user["username"])
    assert (await gateway.get("/v1/me", headers=bearer(token))).status_code == 401


async def test_a_rotated_key_is_fetched_and_a_disabled_user_is_refused(gateway, gateway_app, demo_credentials, idp):
    _, credentials = demo_credentials
    user, subject = await linked_user(gateway, credentials, idp)
    assert (await gateway.get("/v1/me", headers=bearer(idp.token(subject)))).status_code == 200
    new_kid = idp.add_key()
    keys = gateway_app.state.accounts.sso_keys
    # An unknown key id sends the gateway back to the issuer, but not more often than `refetch_after` (30 s).
    try:
        keys.refetch_after = 3600.0
        assert (await gateway.get("/v1/me", headers=bearer(idp.token(subject, kid=new_kid)))).status_code == 401
        keys.refetch_after, fetched = 0.0, idp.fetches
        assert (await gateway.get("/v1/me", headers=bearer(idp.token(subject, kid=new_kid)))).status_code == 200
    finally:
        keys.refetch_after = 30.0
    assert idp.fetches == fetched + 1
    await gateway.patch(f"/v1/admin/users/{user['id']}", json={"disabled": True}, headers=admin(credentials))
    assert (await gateway.get("/v1/me", headers=bearer(idp.token(subject, kid=new_kid)))).status_code == 401


async def test_removing_the_issuer_stops_its_tokens(gateway, demo_credentials, idp):
    _, credentials = demo_credentials
    user, subject = await linked_user(gateway, credentials, idp)
    removed = await gateway.delete(f"/v1/admin/organizations/{user['organization_id']}/sso", headers=admin(credentials))
    assert removed.status_code == 200 and removed.json()["sso"] is None
    assert (await gateway.get("/v1/me", headers=bearer(idp.token(subject)))).status_code == 401


async def test_single_sign_on_settings_are_checked(gateway, demo_credentials, idp):
    _, credentials = demo_credentials
    org = await new_organization(gateway, credentials, "employer")
    sso = f"/v1/admin/organizations/{org['id']}/sso"
    insecure = {"issuer": ISSUER, "jwks_url": "http://keys.example.com/jwks.json", "audience": AUDIENCE}
    r = await gateway.put(sso, json=insecure, headers=admin(credentials))
    assert r.status_code == 422 and r.json()["violations"][0] == {
        "field": "jwks_url", "rule": "insecure_url",
        "message": "must be an https URL (plain http only to this machine, outside production)",
    }  # fmt: skip
    r = await gateway.put(sso, json={"issuer": ISSUER}, headers=admin(credentials))
    assert r.status_code == 422 and {v["field"] for v in r.json()["violations"]} == {"jwks_url", "audience"}
    operator = await gateway.get("/v1/admin/organizations", params={"kind": "operator"}, headers=admin(credentials))
    r = await gateway.put(
        f"/v1/admin/organizations/{operator.json()['items'][0]['id']}/sso",
        json={"issuer": ISSUER, "jwks_url": idp.jwks_url, "audience": AUDIENCE}, headers=admin(credentials),
    )  # fmt: skip
    assert r.status_code == 409 and r.json()["type"] == "urn:fairpath:problem:sso_not_for_operator"
    user = await new_user(gateway, credentials, org["id"])
    r = await gateway.patch(f"/v1/admin/users/{user['id']}", json={"sso_subject": "x"}, headers=admin(credentials))
    assert r.status_code == 422 and r.json()["violations"][0]["rule"] == "sso_not_configured"
    assert (await gateway.put(sso, json=insecure, headers=key_of(credentials, "compliance_officer"))).status_code == 403
