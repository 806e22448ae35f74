"""Signing in: Argon2id hashes off the event loop, rotating refresh tokens, sessions that end on the next
request everywhere, one-time activation codes, TOTP and recovery codes, access tokens checked in full."""

import asyncio
import threading
import time
import uuid
from datetime import timedelta

import jwt
import pyotp
import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy import select

from fairpath.common.clock import CLOCK
from fairpath.gateway.accounts.passwords import Passwords
from fairpath.gateway.accounts.tables import User
from fairpath.gateway.app import create_app

from .conftest import gateway_settings
from .helpers import (
    PASSWORD,
    activate,
    active_user,
    admin,
    bearer,
    key_of,
    new_organization,
    new_user,
    next_totp,
    set_up_totp,
    sign_in,
    signed_in,
)

TOKEN_SECRET = "test-token-secret-of-at-least-32-bytes"


async def stored_user(app: FastAPI, username: str) -> User:
    async with app.state.database.session(read_only=True) as session:
        return (await session.execute(select(User).where(User.username == username))).scalar_one()


async def test_a_password_is_kept_as_an_argon2id_hash_with_its_parameters(gateway, gateway_app, demo_credentials):
    _, credentials = demo_credentials
    person = await active_user(gateway, credentials)
    stored = (await stored_user(gateway_app, person["username"])).password_hash
    assert stored.startswith("$argon2id$v=19$m=1024,t=1,p=1$")
    assert PASSWORD not in stored


async def test_a_hash_made_with_other_parameters_is_redone_at_the_next_sign_in(gateway, gateway_app, demo_credentials):
    _, credentials = demo_credentials
    person = await active_user(gateway, credentials)
    accounts = gateway_app.state.accounts
    cheap = accounts.passwords
    accounts.passwords = Passwords(time_cost=2, memory_kib=2048, parallelism=1)
    try:
        await signed_in(gateway, person["username"])
    finally:
        accounts.passwords = cheap
    user = await stored_user(gateway_app, person["username"])
    assert user.password_hash.startswith("$argon2id$v=19$m=2048,t=2,p=1$")
    records = (
        await gateway.get(
            "/v1/audit/gateway/records", params={"record_id": str(user.id)}, headers=key_of(credentials, "auditor")
        )
    ).json()["items"]
    assert "user.password_rehashed" in [r["action"] for r in records]
    await signed_in(gateway, person["username"])  # the new hash checks with the new parameters


class HeldPasswords(Passwords):
    """Passwords whose checks wait for the test to let them go, noting the thread they ran in."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_kib=1024, parallelism=1)
        self.started = threading.Event()
        self.release = threading.Event()
        self.threads: set[int] = set()

    def _verify_now(self, stored: str, password: str) -> bool:
        self.threads.add(threading.get_ident())
        self.started.set()
        self.release.wait(30)
        return super()._verify_now(stored, password)


async def test_a_password_check_runs_off_the_event_loop_so_health_answers_meanwhile(
    gateway, gateway_app, demo_credentials
):
    _, credentials = demo_credentials
    person = await active_user(gateway, credentials)
    accounts = gateway_app.state.accounts
    cheap, held = accounts.passwords, HeldPasswords()
    accounts.passwords = held
    try:
        signing_in = asyncio.create_task(sign_in(gateway, person["username"]))
        await asyncio.to_thread(held.started.wait, 10)
        assert held.started.is_set()
        # The check is under way and blocked: the loop still answers.
        health = await asyncio.wait_for(gateway.get("/healthz"), timeout=10)
        assert health.status_code == 200 and not signing_in.done()
        held.release.set()
        assert (await asyncio.wait_for(signing_in, timeout=10)).status_code == 200
    finally:
        held.release.set()
        accounts.passwords = cheap
    assert threading.get_ident() not in held.threads


async def test_an_unknown_user_and_a_wrong_password_are_answered_alike_after_a_hash(
    gateway, gateway_app, demo_credentials
):
    _, credentials = demo_credentials
    person = await active_user(gateway, credentials)
    accounts = gateway_app.state.accounts
    cheap, held = accounts.passwords, HeldPasswords()
    held.release.set()
    accounts.passwords = held
    try:
        unknown = await sign_in(gateway, "nobody.at.all", "whatever it is")
        assert held.started.is_set()  # a dummy hash was checked for the unknown user too
        wrong = await sign_in(gateway, person["username"], "not the password at all")
    finally:
        accounts.passwords = cheap
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json() == wrong.json()
    pending = await new_user(gateway, credentials, person["organization"]["id"])
    not_active = await sign_in(gateway, pending["username"], "anything at all here")
    assert not_active.status_code == 401 and not_active.json() == wrong.json()


async def test_refresh_tokens_rotate_and_a_reused_one_ends_its_whole_session(gateway, demo_credentials):
    _, credentials = demo_credentials
    person = await active_user(gateway, credentials)
    first = await signed_in(gateway, person["username"])
    assert first["expires_in"] == 900 and first["refresh_expires_in"] > 86400

    second = (await gateway.post("/v1/auth/refresh", data={"refresh_token": first["refresh_token"]})).json()
    assert second["refresh_token"] != first["refresh_token"]
    assert (await gateway.get("/v1/me", headers=bearer(second))).status_code == 200

    reused = await gateway.post("/v1/auth/refresh", data={"refresh_token": first["refresh_token"]})
    assert reused.status_code == 401 and "used already" in reused.json()["detail"]
    # The thief's copy and the owner's both stop: the whole session ended.
    assert (await gateway.get("/v1/me", headers=bearer(second))).status_code == 401
    assert (await gateway.get("/v1/me", headers=bearer(first))).status_code == 401
    assert (await gateway.post("/v1/auth/refresh", data={"refresh_token": second["refresh_token"]})).status_code == 401
    # Another session of the same person goes on.
    other = await signed_in(gateway, person["username"])
    assert (await gateway.get("/v1/me", headers=bearer(other))).status_code == 200
    assert (await gateway.post("/v1/auth/refresh", data={"refresh_token": "fpr_made-up"})).status_code == 401


async def test_logout_ends_the_session_at_the_next_request(gateway, demo_credentials):
    _, credentials = demo_credentials
    person = await active_user(gateway, credentials)
    tokens = await signed_in(gateway, person["username"])
    assert (await gateway.post("/v1/auth/logout", headers=bearer(tokens))).status_code == 204
    assert (await gateway.get("/v1/me", headers=bearer(tokens))).status_code == 401
    assert (await gateway.post("/v1/auth/refresh", data={"refresh_token": tokens["refresh_token"]})).status_code == 401
    api_key_logout = await gateway.post("/v1/auth/logout", headers=key_of(credentials, "agency"))
    assert api_key_logout.status_code == 409 and api_key_logout.json()["type"] == "urn:fairpath:problem:no_session"


async def test_a_session_ended_on_one_replica_is_refused_by_another(
    gateway, gateway_app, demo_credentials, common_settings, keypair
):
    _, credentials = demo_credentials
    person = await active_user(gateway, credentials)
    tokens = await signed_in(gateway, person["username"])
    settings = gateway_settings(common_settings, keypair, gateway_app.state.settings.database_url, events_enabled=False)
    replica = create_app(settings)
    async with replica.router.lifespan_context(replica):
        transport = ASGITransport(app=replica, raise_app_exceptions=False)
        async with AsyncClient(transport=transport, base_url="http://replica") as other:
            assert (await other.get("/v1/me", headers=bearer(tokens))).status_code == 200
            assert (await gateway.post("/v1/auth/logout", headers=bearer(tokens))).status_code == 204
            assert (await other.get("/v1/me", headers=bearer(tokens))).status_code == 401


async def test_a_reset_ends_every_session_and_the_old_password_and_its_code_works_once(gateway, demo_credentials):
    _, credentials = demo_credentials
    person = await active_user(gateway, credentials)
    tokens = await signed_in(gateway, person["username"])
    reset = await gateway.post(
        f"/v1/admin/users/{person['user']['id']}/activation-code", headers=key_of(credentials, "compliance_officer")
    )
    assert reset.status_code == 200, reset.text
    code = reset.json()["code"]
    assert (await gateway.get("/v1/me", headers=bearer(tokens))).status_code == 401
    assert (await sign_in(gateway, person["username"])).status_code == 401

    new_password = "a different long passphrase"
    assert (await activate(gateway, person["username"], code, new_password)).status_code == 204
    again = await activate(gateway, person["username"], code, "yet another long passphrase")
    assert again.status_code == 401 and again.json()["type"] == "urn:fairpath:problem:activation_refused"
    assert (await sign_in(gateway, person["username"], new_password)).status_code == 200


async def test_an_activation_code_expires_and_a_wrong_one_is_refused(gateway, demo_credentials):
    _, credentials = demo_credentials
    org = await new_organization(gateway, credentials)
    user = await new_user(gateway, credentials, org["id"])
    wrong = await activate(gateway, user["username"], "AAAA-BBBB-CCCC-DDDD")
    assert wrong.status_code == 401
    try:
        CLOCK.set_offset(timedelta(days=8))
        late = await activate(gateway, user["username"], user["activation"]["code"])
        assert late.status_code == 401
    finally:
        CLOCK.set_offset(timedelta(0))
    # Typed by hand (lower case, no dashes), it still works.
    typed = user["activation"]["code"].replace("-", "").lower()
    assert (await activate(gateway, user["username"], typed)).status_code == 204


async def test_a_new_password_must_be_long_and_not_the_username(gateway, demo_credentials):
    _, credentials = demo_credentials
    org = await new_organization(gateway, credentials)
    user = await new_user(gateway, credentials, org["id"])
    short = await activate(gateway, user["username"], user["activation"]["code"], "short")
    assert short.status_code == 422 and short.json()["violations"][0]["field"] == "password"
    named = await activate(gateway, user["username"], user["activation"]["code"], f"my {user['username']} pw")
    assert named.status_code == 422 and named.json()["violations"][0]["rule"] == "password_contains_username"
    # A refused password does not spend the code.
    assert (await activate(gateway, user["username"], user["activation"]["code"])).status_code == 204


@pytest.mark.parametrize("role", ["admin", "compliance_officer"])
async def test_an_operator_account_must_set_up_totp_before_anything_else(gateway, demo_credentials, role):
    _, credentials = demo_credentials
    operator = await gateway.get("/v1/admin/organizations", params={"kind": "operator"}, headers=admin(credentials))
    user = await new_user(gateway, credentials, operator.json()["items"][0]["id"], role=role)
    assert (await activate(gateway, user["username"], user["activation"]["code"])).status_code == 204
    tokens = await signed_in(gateway, user["username"])

    blocked = await gateway.get("/v1/workers", headers=bearer(tokens))
    assert blocked.status_code == 403
    assert blocked.json()["type"] == "urn:fairpath:problem:second_factor_enrolment_required"
    me = (await gateway.get("/v1/me", headers=bearer(tokens))).json()
    assert me["second_factor_required"] is True and me["totp_enabled"] is False

    secret, recovery = await set_up_totp(gateway, tokens)
    assert len(recovery) == 10 and len(set(recovery)) == 10
    assert (await gateway.get("/v1/workers", headers=bearer(tokens))).status_code == 200  # the session goes on

    without = await sign_in(gateway, user["username"])
    assert without.status_code == 401 and without.json()["type"] == "urn:fairpath:problem:second_factor_required"
    code = next_totp(secret)
    assert (await sign_in(gateway, user["username"], totp=code)).status_code == 200
    replayed = await sign_in(gateway, user["username"], totp=code)
    assert replayed.status_code == 401 and replayed.json()["type"] == "urn:fairpath:problem:second_factor_refused"
    assert (await sign_in(gateway, user["username"], totp="000000")).status_code == 401
    if role == "admin":  # disabled, so the demo admin is the only admin again for the other tests
        await gateway.patch(f"/v1/admin/users/{user['id']}", json={"disabled": True}, headers=admin(credentials))


async def test_the_demo_admin_signs_in_with_password_and_totp_from_the_credentials(gateway, demo_credentials):
    _, credentials = demo_credentials
    demo = credentials["users"]["admin"]
    assert (await sign_in(gateway, "admin", demo["password"])).status_code == 401
    tokens = await signed_in(gateway, "admin", demo["password"], totp=pyotp.TOTP(demo["totp_secret"]).now())
    assert (await gateway.get("/v1/admin/organizations", headers=bearer(tokens))).status_code == 200


async def test_totp_is_offered_to_everyone_and_a_recovery_code_signs_in_once(gateway, demo_credentials):
    _, credentials = demo_credentials
    person = await active_user(gateway, credentials)
    tokens = await signed_in(gateway, person["username"])
    _, recovery = await set_up_totp(gateway, tokens)
    assert (await sign_in(gateway, person["username"])).status_code == 401
    assert (await sign_in(gateway, person["username"], recovery_code=recovery[0].lower())).status_code == 200
    assert (await sign_in(gateway, person["username"], recovery_code=recovery[0])).status_code == 401
    assert (await sign_in(gateway, person["username"], recovery_code=recovery[1])).status_code == 200
    twice = await gateway.post("/v1/me/totp", headers=bearer(tokens))
    assert twice.status_code == 409 and twice.json()["type"] == "urn:fairpath:problem:totp_already_enabled"


async def test_a_wrong_code_does_not_turn_totp_on_and_a_key_cannot_set_it_up(gateway, demo_credentials):
    _, credentials = demo_credentials
    person = await active_user(gateway, credentials)
    tokens = await signed_in(gateway, person["username"])
    assert (
        await gateway.post("/v1/me/totp/confirm", json={"code": "123456"}, headers=bearer(tokens))
    ).status_code == 409
    await gateway.post("/v1/me/totp", headers=bearer(tokens))
    wrong = await gateway.post("/v1/me/totp/confirm", json={"code": "12345x"}, headers=bearer(tokens))
    assert wrong.status_code == 422 and wrong.json()["violations"][0]["field"] == "code"
    assert (await sign_in(gateway, person["username"])).status_code == 200  # still no second factor
    by_key = await gateway.post("/v1/me/totp", headers=key_of(credentials, "agency"))
    assert by_key.status_code == 403 and by_key.json()["type"] == "urn:fairpath:problem:password_session_required"


async def test_a_reset_can_remove_a_lost_second_factor(gateway, demo_credentials):
    _, credentials = demo_credentials
    person = await active_user(gateway, credentials)
    await set_up_totp(gateway, await signed_in(gateway, person["username"]))
    reset = await gateway.post(
        f"/v1/admin/users/{person['user']['id']}/activation-code", json={"remove_totp": True},
        headers=admin(credentials),
    )  # fmt: skip
    await activate(gateway, person["username"], reset.json()["code"])
    assert (await sign_in(gateway, person["username"])).status_code == 200


async def test_changing_the_password_ends_the_other_sessions(gateway, demo_credentials):
    _, credentials = demo_credentials
    person = await active_user(gateway, credentials)
    here, elsewhere = await signed_in(gateway, person["username"]), await signed_in(gateway, person["username"])
    body = {"current_password": "wrong wrong wrong", "new_password": "a brand new passphrase"}
    wrong = await gateway.post("/v1/me/password", json=body, headers=bearer(here))
    assert wrong.status_code == 422 and wrong.json()["violations"][0]["field"] == "current_password"
    body["current_password"] = PASSWORD
    assert (await gateway.post("/v1/me/password", json=body, headers=bearer(here))).status_code == 204
    assert (await gateway.get("/v1/me", headers=bearer(here))).status_code == 200
    assert (await gateway.get("/v1/me", headers=bearer(elsewhere))).status_code == 401
    assert (await sign_in(gateway, person["username"], "a brand new passphrase")).status_code == 200


def forged(claims: dict, secret: str = TOKEN_SECRET, algorithm: str = "HS256") -> dict[str, str]:
    return {"Authorization": f"Bearer {jwt.encode(claims, secret, algorithm=algorithm)}"}


async def test_an_access_token_is_checked_for_issuer_audience_expiry_algorithm_and_session(gateway, demo_credentials):
    _, credentials = demo_credentials
    person = await active_user(gateway, credentials)
    tokens = await signed_in(gateway, person["username"])
    good = jwt.decode(tokens["access_token"], TOKEN_SECRET, algorithms=["HS256"], audience="fairpath-api")
    assert good["iss"] == "fairpath-gateway" and good["exp"] - good["iat"] == 900
    assert (await gateway.get("/v1/me", headers=forged(good))).status_code == 200  # the forger's baseline

    now = int(time.time())
    for claims, secret, algorithm in (
        (good | {"aud": "somewhere-else"}, TOKEN_SECRET, "HS256"),
        (good | {"iss": "someone-else"}, TOKEN_SECRET, "HS256"),
        (good | {"exp": now - 60, "iat": now - 960}, TOKEN_SECRET, "HS256"),
        (good, TOKEN_SECRET * 2, "HS512"),
        (good, "another-secret-of-at-least-32-bytes!", "HS256"),
        ({k: v for k, v in good.items() if k != "sid"}, TOKEN_SECRET, "HS256"),
        (good | {"sid": str(uuid.uuid4())}, TOKEN_SECRET, "HS256"),
        (good | {"sub": (await gateway.get("/v1/me", headers=admin(credentials))).json()["user_id"]}, TOKEN_SECRET,
         "HS256"),
    ):  # fmt: skip
        r = await gateway.get("/v1/me", headers=forged(claims, secret, algorithm))
        assert r.status_code == 401, (claims, algorithm)
    unsigned = jwt.encode(good, None, algorithm="none")
    assert (await gateway.get("/v1/me", headers={"Authorization": f"Bearer {unsigned}"})).status_code == 401
    assert (await gateway.get("/v1/me", headers={"Authorization": "Bearer junk"})).status_code == 401


async def test_me_says_who_is_calling_and_how(gateway, demo_credentials):
    _, credentials = demo_credentials
    me = (await gateway.get("/v1/me", headers=key_of(credentials, "agency"))).json()
    assert (me["username"], me["role"], me["authenticated_by"]) == ("agency", "agency", "api_key")
    assert me["organization"]["kind"] == "recruitment_agency" and me["api_key_id"] and me["session_id"] is None
    worker = (await gateway.get("/v1/me", headers=key_of(credentials, "worker"))).json()
    assert worker["organization"] is None and worker["role"] == "worker"
    assert (await gateway.get("/v1/me")).status_code == 401


async def test_a_sign_in_form_missing_a_field_or_with_another_grant_is_422(gateway):
    r = await gateway.post("/v1/auth/token", data={"username": "x"})
    assert r.status_code == 422 and r.json()["violations"][0]["field"] == "password"
    r = await gateway.post(
        "/v1/auth/token", data={"username": "x", "password": "y", "grant_type": "client_credentials"}
    )
    assert r.status_code == 422 and r.json()["violations"][0]["field"] == "grant_type"
    r = await gateway.post("/v1/auth/refresh", data={})
    assert r.status_code == 422 and r.json()["violations"][0]["field"] == "refresh_token"
