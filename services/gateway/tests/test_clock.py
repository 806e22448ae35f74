"""The admin clock on the gateway: admins read and move it outside production; production refuses both."""

from datetime import UTC, datetime, timedelta

import pytest

from fairpath.common.clock import CLOCK

from .conftest import api_key


@pytest.fixture
def production_clock():
    """The process's clock as production fixes it, put back afterwards for the other tests."""
    CLOCK.fix_to_system()
    try:
        yield CLOCK
    finally:
        CLOCK.settable = True


async def test_an_admin_reads_the_clock_every_service_sees(gateway, demo_credentials):
    _, credentials = demo_credentials
    response = await gateway.get("/v1/admin/clock", headers=api_key(credentials, "admin"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["offset_seconds"] == 0
    assert abs(datetime.fromisoformat(body["now"]) - datetime.now(UTC)) < timedelta(seconds=5)


async def test_only_an_admin_may_move_the_clock(gateway, demo_credentials):
    _, credentials = demo_credentials
    for user in ("agency", "compliance_officer", "auditor"):
        moved = await gateway.put(
            "/v1/admin/clock", json={"now": "2030-01-01T00:00:00Z"}, headers=api_key(credentials, user)
        )
        assert moved.status_code == 403, user
    assert CLOCK.offset == timedelta(0)


async def test_production_refuses_to_read_or_move_the_clock(gateway, demo_credentials, production_clock):
    _, credentials = demo_credentials
    read = await gateway.get("/v1/admin/clock", headers=api_key(credentials, "admin"))
    moved = await gateway.put(
        "/v1/admin/clock", json={"now": "2030-01-01T00:00:00Z"}, headers=api_key(credentials, "admin")
    )
    for response in (read, moved):
        assert response.status_code == 403
        assert response.json()["type"] == "urn:fairpath:problem:clock_not_settable"
    assert production_clock.offset == timedelta(0)
