"""What callers type is checked before it is stored: no control characters (PostgreSQL refuses a NUL in text,
SQLite keeps it), text normalised to Unicode NFC, dates in a plausible range; each refusal a 422 naming
the field and the rule. Prose (reasons, notes, evidence, an address) may hold tabs and line breaks."""

import unicodedata
import uuid
from datetime import timedelta

import pytest

from fairpath.common.auth import Role
from fairpath.common.testing import make_principal
from fairpath.common.timeutil import utcnow

from .helpers import business_body, register

AGENCY = make_principal(Role.agency)
ADMIN = make_principal(Role.admin)
OFFICER = make_principal(Role.compliance_officer)


def violations(response) -> set[tuple[str, str]]:
    assert response.status_code == 422, response.text
    return {(v["field"], v["rule"]) for v in response.json()["violations"]}


async def test_a_nul_in_a_legal_name_is_a_422_naming_the_field_and_nothing_is_stored(vetting, minter):
    headers = minter.headers(AGENCY)
    number = f"CN-{uuid.uuid4().hex[:10]}"
    r = await vetting.post(
        "/v1/businesses",
        json=business_body(legal_name="Gulf\u0000Horizon LLC", registration_number=number),
        headers=headers,
    )
    assert violations(r) == {("legal_name", "control_character")}
    assert "U+0000" in r.json()["violations"][0]["message"]
    listed = await vetting.get("/v1/businesses", params={"name": "horizon", "limit": 200}, headers=headers)
    assert number not in [b["registration_number"] for b in listed.json()["items"]]


@pytest.mark.parametrize(
    "fields,expected",
    [
        ({"other_names": ["Gulf Horizon", "Horizon\u0007Bell"]}, {("other_names.1", "control_character")}),
        ({"address": "PO Box 1\u0000"}, {("address", "control_character")}),
        ({"legal_name": "Gulf\tHorizon"}, {("legal_name", "control_character")}),
        ({"legal_name": "Gulf\nHorizon"}, {("legal_name", "control_character")}),
        ({"registration_number": "CN-1\u0000"}, {("registration_number", "control_character")}),
    ],
)
async def test_control_characters_are_refused_in_every_business_field(vetting, minter, fields, expected):
    r = await vetting.post("/v1/businesses", json=business_body(**fields), headers=minter.headers(AGENCY))
    assert violations(r) == expected


async def test_names_are_stored_nfc_and_an_address_may_run_over_lines(vetting, minter):
    headers = minter.headers(AGENCY)
    decomposed = unicodedata.normalize("NFD", "Société Générale du Bâtiment Ñandú")
    assert decomposed != unicodedata.normalize("NFC", decomposed)
    biz = await register(
        vetting, headers, legal_name=decomposed, other_names=[decomposed + " 2"], address="Tower 2,\nDubai\tMarina"
    )
    got = (await vetting.get(f"/v1/businesses/{biz['id']}", headers=headers)).json()
    nfc = unicodedata.normalize("NFC", decomposed)
    assert (got["legal_name"], got["other_names"], got["address"]) == (nfc, [nfc + " 2"], "Tower 2,\nDubai\tMarina")
    found = await vetting.get(
        "/v1/businesses", params={"name": unicodedata.normalize("NFD", "Générale")}, headers=headers
    )
    assert biz["id"] in [b["id"] for b in found.json()["items"]]
    changed = await vetting.patch(f"/v1/businesses/{biz['id']}", json={"legal_name": "Bad\u0000Name"}, headers=headers)
    assert violations(changed) == {("legal_name", "control_character")}


async def test_a_nul_in_a_name_search_is_a_422(vetting, minter):
    r = await vetting.get("/v1/businesses", params={"name": "a\u0000b"}, headers=minter.headers(AGENCY))
    assert violations(r) == {("name", "control_character")}


def licence(**overrides) -> dict:
    return {
        "number": f"DOFE-{uuid.uuid4().hex[:6]}",
        "authority": "Department of Foreign Employment",
        "country": "NP",
        "valid_from": "2025-01-01",
        "valid_until": "2030-12-31",
    } | overrides


@pytest.mark.parametrize(
    "fields,expected",
    [
        ({"valid_from": "1899-12-31"}, {("valid_from", "date_too_early")}),
        ({"valid_from": "future"}, {("valid_from", "date_in_future")}),
        ({"valid_from": "2025-01-01", "valid_until": "2024-12-31"}, {("valid_until", "valid_period")}),
        ({"valid_from": "2025-01-01", "valid_until": "2025-01-01"}, {("valid_until", "valid_period")}),
        ({"number": "L-1\u0000"}, {("number", "control_character")}),
        ({"authority": "Department\u001fof Labour"}, {("authority", "control_character")}),
    ],
)
async def test_a_licence_refuses_implausible_dates_and_control_characters(vetting, minter, fields, expected):
    headers = minter.headers(AGENCY)
    biz = await register(vetting, headers, kind="recruitment_agency", country="NP")
    if fields.get("valid_from") == "future":
        tomorrow = (utcnow() + timedelta(days=1)).date()
        fields = {"valid_from": tomorrow.isoformat(), "valid_until": (tomorrow + timedelta(days=365)).isoformat()}
    r = await vetting.post(f"/v1/businesses/{biz['id']}/licences", json=licence(**fields), headers=headers)
    assert violations(r) == expected


async def test_a_licence_issued_today_is_plausible(vetting, minter):
    headers = minter.headers(AGENCY)
    biz = await register(vetting, headers, kind="recruitment_agency", country="NP")
    today = utcnow().date()
    r = await vetting.post(
        f"/v1/businesses/{biz['id']}/licences",
        json=licence(valid_from=today.isoformat(), valid_until=(today + timedelta(days=1)).isoformat()),
        headers=headers,
    )
    assert r.status_code == 201, r.text


@pytest.mark.parametrize(
    "method,path,body,role,expected",
    [
        (
            "post",
            "/v1/businesses/{id}/vetting-cases",
            {"reason": "re\u0000view"},
            OFFICER,
            ("reason", "control_character"),
        ),
        (
            "post",
            "/v1/vetting-cases/{random}/decision",
            {"decision": "rejected", "reason": "a\u0000b"},
            OFFICER,
            ("reason", "control_character"),
        ),
        (
            "post",
            "/v1/vetting-cases/{random}/decision",
            {
                "decision": "conditionally_approved",
                "reason": "licence renewal pending",
                "conditions": ["renew\u0000it"],
                "condition_deadline": "2030-01-01T00:00:00Z",
            },
            OFFICER,
            ("conditions.0", "control_character"),
        ),
        (
            "post",
            "/v1/screening-hits/{random}/resolution",
            {"decision": "dismissed", "reason": "name\u0000sake"},
            OFFICER,
            ("reason", "control_character"),
        ),
        ("post", "/v1/watchlists", {"name": "list\u0000", "kind": "blocklist"}, ADMIN, ("name", "control_character")),
        (
            "post",
            "/v1/watchlists",
            {"name": f"list {uuid.uuid4().hex}", "kind": "blocklist", "source": "team\u0000"},
            ADMIN,
            ("source", "control_character"),
        ),
        (
            "put",
            "/v1/reference/country-risk",
            {"rows": [{"country": "QA", "points": 5, "source": "re\u0000view", "as_of": "2026-01-01"}]},
            ADMIN,
            ("rows.0.source", "control_character"),
        ),
        (
            "put",
            "/v1/reference/country-risk",
            {"rows": [{"country": "QA", "points": 5, "source": "review", "as_of": "1850-01-01"}]},
            ADMIN,
            ("rows.0.as_of", "date_too_early"),
        ),
        (
            "post",
            "/v1/businesses/{id}/assessments",
            {"answers": [{"question_id": "A1", "answer": "compliant", "evidence": "policy\u0000"}]},
            AGENCY,
            ("answers.0.evidence", "control_character"),
        ),
    ],
)
async def test_free_text_and_dates_of_every_vetting_request_are_checked(
    vetting, minter, method, path, body, role, expected
):
    biz = await register(vetting, minter.headers(AGENCY))
    url = path.format(id=biz["id"], random=uuid.uuid4())
    r = await getattr(vetting, method)(url, json=body, headers=minter.headers(role))
    assert expected in violations(r)


async def test_prose_keeps_tabs_and_line_breaks(vetting, minter):
    biz = await register(vetting, minter.headers(AGENCY))
    reason = "re-vetting:\n\t- licence renewed\r\n\t- new directors"
    r = await vetting.post(
        f"/v1/businesses/{biz['id']}/vetting-cases", json={"reason": reason}, headers=minter.headers(OFFICER)
    )
    assert r.status_code == 201 and r.json()["opened_reason"] == reason
