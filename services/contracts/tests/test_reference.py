"""The operator's reference tables: rows with their source and date, replaced whole by an admin."""

import pytest

from fairpath.common.auth import Role
from fairpath.common.testing import make_principal


async def test_an_admin_replaces_the_minimum_wage_table_and_everyone_reads_it(world):
    rows = [
        {
            "country": "AE",
            "sector": None,
            "amount": 100000,
            "currency": "AED",
            "period": "month",
            "source": "Test decree",
            "effective_from": "2025-01-01",
        }
    ]
    r = await world.client.put("/v1/reference/minimum-wages", json={"items": rows}, headers=world.headers(world.admin))
    assert r.status_code == 200 and r.json()["items"] == rows
    read = await world.client.get("/v1/reference/minimum-wages", headers=world.headers(make_principal(Role.worker)))
    assert read.json()["items"] == rows
    await world.client.put("/v1/reference/minimum-wages", json={"items": []}, headers=world.headers(world.admin))


@pytest.mark.parametrize("role", [Role.agency, Role.employer, Role.compliance_officer, Role.auditor])
async def test_only_admins_change_reference_tables(world, role):
    for table in ("minimum-wages", "working-time-limits", "exchange-rates"):
        r = await world.client.put(
            f"/v1/reference/{table}", json={"items": []}, headers=world.headers(make_principal(role))
        )
        assert r.status_code == 403


async def test_a_row_without_a_source_is_refused_and_duplicates_are_named(world):
    row = {
        "country": "QA",
        "max_hours_per_week": 48,
        "min_weekly_rest_days": 1,
        "min_annual_leave_days": 21,
        "source": "",
        "effective_from": "2025-01-01",
    }
    r = await world.client.put(
        "/v1/reference/working-time-limits", json={"items": [row]}, headers=world.headers(world.admin)
    )
    assert r.status_code == 422 and r.json()["violations"][0]["field"] == "items.0.source"
    row["source"] = "Test law"
    r = await world.client.put(
        "/v1/reference/working-time-limits", json={"items": [row, row]}, headers=world.headers(world.admin)
    )
    assert r.status_code == 422 and "appears twice" in r.text


async def test_exchange_rates_are_exact_decimals(world):
    rows = [
        {
            "base_currency": "USD",
            "quote_currency": "QAR",
            "rate": "3.64",
            "source": "Test central bank",
            "as_of": "2026-11-01",
        }
    ]
    r = await world.client.put("/v1/reference/exchange-rates", json={"items": rows}, headers=world.headers(world.admin))
    assert r.status_code == 200 and r.json()["items"][0]["rate"] == "3.64"
    await world.client.put("/v1/reference/exchange-rates", json={"items": []}, headers=world.headers(world.admin))
