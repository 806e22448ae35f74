"""Post-arrival check-ins (real NATS): scheduled when a placement becomes active, at the operator's weeks after
its start; answered by the worker alone once due; a worrying answer files a confidential grievance tagged with
its forced-labour indicator that neither the employer nor the agency reaches; unanswered ones past their date
are the officers' overdue list. Time moves with the system's clock."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest

from fairpath.common.auth import Role
from fairpath.common.clock import CLOCK
from fairpath.common.events.catalogue import ContractActivated, ContractTerminated
from fairpath.common.testing import make_principal
from fairpath.common.testing.nats import wait_until
from fairpath.common.timeutil import utcnow
from fairpath.registry.checkins.tables import CheckIn

from .conftest import new_agency, publish_contract_event, register, registry_settings, worker_principal
from .test_placements import contract, findings_for

OFFICER = make_principal(Role.compliance_officer)
GOOD = {
    "paid_in_full_and_on_time": True,
    "passport_in_hand": True,
    "contract_is_the_one_signed": True,
    "paid_any_fee": False,
    "want_to_talk": False,
}


@contextmanager
def weeks_later(weeks: int) -> Iterator[None]:
    offset = CLOCK.offset
    CLOCK.set_offset(offset + timedelta(weeks=weeks))
    try:
        yield
    finally:
        CLOCK.set_offset(offset)


async def arrived(registry, broker, minter, businesses):
    """A worker of the agency whose contract with an employer the agency recruits for became active today, and
    their check-ins once the registry scheduled them."""
    agency = new_agency()
    worker = await register(registry, minter, agency)
    employer = await businesses.employer(recruiting=agency)
    contract_id = uuid.uuid4()
    await publish_contract_event(
        broker,
        contract(
            worker["id"],
            employer.business_id,
            3,
            ContractActivated,
            contract_id=contract_id,
            agency_ids=[agency.business_id],
        ),
    )
    own = minter.headers(worker_principal(worker["id"]))

    async def scheduled():
        r = await registry.get(f"/v1/workers/{worker['id']}/check-ins", headers=own)
        return r.json()["items"] if r.status_code == 200 and len(r.json()["items"]) == 3 else None

    check_ins = await wait_until(scheduled, message="check-ins scheduled")
    return agency, employer, worker, contract_id, check_ins


async def overdue_ids(registry, minter) -> set[str]:
    """Every check-in on the officers' overdue list, page by page."""
    ids: set[str] = set()
    cursor = None
    while True:
        params = {"status": "overdue", "limit": 200} | ({"cursor": cursor} if cursor else {})
        page = (await registry.get("/v1/check-ins", params=params, headers=minter.headers(OFFICER))).json()
        ids |= {c["id"] for c in page["items"]}
        if not (cursor := page["next_cursor"]):
            return ids


async def answer(registry, minter, caller, check_in_id, answers):
    return await registry.post(f"/v1/check-ins/{check_in_id}/answers", json=answers, headers=minter.headers(caller))


async def test_check_ins_are_due_at_2_6_and_12_weeks_after_arrival_and_answered_once_due(
    registry, broker, minter, businesses
):
    _, _, worker, contract_id, check_ins = await arrived(registry, broker, minter, businesses)
    today = utcnow().date()
    assert [(c["week"], c["due_on"], c["status"]) for c in check_ins] == [
        (2, (today + timedelta(weeks=2)).isoformat(), "scheduled"),
        (6, (today + timedelta(weeks=6)).isoformat(), "scheduled"),
        (12, (today + timedelta(weeks=12)).isoformat(), "scheduled"),
    ]
    assert {c["contract_id"] for c in check_ins} == {str(contract_id)}
    me = worker_principal(worker["id"])
    early = await answer(registry, minter, me, check_ins[0]["id"], GOOD)
    assert early.status_code == 409 and early.json()["type"].endswith("check_in_not_due")

    with weeks_later(3):
        overdue = await overdue_ids(registry, minter)
        assert check_ins[0]["id"] in overdue and check_ins[1]["id"] not in overdue
        answered = await answer(
            registry, minter, me, check_ins[0]["id"], GOOD | {"note": "All fine.", "language": "ne"}
        )
        assert answered.status_code == 200, answered.text
        body = answered.json()
        assert body["status"] == "answered" and body["grievance_id"] is None and body["answers"]["note"] == "All fine."
        again = await answer(registry, minter, me, check_ins[0]["id"], GOOD)
        assert again.status_code == 409 and again.json()["type"].endswith("check_in_answered")
        assert check_ins[0]["id"] not in await overdue_ids(registry, minter)


async def test_a_worrying_answer_files_a_confidential_grievance_hidden_from_employer_and_agency(
    registry, broker, minter, businesses, published
):
    agency, employer, worker, _, check_ins = await arrived(registry, broker, minter, businesses)
    me = worker_principal(worker["id"])
    with weeks_later(2):
        answered = await answer(
            registry,
            minter,
            me,
            check_ins[0]["id"],
            GOOD | {"passport_in_hand": False, "paid_any_fee": True, "note": "The supervisor keeps our passports."},
        )
    assert answered.status_code == 200, answered.text
    grievance_id = answered.json()["grievance_id"]
    assert grievance_id is not None

    for_officer = (await registry.get(f"/v1/grievances/{grievance_id}", headers=minter.headers(OFFICER))).json()
    assert for_officer["alleged_indicators"] == ["retention_of_identity_documents", "debt_bondage"]
    assert for_officer["anonymous"] is True and for_officer["worker_id"] == worker["id"]
    assert for_officer["business_id"] is None and "keeps our passports" in for_officer["description"]
    for business in (agency, employer):
        hidden = await registry.get(f"/v1/grievances/{grievance_id}", headers=minter.headers(business))
        assert hidden.status_code == 404
        listed = await registry.get("/v1/grievances", headers=minter.headers(business))
        assert grievance_id not in [g["id"] for g in listed.json()["items"]]
    [event] = await published.wait_for("registry.grievance.filed", grievance_id)
    assert event.data["worker_id"] is None and event.data["anonymous"] is True
    assert "passports" not in event.to_json().decode()

    # The agency sees whether each check-in was answered, never the answers or the grievance.
    seen = await registry.get(f"/v1/workers/{worker['id']}/check-ins", headers=minter.headers(agency))
    assert seen.status_code == 200
    first = seen.json()["items"][0]
    assert first["status"] == "answered" and first["answers"] is None and first["grievance_id"] is None
    officer_view = await registry.get(f"/v1/workers/{worker['id']}/check-ins", headers=minter.headers(OFFICER))
    assert officer_view.json()["items"][0]["answers"]["passport_in_hand"] is False


async def test_another_workers_check_in_or_another_agencys_worker_is_answered_as_a_random_id(
    registry, broker, minter, businesses
):
    _, employer, worker, _, check_ins = await arrived(registry, broker, minter, businesses)
    stranger = await register(registry, minter, new_agency())
    with weeks_later(2):
        theirs = await answer(registry, minter, worker_principal(stranger["id"]), check_ins[0]["id"], GOOD)
        random = await answer(registry, minter, worker_principal(stranger["id"]), uuid.uuid4(), GOOD)
    assert theirs.status_code == random.status_code == 404
    assert theirs.json()["type"] == random.json()["type"]
    other_agency = await registry.get(f"/v1/workers/{worker['id']}/check-ins", headers=minter.headers(new_agency()))
    random_worker = await registry.get(f"/v1/workers/{uuid.uuid4()}/check-ins", headers=minter.headers(new_agency()))
    assert other_agency.status_code == random_worker.status_code == 404
    assert (
        await registry.get(f"/v1/workers/{worker['id']}/check-ins", headers=minter.headers(employer))
    ).status_code == 403
    by_officer = await answer(registry, minter, OFFICER, check_ins[0]["id"], GOOD)
    assert by_officer.status_code == 403


def test_the_operator_sets_the_check_in_weeks(monkeypatch, common_settings):
    monkeypatch.setenv("FAIRPATH_REGISTRY_CHECK_IN_WEEKS", "4, 10")
    assert registry_settings("sqlite+aiosqlite://", common_settings).check_in_weeks == (4, 10)
    monkeypatch.setenv("FAIRPATH_REGISTRY_CHECK_IN_WEEKS", "4,never")
    with pytest.raises(ValueError, match="check_in_weeks"):
        registry_settings("sqlite+aiosqlite://", common_settings)


async def test_erasure_clears_what_the_worker_wrote_and_keeps_the_answers(
    registry, registry_app, broker, minter, businesses
):
    _, _, worker, _, check_ins = await arrived(registry, broker, minter, businesses)
    me = worker_principal(worker["id"])
    with weeks_later(2):
        answered = await answer(registry, minter, me, check_ins[0]["id"], GOOD | {"note": "My manager Ram is kind."})
    assert answered.status_code == 200, answered.text
    erased = await registry.post(
        f"/v1/workers/{worker['id']}/erasure", json={"reason": "data_subject_request"}, headers=minter.headers(me)
    )
    assert erased.status_code == 200, erased.text
    async with registry_app.state.database.session(read_only=True) as s:
        kept = await s.get(CheckIn, uuid.UUID(check_ins[0]["id"]))
    assert kept.note_sealed is None and kept.answered_at is not None and kept.passport_in_hand is True


async def test_a_termination_soon_after_a_check_in_answer_is_retaliation_told_as_anonymous(
    registry, registry_app, broker, minter, businesses, published
):
    """The retaliation rule covers a worker who answered a check-in (even with nothing worrying in it) as it
    covers one who filed a grievance; the check-in is confidential, so the finding names neither it nor the gap."""
    agency, employer, worker, contract_id, check_ins = await arrived(registry, broker, minter, businesses)
    with weeks_later(3):
        answered = await answer(registry, minter, worker_principal(worker["id"]), check_ins[0]["id"], GOOD)
        assert answered.status_code == 200, answered.text
        terminated_on = utcnow().date() + timedelta(days=10)
    await publish_contract_event(
        broker,
        contract(
            worker["id"],
            employer.business_id,
            6,
            ContractTerminated,
            contract_id=contract_id,
            agency_ids=[agency.business_id],
            terminated_on=terminated_on,
        ),
    )
    [finding] = await wait_until(lambda: findings_for(registry_app, contract_id), message="the finding")
    assert finding.check_in_id == uuid.UUID(check_ins[0]["id"]) and finding.grievance_id is None
    [event] = await published.wait_for("registry.retaliation.detected", finding.id)
    assert event.data["business_id"] == str(employer.business_id) and event.data["grievance_anonymous"] is True
    assert event.data.get("grievance_id") is None and event.data.get("days_after_grievance") is None
