"""The public check of a contract document by its verification code: a random code per version, read back however
it is typed, answered without login with the version's status, number, SHA-256 and dates and nothing that names
anyone; an unknown or malformed code is a 404 like any other."""

import copy
import logging
import re
import uuid

import pytest
from sqlalchemy import column, insert, select, table

from fairpath.common.db import Database
from fairpath.common.migrations import downgrade, upgrade
from fairpath.common.timeutil import utcnow
from fairpath.contracts.app import MIGRATIONS
from fairpath.contracts.contracts.codes import ALPHABET, LENGTH, grouped, new_code, normalised
from fairpath.contracts.contracts.tables import Contract, ContractVersion
from fairpath.contracts.job_orders.tables import JobOrder, JobPosition

# What the answer holds, and nothing else: no id, party, worker, business, place or pay.
KEYS = {
    "code",
    "verdict",
    "explanation",
    "status",
    "version",
    "current",
    "signed",
    "content_hash",
    "issued_at",
    "signed_at",
    "superseded_at",
}


async def verify(world, code: str):
    """As the public calls it: no principal header at all."""
    return await world.client.get(f"/v1/verify/contracts/{code}")


async def versions_of(world, contract_id: str) -> list[dict]:
    r = await world.client.get(f"/v1/contracts/{contract_id}/versions", headers=world.headers(world.auditor))
    assert r.status_code == 200, r.text
    return r.json()["items"]


def test_a_code_is_13_crockford_characters_from_secrets_and_printed_in_groups_of_four():
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(len(c) == LENGTH and set(c) <= set(ALPHABET) for c in codes)
    assert len(ALPHABET) ** LENGTH >= 2**64 and not set("ILOU") & set(ALPHABET)
    assert grouped("7KQ2M9XD4RTHW") == "7KQ2-M9XD-4RTH-W"


@pytest.mark.parametrize(
    "typed",
    ["7KQ2-M9XD-4RTH-W", "7KQ2M9XD4RTHW", "7kq2-m9xd-4rth-w", " 7KQ2 M9XD 4RTH W ", "7KQ2-M9XD-4RTH-W".lower()],
)
def test_a_code_is_read_with_or_without_dashes_in_any_case(typed):
    assert normalised(typed) == "7KQ2M9XD4RTHW"


def test_o_is_read_as_zero_and_i_or_l_as_one():
    assert normalised("O1A2-B3C4-D5E6-I") == "01A2B3C4D5E61"
    assert normalised("l1A2-B3C4-D5E6-o") == "11A2B3C4D5E60"


@pytest.mark.parametrize("typed", ["", "7KQ2", "7KQ2-M9XD-4RTH-WW", "7KQ2-M9XD-4RTH-U", "7KQ2_M9XD_4RTH_W", "x" * 500])
def test_what_cannot_be_a_code_is_no_code(typed):
    assert normalised(typed) is None


async def test_each_version_gets_its_own_code_when_it_is_made(world):
    p = await world.parties()
    created = await p.contract()
    r = await world.client.patch(
        f"/v1/contracts/{created['id']}",
        json={"terms": {"pay": {"amount": 190000}}},
        headers=world.headers(p.agency_user),
    )
    assert r.status_code == 200, r.text
    versions = await versions_of(world, created["id"])
    codes = [v["verification_code"] for v in versions]
    assert len(codes) == 2 and codes[0] != codes[1]
    assert all(
        re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]", c)
        for c in codes
    )
    assert created["verification_code"] == codes[0] and r.json()["verification_code"] == codes[1]


async def test_codes_are_unique_in_the_table(world, contracts_app):
    p = await world.parties()
    created = await p.contract()
    async with contracts_app.state.database.session(read_only=True) as s:
        stored = (await s.execute(select(ContractVersion.verification_code))).scalars().all()
    assert len(stored) == len(set(stored))
    assert ContractVersion.__table__.c.verification_code.unique or any(
        index.unique and [c.name for c in index.columns] == ["verification_code"]
        for index in ContractVersion.__table__.indexes
    )
    assert normalised(created["verification_code"]) in stored


async def test_the_signed_version_of_a_contract_in_force_is_current_signed_and_names_nobody(world):
    p = await world.parties()
    signed = await p.signed()
    for typed in (
        signed["verification_code"],
        signed["verification_code"].replace("-", ""),
        signed["verification_code"].lower(),
    ):
        r = await verify(world, typed)
        assert r.status_code == 200, r.text
        body = r.json()
        assert set(body) == KEYS
        assert body["code"] == signed["verification_code"]
        assert body["verdict"] == "current_signed" and body["status"] == "signed"
        assert body["version"] == signed["current_version"] and body["current"] and body["signed"]
        assert body["content_hash"] == signed["content_hash"]
        assert body["issued_at"] and body["signed_at"] and body["superseded_at"] is None
    text = r.text
    for personal in (
        signed["id"],
        str(p.worker),
        str(p.employer),
        str(p.agency),
        signed["terms"]["parties"]["worker"]["full_name"],
        signed["terms"]["parties"]["employer"]["legal_name"],
        str(signed["terms"]["pay"]["amount"]),
        signed["terms"]["workplace"]["city"],
    ):
        assert personal not in text


async def test_a_replaced_version_is_superseded_and_the_draft_that_replaced_it_is_not_signed(world):
    p = await world.parties()
    issued = await p.issued()
    r = await world.client.patch(
        f"/v1/contracts/{issued['id']}",
        json={"terms": {"leave": {"sick_leave_days": 20}}},
        headers=world.headers(p.employer_user),
    )
    assert r.status_code == 200, r.text
    old = (await verify(world, issued["verification_code"])).json()
    assert old["verdict"] == "superseded" and not old["current"] and not old["signed"]
    assert old["version"] == 1 and old["issued_at"] and old["superseded_at"] and old["status"] == "draft"
    new = (await verify(world, r.json()["verification_code"])).json()
    assert new["verdict"] == "not_signed" and new["current"] and not new["signed"] and new["version"] == 2
    assert new["issued_at"] is None and new["signed_at"] is None


async def test_an_issued_version_waiting_for_the_signature_is_not_signed(world):
    p = await world.parties()
    issued = await p.issued()
    body = (await verify(world, issued["verification_code"])).json()
    assert body["verdict"] == "not_signed" and body["status"] == "issued" and body["current"]
    assert body["issued_at"] and body["signed_at"] is None


async def test_a_terminated_contract_is_terminated_whatever_version(world):
    p = await world.parties()
    signed = await p.signed()
    r = await p.post(
        signed["id"],
        "terminate",
        {"terminated_on": utcnow().date().isoformat(), "reason": "resignation", "ended_by": "worker"},
        as_=p.worker_user,
    )
    assert r.status_code == 200, r.text
    body = (await verify(world, signed["verification_code"])).json()
    assert body["verdict"] == "terminated" and body["status"] == "terminated" and body["signed"]


async def test_a_signed_contract_with_a_substitution_finding_is_disputed(world):
    p = await world.parties()
    signed = await p.signed()
    presented = copy.deepcopy(signed["terms"])
    presented["pay"]["amount"] = 150000
    r = await p.post(signed["id"], "arrival-verification", {"presented_terms": presented}, as_=world.officer)
    assert r.status_code == 200 and r.json()["contract_status"] == "disputed", r.text
    body = (await verify(world, signed["verification_code"])).json()
    assert body["verdict"] == "disputed" and body["signed"] and body["current"]


@pytest.mark.parametrize(
    "code", ["7KQ2-M9XD-4RTH-W", "0000000000000", "not-a-code", "7KQ2-M9XD-4RTH-WXYZ", "%E2%80%AE", "a" * 300]
)
async def test_an_unknown_or_malformed_code_is_the_same_404(world, code):
    r = await verify(world, code)
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert problem["type"] == "urn:fairpath:problem:not_found"
    assert problem["detail"] == "contract document with this verification code not found"


async def test_a_check_is_logged_with_the_first_four_characters_of_the_code_only(world, caplog):
    p = await world.parties()
    created = await p.contract()
    code = normalised(created["verification_code"])
    with caplog.at_level(logging.INFO, logger="fairpath.contracts.verification"):
        assert (await verify(world, created["verification_code"])).status_code == 200
    records = [r for r in caplog.records if r.name == "fairpath.contracts.verification"]
    assert records and records[-1].code_prefix == code[:4]
    for record in records:
        assert code not in str(record.__dict__) and created["verification_code"] not in str(record.__dict__)


async def test_the_check_is_documented_as_an_operation_without_credentials(world):
    doc = (await world.client.get("/openapi.json")).json()
    operation = doc["paths"]["/v1/verify/contracts/{code}"]["get"]
    assert not operation.get("security")
    assert "401" not in operation["responses"] and "403" not in operation["responses"]
    assert operation["responses"]["200"]["content"]["application/json"]["example"]["verdict"] == "current_signed"


# The table of versions as revision 0007 left it (the model's table would insert a code of its own).
VERSION_AT_0007 = table(
    "contract_version",
    *(column(c.name, c.type) for c in ContractVersion.__table__.c if c.name != "verification_code"),
)


async def test_the_migration_gives_every_version_made_before_it_a_code(database_url):
    database = Database(await database_url(f"contracts_0008_{uuid.uuid4().hex[:6]}"))
    try:
        await upgrade(database, MIGRATIONS, revision="0007")
        now = utcnow()
        contract_id, order_id, position_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        async with database.engine.begin() as connection:
            await connection.execute(
                insert(JobOrder.__table__).values(
                    id=order_id, employer_id=uuid.uuid4(), destination_country="QA", sector="F", created_at=now
                )
            )
            await connection.execute(
                insert(JobPosition.__table__).values(
                    id=position_id,
                    job_order_id=order_id,
                    occupation="7112",
                    title="Mason",
                    number_of_workers=1,
                    pay_amount=180000,
                    currency="QAR",
                    pay_period="month",
                    normal_hours_per_day=8,
                    normal_hours_per_week=48,
                    weekly_rest_days=1,
                    paid_annual_leave_days=21,
                    housing="provided_free",
                    food="provided_free",
                )
            )
            await connection.execute(
                insert(Contract.__table__).values(
                    id=contract_id,
                    status="draft",
                    job_order_id=order_id,
                    position_id=position_id,
                    employer_id=uuid.uuid4(),
                    agency_ids=[],
                    worker_id=uuid.uuid4(),
                    destination_country="QA",
                    sector="F",
                    occupation="7112",
                    term="fixed_period",
                    departure_date=now.date(),
                    start_date=now.date(),
                    current_version=2,
                    warnings=[],
                    created_at=now,
                    updated_at=now,
                    version=1,
                )
            )
            for number in (1, 2):
                await connection.execute(
                    insert(VERSION_AT_0007).values(
                        contract_id=contract_id,
                        number=number,
                        terms={},
                        worker_sealed="sealed",
                        content_hash="0" * 64,
                        warnings=[],
                        created_by="test",
                        created_at=now,
                    )
                )
        await upgrade(database, MIGRATIONS)
        async with database.engine.connect() as connection:
            codes = (
                (
                    await connection.execute(
                        select(ContractVersion.__table__.c.verification_code).where(
                            ContractVersion.__table__.c.contract_id == contract_id
                        )
                    )
                )
                .scalars()
                .all()
            )
        assert len(codes) == 2 and len(set(codes)) == 2
        assert all(normalised(c) == c for c in codes)
        await downgrade(database, MIGRATIONS, revision="0007")
    finally:
        await database.dispose()
