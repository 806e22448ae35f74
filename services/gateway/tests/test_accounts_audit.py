"""Every change to an organisation, a user, a key, a password, a second factor or a session lands in the
gateway's audit chain, and no secret does: not as a value, and not even as the digest of one."""

import json

import pyotp

from fairpath.common.canonical import keyed_digest

from .helpers import (
    PASSWORD,
    activate,
    admin,
    bearer,
    key_of,
    new_organization,
    new_user,
    next_totp,
    signed_in,
)


async def all_records(gateway, credentials) -> list[dict]:
    records, cursor = [], None
    while True:
        params = {"limit": 500} | ({"cursor": cursor} if cursor else {})
        page = (
            await gateway.get("/v1/audit/gateway/records", params=params, headers=key_of(credentials, "auditor"))
        ).json()
        records += page["items"]
        if not (cursor := page["next_cursor"]):
            return records


async def test_every_account_change_is_audited_and_no_secret_is(gateway, demo_credentials, common_settings):
    _, credentials = demo_credentials
    secrets: list[str] = [PASSWORD]
    org = await new_organization(gateway, credentials)
    await gateway.patch(f"/v1/admin/organizations/{org['id']}", json={"name": "Audited"}, headers=admin(credentials))
    user = await new_user(gateway, credentials, org["id"])
    secrets.append(user["activation"]["code"])
    await activate(gateway, user["username"], user["activation"]["code"])
    tokens = await signed_in(gateway, user["username"])
    refreshed = (await gateway.post("/v1/auth/refresh", data={"refresh_token": tokens["refresh_token"]})).json()
    secrets += [tokens["refresh_token"], tokens["access_token"], refreshed["refresh_token"]]
    started = (await gateway.post("/v1/me/totp", headers=bearer(refreshed))).json()
    confirmed = await gateway.post(
        "/v1/me/totp/confirm", json={"code": pyotp.TOTP(started["secret"]).now()}, headers=bearer(refreshed)
    )
    secrets += [started["secret"], *confirmed.json()["recovery_codes"]]
    await signed_in(gateway, user["username"], totp=next_totp(started["secret"]))
    await signed_in(gateway, user["username"], recovery_code=confirmed.json()["recovery_codes"][0])
    await gateway.post("/v1/auth/logout", headers=bearer(refreshed))
    key = (
        await gateway.post(
            f"/v1/admin/organizations/{org['id']}/api-keys",
            json={"name": "k", "user_id": user["id"]},
            headers=admin(credentials),
        )  # fmt: skip
    ).json()
    secrets.append(key["key"])
    await gateway.delete(f"/v1/admin/api-keys/{key['id']}", headers=admin(credentials))
    reset = (await gateway.post(f"/v1/admin/users/{user['id']}/activation-code", headers=admin(credentials))).json()
    secrets.append(reset["code"])
    await activate(gateway, user["username"], reset["code"], "the second long passphrase")
    secrets.append("the second long passphrase")
    await gateway.patch(f"/v1/admin/users/{user['id']}", json={"disabled": True}, headers=admin(credentials))

    records = await all_records(gateway, credentials)
    by_record: dict[str, list[str]] = {}
    for record in records:
        by_record.setdefault(record["record_id"], []).append(record["action"])
    assert by_record[org["id"]] == ["organization.created", "organization.updated"]
    assert by_record[user["id"]] == [
        "user.created", "user.activated", "user.totp_started", "user.totp_enabled", "user.second_factor_used",
        "user.second_factor_used", "user.password_reset", "user.activated", "user.disabled",
    ]  # fmt: skip
    assert by_record[key["id"]] == ["api_key.created", "api_key.revoked"]
    session_actions = [a for r, actions in by_record.items() for a in actions if a.startswith("session.")]
    assert session_actions.count("session.started") >= 3 and "session.refreshed" in session_actions
    assert "session.ended" in session_actions and "session.second_factor_set_up" not in session_actions

    dumped = json.dumps(records)
    digest_key = common_settings.audit_digest_key.encode()
    for secret in secrets:
        assert secret not in dumped
        assert keyed_digest(digest_key, secret) not in dumped
    verified = (await gateway.get("/v1/audit/gateway/verify", headers=key_of(credentials, "auditor"))).json()
    assert verified["valid"] is True
