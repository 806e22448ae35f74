"""The gateway's protection, through a gateway of its own with small limits: rate limits per client address,
API key and user (429 with Retry-After and RateLimit-* headers), failed sign-ins throttled per account and per
address, the body limit (413), forwarded headers believed only from trusted proxies, and no query string in
any log line."""

import itertools
import logging

import pytest

from fairpath.common.testing.nats import wait_until

from .conftest import client_from, echo_gateway
from .helpers import PASSWORD, active_user, admin, new_organization, new_user, sign_in, unique

LIMIT_PER_ADDRESS = 12
LIMIT_PER_KEY = 5
LIMIT_PER_USER = 8
FAILURES_PER_ACCOUNT = 3
ACCOUNT_WINDOW_SECONDS = 3
FAILURES_PER_ADDRESS = 5
MAX_BODY = 64 * 1024
MAX_IMPORT_BODY = 256 * 1024
PROXIES = "10.0.0.0/8, fd00::/8"


@pytest.fixture(scope="module")
async def guarded_app(gateway_app, demo_credentials, echo_upstream, common_settings, keypair):
    """A second gateway on the same accounts, with limits small enough to reach in a test."""
    async with echo_gateway(
        gateway_app,
        echo_upstream,
        common_settings,
        keypair,
        rate_limit_per_address=f"{LIMIT_PER_ADDRESS}/minute",
        rate_limit_per_api_key=f"{LIMIT_PER_KEY}/minute",
        rate_limit_per_user=f"{LIMIT_PER_USER}/minute",
        sign_in_failures_per_account=f"{FAILURES_PER_ACCOUNT}/{ACCOUNT_WINDOW_SECONDS} seconds",
        sign_in_failures_per_address=f"{FAILURES_PER_ADDRESS}/minute",
        trusted_proxies=PROXIES,
        max_body_bytes=MAX_BODY,
        max_import_body_bytes=MAX_IMPORT_BODY,
    ) as app:
        yield app


_addresses = itertools.count(1)


def fresh_address() -> str:
    """A client address no other request of this module used: each test has its own counters."""
    n = next(_addresses)
    return f"198.18.{n // 250}.{n % 250 + 1}"


async def api_key_for(gateway, credentials, organization_id: str, user_id: str) -> dict[str, str]:
    r = await gateway.post(
        f"/v1/admin/organizations/{organization_id}/api-keys",
        json={"name": unique("key"), "user_id": user_id},
        headers=admin(credentials),
    )
    assert r.status_code == 201, r.text
    return {"X-API-Key": r.json()["key"]}


async def new_key(gateway, credentials) -> dict[str, str]:
    org = await new_organization(gateway, credentials)
    user = await new_user(gateway, credentials, org["id"])
    return await api_key_for(gateway, credentials, org["id"], user["id"])


@pytest.fixture
async def key(gateway, demo_credentials) -> dict[str, str]:
    """An API key of its own for the test (the echo service behind this gateway checks no role)."""
    return await new_key(gateway, demo_credentials[1])


# --- rate limits -------------------------------------------------------------------------------


async def test_an_api_key_past_its_limit_is_answered_429_with_retry_after(guarded_app, key):
    async with client_from(guarded_app, fresh_address()) as client:
        answers = [await client.get("/v1/workers", headers=key) for _ in range(LIMIT_PER_KEY + 1)]
    assert [r.status_code for r in answers] == [200] * LIMIT_PER_KEY + [429]
    first, refused = answers[0], answers[-1]
    assert first.headers["ratelimit-limit"] == str(LIMIT_PER_KEY)
    assert first.headers["ratelimit-remaining"] == str(LIMIT_PER_KEY - 1)
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["type"] == "urn:fairpath:problem:too_many_requests"
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.headers["ratelimit-remaining"] == "0"
    assert 0 <= int(refused.headers["ratelimit-reset"]) <= 60


async def test_a_users_keys_share_the_users_limit(guarded_app, gateway, demo_credentials):
    _, credentials = demo_credentials
    org = await new_organization(gateway, credentials)
    user = await new_user(gateway, credentials, org["id"])
    first = await api_key_for(gateway, credentials, org["id"], user["id"])
    second = await api_key_for(gateway, credentials, org["id"], user["id"])
    async with client_from(guarded_app, fresh_address()) as client:
        statuses = [(await client.get("/v1/workers", headers=first)).status_code for _ in range(LIMIT_PER_KEY)]
        statuses += [
            (await client.get("/v1/workers", headers=second)).status_code for _ in range(LIMIT_PER_USER - LIMIT_PER_KEY)
        ]
        assert statuses == [200] * LIMIT_PER_USER
        refused = await client.get("/v1/workers", headers=second)  # the second key's own limit is not spent
    assert refused.status_code == 429 and "user" in refused.json()["detail"]


async def test_a_signed_in_person_is_limited_as_a_user(guarded_app, gateway, demo_credentials):
    person = await active_user(gateway, demo_credentials[1])
    async with client_from(guarded_app, fresh_address()) as client:
        tokens = (await sign_in(client, person["username"])).json()
        bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
        statuses = [(await client.get("/v1/me", headers=bearer)).status_code for _ in range(LIMIT_PER_USER + 1)]
    assert statuses == [200] * LIMIT_PER_USER + [429]


async def test_one_address_is_limited_before_any_credential_is_checked(guarded_app):
    async with client_from(guarded_app, fresh_address()) as client:
        statuses = [(await client.get("/v1/workers")).status_code for _ in range(LIMIT_PER_ADDRESS + 1)]
        refused = await client.get("/v1/workers", headers={"X-API-Key": "fp_guess"})
        assert (await client.get("/healthz")).status_code == 200  # probes are never limited
    assert statuses == [401] * LIMIT_PER_ADDRESS + [429]
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    assert refused.json()["type"] == "urn:fairpath:problem:too_many_requests"


async def test_a_clients_own_forwarded_for_is_not_believed(guarded_app):
    address = fresh_address()
    async with client_from(guarded_app, address) as client:
        statuses = [
            (await client.get("/v1/workers", headers={"X-Forwarded-For": f"192.0.2.{i}"})).status_code
            for i in range(LIMIT_PER_ADDRESS + 1)
        ]
    assert statuses[-1] == 429  # a new made-up address each time still counts as the one peer


async def test_behind_a_trusted_proxy_each_client_has_its_own_limit(guarded_app):
    first, second = fresh_address(), fresh_address()
    async with client_from(guarded_app, "10.1.2.3") as proxy:
        spent = [
            (await proxy.get("/v1/workers", headers={"X-Forwarded-For": f"{first}, 10.9.9.9"})).status_code
            for _ in range(LIMIT_PER_ADDRESS + 1)
        ]
        other = await proxy.get("/v1/workers", headers={"X-Forwarded-For": f"{second}, 10.9.9.9"})
        # The client's own claim left of the address the proxy saw is not believed either.
        claimed = await proxy.get("/v1/workers", headers={"X-Forwarded-For": f"192.0.2.77, {first}"})
    assert spent[-1] == 429 and other.status_code == 401 and claimed.status_code == 429


async def test_the_service_gets_the_client_address_the_gateway_established(guarded_app, key):
    def forwarding_headers(seen: dict) -> list[tuple[str, str]]:
        return [(k, v) for k, v in seen["header_list"] if k in ("x-forwarded-for", "forwarded", "x-real-ip")]

    async with client_from(guarded_app, "203.0.113.9") as direct:
        claimed = {**key, "X-Forwarded-For": "6.6.6.6", "X-Real-IP": "6.6.6.6"}
        seen = (await direct.get("/v1/workers", headers=claimed)).json()
    assert forwarding_headers(seen) == [("x-forwarded-for", "203.0.113.9")]
    async with client_from(guarded_app, "10.0.0.2") as proxy:
        forwarded = {**key, "X-Forwarded-For": "6.6.6.6, 203.0.113.10, 10.0.0.7", "Forwarded": "for=6.6.6.6"}
        seen = (await proxy.get("/v1/workers", headers=forwarded)).json()
    assert forwarding_headers(seen) == [("x-forwarded-for", "203.0.113.10")]


# --- failed sign-ins ------------------------------------------------------------------------------


async def test_after_too_many_wrong_passwords_the_right_one_is_refused_until_the_window_passes(
    guarded_app, gateway, demo_credentials
):
    person = await active_user(gateway, demo_credentials[1])
    async with client_from(guarded_app, fresh_address()) as client:
        wrong = [(await sign_in(client, person["username"], "not the password")).status_code for _ in range(3)]
        refused = await sign_in(client, person["username"])
        assert wrong == [401] * FAILURES_PER_ACCOUNT
        assert refused.status_code == 429
        assert refused.json()["type"] == "urn:fairpath:problem:too_many_failed_sign_ins"
        assert 1 <= int(refused.headers["retry-after"]) <= ACCOUNT_WINDOW_SECONDS
        # The same account from another address is refused too: the account is what is guessed at.
        async with client_from(guarded_app, fresh_address()) as elsewhere:
            assert (await sign_in(elsewhere, person["username"].upper())).status_code == 429

    async def signed_in():
        async with client_from(guarded_app, fresh_address()) as anywhere:  # no address's request limit in the way
            r = await sign_in(anywhere, person["username"])
        assert r.status_code == 200 or r.json()["type"] == "urn:fairpath:problem:too_many_failed_sign_ins", r.text
        return r.status_code == 200

    await wait_until(signed_in, timeout=ACCOUNT_WINDOW_SECONDS + 10, interval=0.25, message="the window to pass")
    # The right password gave the account its attempts back.
    async with client_from(guarded_app, fresh_address()) as client:
        again = [(await sign_in(client, person["username"], "wrong again")).status_code for _ in range(2)]
        assert again == [401, 401] and (await sign_in(client, person["username"])).status_code == 200


async def test_one_address_guessing_at_many_accounts_is_throttled(guarded_app, gateway, demo_credentials):
    person = await active_user(gateway, demo_credentials[1])
    async with client_from(guarded_app, fresh_address()) as client:
        failures = [
            (await sign_in(client, unique("nobody"), PASSWORD)).status_code for _ in range(FAILURES_PER_ADDRESS)
        ]
        refused = await sign_in(client, person["username"])
    assert failures == [401] * FAILURES_PER_ADDRESS
    assert refused.status_code == 429 and refused.json()["type"] == "urn:fairpath:problem:too_many_failed_sign_ins"
    async with client_from(guarded_app, fresh_address()) as elsewhere:
        assert (await sign_in(elsewhere, person["username"])).status_code == 200


async def test_wrong_activation_codes_count_as_failed_sign_ins(guarded_app, gateway, demo_credentials):
    _, credentials = demo_credentials
    org = await new_organization(gateway, credentials)
    user = await new_user(gateway, credentials, org["id"])
    body = {"username": user["username"], "password": PASSWORD}
    async with client_from(guarded_app, fresh_address()) as client:
        wrong = [
            (await client.post("/v1/auth/activate", json={**body, "code": f"WRONG-{i}"})).status_code
            for i in range(FAILURES_PER_ACCOUNT)
        ]
        right = await client.post("/v1/auth/activate", json={**body, "code": user["activation"]["code"]})
    assert wrong == [401] * FAILURES_PER_ACCOUNT
    assert right.status_code == 429


# --- body limit ------------------------------------------------------------------------------


def json_of_size(size: int) -> bytes:
    return b'{"notes": "' + b"x" * (size - 13) + b'"}'


async def test_a_body_over_the_limit_is_413_whether_its_length_is_declared_or_not(guarded_app, key):
    key = {**key, "content-type": "application/json"}
    big = json_of_size(MAX_BODY + 1)

    async def streamed():
        for start in range(0, len(big), 8192):
            yield big[start : start + 8192]

    async with client_from(guarded_app, fresh_address()) as client:
        declared = await client.post("/v1/workers", content=big, headers=key)
        undeclared = await client.post("/v1/workers", content=streamed(), headers=key)
        own_route = await client.post("/v1/admin/organizations", content=big, headers=key)
        within = await client.post("/v1/workers", content=json_of_size(MAX_BODY), headers=key)
    for refused in (declared, undeclared, own_route):
        assert refused.status_code == 413, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["type"] == "urn:fairpath:problem:too_large"
    assert within.status_code == 200 and len(within.json()["body"]) == MAX_BODY


async def test_streamed_imports_take_a_larger_body_up_to_their_own_limit(guarded_app, key):
    key = {**key, "content-type": "text/csv"}
    async with client_from(guarded_app, fresh_address()) as client:
        upload = await client.post("/v1/watchlists/w1/imports", content=b"x" * (MAX_BODY * 2), headers=key)
        register = await client.post("/v1/licence-registers", content=b"x" * (MAX_BODY * 2), headers=key)
        too_big = await client.post("/v1/watchlists/w1/imports", content=b"x" * (MAX_IMPORT_BODY + 1), headers=key)
    assert upload.status_code == 200 and len(upload.json()["body"]) == MAX_BODY * 2
    assert register.status_code == 200
    assert too_big.status_code == 413 and too_big.json()["type"] == "urn:fairpath:problem:too_large"


# --- malformed requests ------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "DELETE"])
async def test_a_get_or_delete_with_a_body_is_a_400_problem(guarded_app, key, method):
    async with client_from(guarded_app, fresh_address()) as client:
        r = await client.request(method, "/v1/workers/x", content=b'{"a": 1}', headers=key)
        empty = await client.request(method, "/v1/workers/x", content=b"", headers=key)
    assert r.status_code == 400 and r.json()["type"] == "urn:fairpath:problem:body_not_allowed"
    assert empty.status_code == 200


@pytest.mark.parametrize("path", ["/v1/workers/a%00b", "/v1/workers/%1F", "/v1/workers/a%7Fb", "/v1/workers/a%09b"])
async def test_a_path_with_a_control_character_is_a_400_problem(guarded_app, key, path):
    async with client_from(guarded_app, fresh_address()) as client:
        r = await client.get(path, headers=key)
    assert r.status_code == 400 and r.json()["type"] == "urn:fairpath:problem:invalid_path"


async def test_the_path_and_query_reach_the_service_as_the_client_encoded_them(guarded_app, key):
    async with client_from(guarded_app, fresh_address()) as client:
        seen = (await client.get("/v1/workers/a%20b%2Fc?q=%0A&name=J%C3%BCrgen+M", headers=key)).json()
    assert seen["raw_path"] == "/v1/workers/a%20b%2Fc" and seen["query"] == "q=%0A&name=J%C3%BCrgen+M"


# --- logs -----------------------------------------------------------------------------------------


async def test_no_log_line_carries_a_query_string(guarded_app, key, caplog):
    with caplog.at_level(logging.INFO):
        async with client_from(guarded_app, fresh_address()) as client:
            r = await client.get("/v1/workers", params={"name": "Amina Khatun"}, headers=key)
    assert r.status_code == 200
    lines = [record.getMessage() + repr(vars(record)) for record in caplog.records]
    assert not [line for line in lines if "Amina" in line or "name=" in line]
    access = [record for record in caplog.records if record.name == "fairpath.access"]
    assert [record.path for record in access] == ["/v1/{path:path}"]


async def test_a_client_that_leaves_during_its_upload_is_no_error(guarded_app, key, caplog):
    """Straight ASGI: the upload stops half way and the server reports the client gone."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/v1/workers",
        "raw_path": b"/v1/workers",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"gateway"),
            (b"x-api-key", key["X-API-Key"].encode()),
            (b"content-type", b"application/json"),
            (b"content-length", b"100"),
        ],
        "client": (fresh_address(), 40000),
        "server": ("gateway", 80),
    }
    arriving = [{"type": "http.request", "body": b'{"given_name": ', "more_body": True}]

    async def receive():
        return arriving.pop(0) if arriving else {"type": "http.disconnect"}

    sent = []

    async def send(message):
        sent.append(message)

    with caplog.at_level(logging.WARNING):
        await guarded_app(scope, receive, send)
    assert sent[0]["status"] == 400
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
