"""Fee reports (IRIS C): a worker-paid amount is a finding emitted as registry.fee.reported; reimbursement is
tracked (owed, promised, paid) until the worker confirms it, which emits registry.fee.reimbursed."""

import uuid

from fairpath.common.auth import Role
from fairpath.common.testing import make_principal

from .conftest import new_agency, register, worker_principal


def fee(**overrides) -> dict:
    return {
        "category": "recruitment_fee",
        "amount_minor": 15_000_000,
        "currency": "NPR",
        "payment_method": "loan",
        "paid_on": "2026-03-02",
        "evidence": [
            {"kind": "receipt", "reference": "doc-7731", "description": "receipt signed by the sub-agent Ram Bahadur"}
        ],
    } | overrides


async def test_worker_paid_fee_reported_by_the_worker_is_a_finding_and_emitted(registry, minter, published, businesses):
    agency = new_agency()
    created = await register(registry, minter, agency)
    charged = await businesses.known(kind="recruitment_agency", recruiting=agency)
    r = await registry.post(
        f"/v1/workers/{created['id']}/fees",
        json=fee(paid_to_business_id=str(charged)),
        headers=minter.headers(worker_principal(created["id"])),
    )
    assert r.status_code == 201, r.text
    report = r.json()
    assert report["finding"] is True and report["reimbursement_status"] == "owed" and report["channel"] == "worker"
    assert report["finding_business_id"] == str(charged) and report["evidence"][0]["reference"] == "doc-7731"
    [event] = await published.wait_for("registry.fee.reported", report["id"])
    assert event.data["business_id"] == str(charged) and event.data["worker_id"] == created["id"]
    assert (event.data["amount_minor"], event.data["currency"], event.data["category"]) == (
        15_000_000,
        "NPR",
        "recruitment_fee",
    )
    assert event.data["reported_by_role"] == "worker" and "Ram Bahadur" not in event.to_json().decode()


async def test_agency_reports_for_its_worker_and_an_unknown_recipient_is_the_agencys_finding(
    registry, minter, published
):
    agency = new_agency()
    created = await register(registry, minter, agency)
    covered = await registry.post(
        f"/v1/workers/{created['id']}/fees",
        json=fee(paid_by="employer", category="medical"),
        headers=minter.headers(agency),
    )
    assert covered.status_code == 201
    assert covered.json()["finding"] is False and covered.json()["reimbursement_status"] == "not_applicable"
    r = await registry.post(f"/v1/workers/{created['id']}/fees", json=fee(), headers=minter.headers(agency))
    assert r.status_code == 201 and r.json()["channel"] == "agency"
    [event] = await published.wait_for("registry.fee.reported", r.json()["id"])
    assert event.data["business_id"] == str(agency.business_id) and event.data["reported_by_role"] == "agency"
    assert published.of("registry.fee.reported", covered.json()["id"]) == [], "a cost the employer bore is no finding"


async def test_fee_for_a_worker_outside_reach_is_404_and_bad_input_lists_every_rule(registry, minter):
    created = await register(registry, minter, new_agency())
    for outsider in (new_agency(), worker_principal(uuid.uuid4())):
        r = await registry.post(f"/v1/workers/{created['id']}/fees", json=fee(), headers=minter.headers(outsider))
        assert r.status_code == 404
    assert (
        await registry.post(
            f"/v1/workers/{created['id']}/fees", json=fee(), headers=minter.headers(make_principal(Role.employer))
        )
    ).status_code == 403
    r = await registry.post(
        f"/v1/workers/{created['id']}/fees",
        headers=minter.headers(worker_principal(created["id"])),
        json=fee(category="bribe", amount_minor=0, currency="XYZ", paid_on="2999-01-01"),
    )
    assert r.status_code == 422
    assert {v["field"] for v in r.json()["violations"]} == {"category", "amount_minor", "currency", "paid_on"}


async def test_reimbursement_is_tracked_until_the_worker_confirms_it(registry, minter, published, businesses):
    agency = new_agency()
    created = await register(registry, minter, agency)
    employer = await businesses.employer(recruiting=agency)
    me = minter.headers(worker_principal(created["id"]))
    report = (
        await registry.post(
            f"/v1/workers/{created['id']}/fees", headers=me, json=fee(paid_to_business_id=str(employer.business_id))
        )
    ).json()
    url = f"/v1/fees/{report['id']}"

    assert (await registry.patch(url, json={"step": "confirmed"}, headers=me)).status_code == 409
    promised = await registry.patch(
        url, json={"step": "promised", "promised_by_date": "2026-12-31"}, headers=minter.headers(employer)
    )
    assert promised.status_code == 200 and promised.json()["reimbursement_status"] == "promised"
    assert (await registry.patch(url, json={"step": "paid"}, headers=minter.headers(employer))).status_code == 422
    paid = await registry.patch(
        url,
        json={"step": "paid", "reimbursed_amount_minor": 15_000_000, "reimbursed_on": "2026-05-01"},
        headers=minter.headers(employer),
    )
    assert paid.status_code == 200 and paid.json()["reimbursement_status"] == "paid"
    # The business's word does not close the finding; only the worker's confirmation does.
    assert (await registry.patch(url, json={"step": "confirmed"}, headers=minter.headers(employer))).status_code == 403
    assert published.of("registry.fee.reimbursed", report["id"]) == []
    disputed = await registry.patch(url, json={"step": "disputed"}, headers=me)
    assert disputed.json()["reimbursement_status"] == "owed"
    await registry.patch(
        url,
        json={"step": "paid", "reimbursed_amount_minor": 15_000_000, "reimbursed_on": "2026-05-02"},
        headers=minter.headers(employer),
    )
    confirmed = await registry.patch(url, json={"step": "confirmed"}, headers=me)
    assert confirmed.status_code == 200 and confirmed.json()["reimbursement_status"] == "confirmed"
    [event] = await published.wait_for("registry.fee.reimbursed", report["id"])
    assert event.data["confirmed_by_worker"] is True and event.data["reimbursed_amount_minor"] == 15_000_000
    assert event.data["reimbursed_on"] == "2026-05-02" and event.data["business_id"] == str(employer.business_id)


async def test_business_reads_a_fee_against_it_without_the_evidence_and_others_get_404(registry, minter, businesses):
    agency = new_agency()
    created = await register(registry, minter, agency)
    employer = await businesses.employer(recruiting=agency)
    report = (
        await registry.post(
            f"/v1/workers/{created['id']}/fees",
            headers=minter.headers(worker_principal(created["id"])),
            json=fee(paid_to_business_id=str(employer.business_id)),
        )
    ).json()
    seen = await registry.get(f"/v1/fees/{report['id']}", headers=minter.headers(employer))
    assert seen.status_code == 200 and seen.json()["evidence"] is None
    other = make_principal(Role.employer, business_id=uuid.uuid4())
    assert (await registry.get(f"/v1/fees/{report['id']}", headers=minter.headers(other))).status_code == 404
    assert (await registry.get(f"/v1/fees/{uuid.uuid4()}", headers=minter.headers(employer))).status_code == 404


async def test_a_fee_paid_on_an_implausible_date_is_refused(registry, minter):
    created = await register(registry, minter, new_agency())  # born 1996-04-12
    me = minter.headers(worker_principal(created["id"]))
    url = f"/v1/workers/{created['id']}/fees"
    for paid_on, rule in (("0001-01-01", "date_too_early"), ("1995-12-31", "date_too_early")):
        r = await registry.post(url, json=fee(paid_on=paid_on), headers=me)
        assert r.status_code == 422, (paid_on, r.text)
        assert [(v["field"], v["rule"]) for v in r.json()["violations"]] == [("paid_on", rule)], paid_on
        assert "1996-04-12" not in r.text, "the refusal does not repeat the worker's date of birth"
    assert (await registry.post(url, json=fee(paid_on="1996-04-12"), headers=me)).status_code == 201


async def test_a_reimbursement_before_the_payment_is_refused(registry, minter, businesses):
    agency = new_agency()
    created = await register(registry, minter, agency)
    employer = await businesses.employer(recruiting=agency)
    report = (
        await registry.post(
            f"/v1/workers/{created['id']}/fees",
            headers=minter.headers(worker_principal(created["id"])),
            json=fee(paid_to_business_id=str(employer.business_id), paid_on="2026-03-02"),
        )
    ).json()
    r = await registry.patch(
        f"/v1/fees/{report['id']}",
        json={"step": "paid", "reimbursed_amount_minor": 15_000_000, "reimbursed_on": "2026-03-01"},
        headers=minter.headers(employer),
    )
    assert r.status_code == 422
    assert [(v["field"], v["rule"]) for v in r.json()["violations"]] == [("reimbursed_on", "date_too_early")]


async def test_fee_evidence_text_is_refused_with_control_characters(registry, minter):
    created = await register(registry, minter, new_agency())
    r = await registry.post(
        f"/v1/workers/{created['id']}/fees",
        headers=minter.headers(worker_principal(created["id"])),
        json=fee(evidence=[{"kind": "receipt", "reference": "doc\x00-1", "description": "paid\x07 in cash"}]),
    )
    assert r.status_code == 422
    assert {(v["field"], v["rule"]) for v in r.json()["violations"]} == {
        ("evidence.0.reference", "control_character"),
        ("evidence.0.description", "control_character"),
    }
