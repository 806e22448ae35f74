"""Small builders shared by the accounts tests: organisations and users made through the admin API, activated
and signed in the way people do it."""

import time
import uuid

import pyotp

from fairpath.common.events.catalogue import BusinessRegistered, WorkerRegistered
from fairpath.common.events.envelope import new_event
from fairpath.gateway.accounts.consumers import on_business_state, on_worker_state

PASSWORD = "correct horse battery staple"


def admin(credentials: dict) -> dict[str, str]:
    return {"X-API-Key": credentials["users"]["admin"]["api_key"]}


def key_of(credentials: dict, user: str) -> dict[str, str]:
    return {"X-API-Key": credentials["users"][user]["api_key"]}


def bearer(tokens: dict) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def unique(prefix: str) -> str:
    return f"{prefix}.{uuid.uuid4().hex[:8]}"


def next_totp(secret: str) -> str:
    """A code for the next 30-second step: valid now (one step of drift is allowed), and never the one just used."""
    return pyotp.TOTP(secret).at(time.time() + 30)


async def new_organization(gateway, credentials, kind: str = "recruitment_agency", **fields) -> dict:
    r = await gateway.post(
        "/v1/admin/organizations", json={"name": unique("Org"), "kind": kind} | fields, headers=admin(credentials)
    )
    assert r.status_code == 201, r.text
    return r.json()


async def new_user(gateway, credentials, organization_id: str, role: str | None = None) -> dict:
    body = {"username": unique("user")} | ({"role": role} if role else {})
    r = await gateway.post(f"/v1/admin/organizations/{organization_id}/users", json=body, headers=admin(credentials))
    assert r.status_code == 201, r.text
    return r.json()


async def activate(gateway, username: str, code: str, password: str = PASSWORD):
    return await gateway.post("/v1/auth/activate", json={"username": username, "code": code, "password": password})


async def sign_in(gateway, username: str, password: str = PASSWORD, **second_factor):
    return await gateway.post("/v1/auth/token", data={"username": username, "password": password, **second_factor})


async def active_user(gateway, credentials, kind: str = "recruitment_agency", role: str | None = None) -> dict:
    """A user of a new organisation, activated with their code: {"user", "organization", "username"}."""
    org = await new_organization(gateway, credentials, kind)
    user = await new_user(gateway, credentials, org["id"], role)
    assert (await activate(gateway, user["username"], user["activation"]["code"])).status_code == 204
    return {"user": user, "organization": org, "username": user["username"]}


async def signed_in(gateway, username: str, password: str = PASSWORD, **second_factor) -> dict:
    r = await sign_in(gateway, username, password, **second_factor)
    assert r.status_code == 200, r.text
    return r.json()


async def set_up_totp(gateway, tokens: dict) -> tuple[str, list[str]]:
    """Turn TOTP on for the signed-in user: (secret, recovery codes)."""
    started = await gateway.post("/v1/me/totp", headers=bearer(tokens))
    assert started.status_code == 200, started.text
    secret = started.json()["secret"]
    confirmed = await gateway.post(
        "/v1/me/totp/confirm", json={"code": pyotp.TOTP(secret).now()}, headers=bearer(tokens)
    )
    assert confirmed.status_code == 200, confirmed.text
    return secret, confirmed.json()["recovery_codes"]


async def vetting_announces_business(app, kind: str, organization_id: str | None = None) -> uuid.UUID:
    """Vetting's event for a new business, applied as the gateway's consumer applies it."""
    business_id = uuid.uuid4()
    payload = BusinessRegistered(
        version=1, business_id=business_id, kind=kind, legal_name="B", country="AE", status="registered",
        organization_id=organization_id,
    )  # fmt: skip
    async with app.state.database.session() as session:
        await on_business_state(session, app.state.ledger, new_event(payload, business_id), payload)
    return business_id


async def registry_announces_worker(app) -> uuid.UUID:
    worker_id = uuid.uuid4()
    payload = WorkerRegistered(version=1, worker_id=worker_id)
    async with app.state.database.session() as session:
        await on_worker_state(session, app.state.ledger, new_event(payload, worker_id), payload)
    return worker_id
