"""Accounts made without the API: the first admin of a new deployment (bootstrap), the launcher's demo accounts
(kept across restarts), and the identities file of earlier versions (imported once)."""

import json
import uuid

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient

from fairpath.common.config import CommonSettings, InsecureSettingsError
from fairpath.common.errors import RuleViolations
from fairpath.gateway.accounts.bootstrap import AdminExists, bootstrap_first_admin
from fairpath.gateway.accounts.codes import new_api_key, token_digest
from fairpath.gateway.accounts.demo import DEMO_USERS, ensure_demo_accounts
from fairpath.gateway.accounts.direct import gateway_store
from fairpath.gateway.accounts.tables import ApiKey, User
from fairpath.gateway.app import create_app
from fairpath.gateway.config import GatewaySettings

from .conftest import gateway_settings
from .helpers import activate, bearer, signed_in


def client_of(app: FastAPI) -> AsyncClient:
    return AsyncClient(transport=ASGITransport(app=app, raise_app_exceptions=False), base_url="http://gateway")


async def test_the_first_admin_is_bootstrapped_once_and_signs_in_with_its_code(common_settings, keypair, database_url):
    settings = gateway_settings(common_settings, keypair, await database_url("gw_bootstrap"), events_enabled=False)
    async with gateway_store(settings) as store:
        with pytest.raises(RuleViolations):  # a username is checked as the API checks it
            await bootstrap_first_admin(
                database=store.database, ledger=store.ledger, accounts=store.accounts, username="not a name",
                organization_name="Operator Ltd",
            )  # fmt: skip
        first = await bootstrap_first_admin(
            database=store.database, ledger=store.ledger, accounts=store.accounts, username="root",
            organization_name="Operator Ltd",
        )  # fmt: skip
        with pytest.raises(AdminExists):
            await bootstrap_first_admin(
                database=store.database, ledger=store.ledger, accounts=store.accounts, username="root2",
                organization_name="Operator Ltd",
            )  # fmt: skip
    app = create_app(settings)
    async with app.router.lifespan_context(app), client_of(app) as gateway:
        me = await gateway.get("/v1/me", headers={"X-API-Key": first.api_key})
        assert me.status_code == 200, me.text
        assert (me.json()["role"], me.json()["organization"]["name"]) == ("admin", "Operator Ltd")
        keys = await gateway.get(
            f"/v1/admin/organizations/{first.organization_id}/api-keys", headers={"X-API-Key": first.api_key}
        )
        assert keys.json()["items"][0]["expires_at"] is not None  # the bootstrap key is short-lived
        assert (await activate(gateway, "root", first.activation.code)).status_code == 204
        tokens = await signed_in(gateway, "root")
        refused = await gateway.get("/v1/admin/organizations", headers=bearer(tokens))
        assert refused.json()["type"] == "urn:fairpath:problem:second_factor_enrolment_required"


async def test_the_demo_accounts_are_kept_across_restarts_and_renewed_where_broken(
    common_settings, keypair, database_url, tmp_path
):
    settings = gateway_settings(common_settings, keypair, await database_url("gw_demo"), events_enabled=False)

    async def ensure():
        async with gateway_store(settings) as store:  # a new process each time, as at each `./fairpath up`
            return await ensure_demo_accounts(
                database=store.database, ledger=store.ledger, accounts=store.accounts,
                credentials_path=tmp_path / "demo-credentials.json", gateway_url="http://gateway",
            )  # fmt: skip

    first = await ensure()
    assert set(first["users"]) == {name for name, _, _ in DEMO_USERS}
    assert {name for name, user in first["users"].items() if "totp_secret" in user} == {
        "admin", "compliance_officer", "compliance_officer_2",
    }  # fmt: skip
    assert await ensure() == first
    assert (tmp_path / "demo-credentials.json").stat().st_mode & 0o777 == 0o600
    broken = json.loads((tmp_path / "demo-credentials.json").read_text())
    broken["users"]["auditor"]["api_key"] = new_api_key()  # a key the database does not know
    (tmp_path / "demo-credentials.json").write_text(json.dumps(broken))
    again = await ensure()
    assert again["users"]["auditor"] != first["users"]["auditor"]
    assert {k: v for k, v in again["users"].items() if k != "auditor"} == {
        k: v for k, v in first["users"].items() if k != "auditor"
    }
    app = create_app(settings)
    async with app.router.lifespan_context(app), client_of(app) as gateway:
        for name, user in again["users"].items():
            assert (await gateway.get("/v1/me", headers={"X-API-Key": user["api_key"]})).json()["username"] == name
        revoked = await gateway.get("/v1/me", headers={"X-API-Key": first["users"]["auditor"]["api_key"]})
        assert revoked.status_code == 401


async def test_an_identities_file_is_imported_once_keeping_ids_and_keys(
    common_settings, keypair, database_url, tmp_path
):
    org_id, user_id, worker_login_id, key_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    api_key = new_api_key()
    legacy = {
        "organizations": [{"id": str(org_id), "name": "Old Agency", "kind": "recruitment_agency"}],
        "users": [
            {"id": str(user_id), "username": "old.agency", "password_scrypt": "00$11", "role": "agency",
             "organization_id": str(org_id)},
            {"id": str(worker_login_id), "username": "old.worker", "password_scrypt": "00$11", "role": "worker",
             "worker_id": str(uuid.uuid4())},
        ],
        "api_keys": [{"id": str(key_id), "name": "old CRM", "key_sha256": token_digest(api_key), "user_id": str(user_id)}],
    }  # fmt: skip
    (tmp_path / "gateway-identities.json").write_text(json.dumps(legacy))
    common = CommonSettings(**(common_settings.model_dump() | {"var_dir": tmp_path}))
    settings = gateway_settings(common, keypair, await database_url("gw_import"), events_enabled=False)
    app = create_app(settings)
    async with app.router.lifespan_context(app), client_of(app) as gateway:
        me = await gateway.get("/v1/me", headers={"X-API-Key": api_key})
        assert me.status_code == 200, me.text
        assert (me.json()["user_id"], me.json()["organization"]["id"]) == (str(user_id), str(org_id))
        assert (
            await gateway.post("/v1/auth/token", data={"username": "old.agency", "password": "x"})
        ).status_code == 401
        users = await gateway.get(f"/v1/admin/organizations/{org_id}/users", headers={"X-API-Key": api_key})
        assert users.status_code == 403  # an agency's key, not an admin's
    assert not (tmp_path / "gateway-identities.json").exists()
    assert (tmp_path / "gateway-identities.json.imported").exists()

    async with gateway_store(settings) as store, store.database.session(read_only=True) as session:
        old = await session.get(User, user_id)
        assert old.password_hash is None and old.username == "old.agency"
        assert (await session.get(ApiKey, key_id)).prefix is None
        assert (await session.get(User, worker_login_id)).role == "worker"


def test_outside_development_the_account_secrets_must_be_set_and_long_and_hashing_not_cheap(common_settings, keypair):
    production = CommonSettings(**(common_settings.model_dump() | {"env": "production"}))
    base = {
        "common": production, "database_url": "postgresql+asyncpg://db/gateway", "principal_signing_key": keypair.private_pem,
        "token_secret": "s" * 32, "totp_key": "t" * 32, "audit_signing_key": keypair.private_pem,
    }  # fmt: skip
    assert GatewaySettings(**base).access_token_ttl_seconds == 900
    for broken, named in (
        ({"totp_key": ""}, "FAIRPATH_GATEWAY_TOTP_KEY"),
        ({"token_secret": "short"}, "FAIRPATH_GATEWAY_TOKEN_SECRET"),
        ({"password_hash_memory_kib": 4096}, "FAIRPATH_GATEWAY_PASSWORD_HASH_MEMORY_KIB"),
    ):
        with pytest.raises(InsecureSettingsError, match=named):
            GatewaySettings(**(base | broken))
