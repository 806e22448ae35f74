"""Registering workers: minimum age, duplicates without leaks, encryption at rest, masking by role, audited reads."""

import uuid

from sqlalchemy import select, text

from fairpath.common.auth import Role
from fairpath.common.testing import make_principal

from .conftest import new_agency, register, worker_body, worker_principal


async def test_agency_registers_a_worker_and_owns_the_record(registry, minter):
    agency = new_agency()
    created = await register(registry, minter, agency)
    assert created["view"] == "full" and created["full_name"] == "Sita Gurung"
    assert created["agency_organization_id"] == str(agency.organization_id)
    assert created["consents"] == ["registration"]
    assert created["skills"][0]["occupation_title"]
    got = await registry.get(f"/v1/workers/{created['id']}", headers=minter.headers(agency))
    assert got.status_code == 200 and got.json()["identity_document"]["number"] == created["identity_document"]["number"]
