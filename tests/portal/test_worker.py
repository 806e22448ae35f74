"""A worker signs their contract in a real browser (fixtures: tests/portal/conftest.py): a worker of this test's own,
registered by its own vetted agency, with a login and a contract issued to them (made through the API). The
worker reads what signing means (the version and its fingerprint) and signs one; a contract signed meanwhile
elsewhere is refused in the worker's language, in plain words; the public check of the signed contract's code shows
dates as dates and, in Arabic, the code and fingerprint left to right; the worker accepts an offer from their agency's
shortlist and, once arrived, answers a due check-in in Nepali. axe-core on every page."""

import re
import uuid
from datetime import UTC, date, datetime
from datetime import time as dt_time
from typing import Any

import httpx
from starlette.requests import Request

from fairpath.gateway.portal import pages
from fairpath.gateway.portal.i18n import CATALOGUES
from fairpath.gateway.portal.sessions import LiveSession
from fairpath.gateway.portal.web import Visit, render

from ..conftest import LiveStack
from ..test_launcher import poll_until
from ..test_tenancy_matrix import contract_draft, ok, worker_body
from .conftest import sign_in
from .test_agency import EVENTS_SECONDS, agency_and_employer


def _worker_who_signs_in(stack: LiveStack, worker_id: str) -> tuple[str, str]:
    """The worker's login, made by the admin once the gateway knows the worker, activated: (username, password)."""
    username = f"portal.worker.{uuid.uuid4().hex[:8]}"
    with stack.client("admin") as admin:

        def made() -> httpx.Response | None:
            # 422 until the registry's event has told the gateway that the worker exists.
            response = admin.post("/v1/admin/users", json={"username": username, "worker_id": worker_id})
            return None if response.status_code == 422 else response

        user = ok(poll_until(made, EVENTS_SECONDS, "the gateway to learn of the worker", interval=0.2), 201)
    password = "a long worker passphrase " + uuid.uuid4().hex[:8]
    with stack.client() as anon:
        activation = {"username": username, "code": user["activation"]["code"], "password": password}
        ok(anon.post("/v1/auth/activate", json=activation), 204)
    return username, password


def _issued_contract(stack: LiveStack) -> tuple[str, str, dict]:
    """A new worker's login (username, password) and a contract issued to them, not signed yet."""
    agency, order = agency_and_employer(stack)
    with httpx.Client(base_url=stack.gateway, timeout=30, headers={"X-API-Key": agency["key"]}) as ag:
        worker_id = ok(ag.post("/v1/workers", json=worker_body(f"portal {uuid.uuid4().hex[:6]}")), 201)["id"]
        draft = contract_draft(
            {
                "employer": order["employer_id"],
                "agency": agency["business"],
                "worker": worker_id,
                "job_order": order["id"],
                "position": order["positions"][0]["id"],
            }
        )
        poll_until(
            lambda: ag.post("/v1/contracts/check", json=draft).json().get("passes"),
            EVENTS_SECONDS,
            "contracts to learn the approvals and the worker",
            interval=0.2,
        )
        made = ok(ag.post("/v1/contracts", json=draft), 201)
        issued = ok(ag.post(f"/v1/contracts/{made['id']}/issue"))
    username, password = _worker_who_signs_in(stack, worker_id)
    return username, password, issued


def _bearer(stack: LiveStack, username: str, password: str) -> dict[str, str]:
    with stack.client() as anon:
        token = ok(
            anon.post("/v1/auth/token", data={"grant_type": "password", "username": username, "password": password})
        )["access_token"]
    return {"Authorization": f"Bearer {token}"}


def test_a_worker_reads_what_signing_means_signs_an_issued_contract_and_checks_its_code(page, steps, shared_stack):
    username, password, issued = _issued_contract(shared_stack)
    with steps.step("sign in"):
        sign_in(page, username, password)
        page.wait_for_url("**/portal/")
    with steps.step("the issued contract offers the form, naming the version and its fingerprint"):
        page.goto(f"/portal/contracts/{issued['id']}")
        form = page.locator("section.sign")
        assert form.get_by_role("heading", name="Sign this contract").is_visible()
        assert "By signing, you agree to its terms" in form.inner_text()
        assert issued["content_hash"] in form.inner_text()
        assert form.locator("dd").first.inner_text() == str(issued["current_version"])
        steps.accessible()
    with steps.step("sign: the page shows the contract signed"):
        form.get_by_role("button", name="Sign this contract").click()
        page.wait_for_url(f"**/portal/contracts/{issued['id']}?signed=1")
        assert "You signed this contract" in page.get_by_role("status").inner_text()
        assert page.locator(".status").inner_text() == "signed"
        assert page.locator("section.sign").count() == 0
        steps.accessible()
    with httpx.Client(base_url=shared_stack.gateway, headers=_bearer(shared_stack, username, password)) as worker:
        signed = ok(worker.get(f"/v1/contracts/{issued['id']}"))
    assert signed["status"] == "signed" and signed["signed_version"] == issued["current_version"]
    assert signed["signature_method"] == "electronic"
    with steps.step("the public check of its code, in Arabic: dates as dates, code and fingerprint left to right"):
        page.goto(f"/portal/verify/{signed['verification_code']}?lang=ar")
        assert page.locator("html").get_attribute("dir") == "rtl"
        verdict = page.locator("section.verdict")
        assert verdict.locator("bdi[dir=ltr]", has_text=signed["content_hash"]).count() == 1
        assert verdict.locator("bdi[dir=ltr]", has_text=signed["verification_code"]).count() == 1
        assert verdict.locator("bdi[dir=ltr]", has_text="(SHA-256)").count() == 1
        assert not re.search(r"\d{4}-\d{2}-\d{2}T", verdict.inner_text())  # no timestamp as the API writes it
        steps.accessible()


def test_a_contract_signed_meanwhile_elsewhere_is_refused_in_the_worker_s_language(page, steps, shared_stack):
    username, password, issued = _issued_contract(shared_stack)
    with steps.step("the contract page in Arabic, with its form"):
        sign_in(page, username, password)
        page.wait_for_url("**/portal/")
        page.goto(f"/portal/contracts/{issued['id']}?lang=ar")
        assert page.locator("html").get_attribute("dir") == "rtl"
        button = page.get_by_role("button", name="وقّع هذا العقد")
        assert button.is_visible()
    with httpx.Client(base_url=shared_stack.gateway, headers=_bearer(shared_stack, username, password)) as worker:
        body = {"version": issued["current_version"], "method": "handwritten"}
        ok(worker.post(f"/v1/contracts/{issued['id']}/sign", json=body))
    with steps.step("the form posted after it was signed: the refusal in plain Arabic, the status signed"):
        with page.expect_response(re.compile(r"/sign$")) as posted:
            button.click()
        assert posted.value.status == 409
        alert = page.get_by_role("alert").inner_text()
        assert "هذا العقد لا ينتظر توقيعك" in alert
        assert not re.search(r"[A-Za-z_]{3,}", alert)  # no API wording, no field path
        assert page.locator(".status").inner_text() == "موقّع"
        assert page.locator("section.sign").count() == 0
        steps.accessible()


def _offered_worker(stack: LiveStack) -> tuple[str, str, dict, dict[str, Any]]:
    """A new worker's login (username, password), their agency and the offer it made them from its shortlist."""
    agency, order = agency_and_employer(stack)
    with httpx.Client(base_url=stack.gateway, timeout=30, headers={"X-API-Key": agency["key"]}) as ag:
        worker_id = ok(ag.post("/v1/workers", json=worker_body(f"portal {uuid.uuid4().hex[:6]}")), 201)["id"]
        shortlist = {"job_order_id": order["id"], "limit": 100}
        candidate = poll_until(
            lambda: next(
                (c for c in ag.get("/v1/candidates", params=shortlist).json().get("candidates", [])
                 if c["worker"]["id"] == worker_id),
                None,
            ),
            EVENTS_SECONDS, "the registry to learn of the job order", interval=0.2,
        )  # fmt: skip
        picked = {"job_order_id": order["id"], "worker_id": worker_id, "position_id": candidate["position_id"]}
        offer = ok(ag.post("/v1/offers", json=picked), 201)
    username, password = _worker_who_signs_in(stack, worker_id)
    records = {
        "employer": order["employer_id"],
        "agency": agency["business"],
        "agency_key": agency["key"],
        "worker": worker_id,
        "job_order": order["id"],
        "position": order["positions"][0]["id"],
    }
    return username, password, offer, records


def _arrived(stack: LiveStack, username: str, password: str, records: dict[str, Any]) -> dict:
    """The worker's contract drafted, issued, signed and verified on arrival (the clock moved to its start): its
    post-arrival check-ins are scheduled. The contract as signed."""
    with httpx.Client(base_url=stack.gateway, timeout=30, headers={"X-API-Key": records["agency_key"]}) as ag:
        draft = contract_draft(records)
        poll_until(
            lambda: ag.post("/v1/contracts/check", json=draft).json().get("passes"),
            EVENTS_SECONDS, "contracts to learn the approvals and the worker", interval=0.2,
        )  # fmt: skip
        made = ok(ag.post("/v1/contracts", json=draft), 201)
        issued = ok(ag.post(f"/v1/contracts/{made['id']}/issue"))
    with httpx.Client(base_url=stack.gateway, headers=_bearer(stack, username, password), timeout=30) as worker:
        body = {"version": issued["current_version"], "method": "electronic"}
        signed = ok(worker.post(f"/v1/contracts/{issued['id']}/sign", json=body))
    _move_clock(stack, date.fromisoformat(signed["start_date"]))
    with stack.client("compliance_officer") as officer:
        arrival = {"presented_terms": signed["terms"]}
        ok(officer.post(f"/v1/contracts/{signed['id']}/arrival-verification", json=arrival))
    return signed


def _move_clock(stack: LiveStack, day: date | None) -> None:
    moment = datetime.combine(day, dt_time(12), tzinfo=UTC).isoformat() if day else None
    with stack.client("admin") as admin:
        ok(admin.put("/v1/admin/clock", json={"now": moment}))


def test_a_worker_accepts_an_offer_and_answers_a_check_in_in_their_language(page, steps, shared_stack):
    """The agency picks the worker from its shortlist; the worker accepts the offer on their journey page; once they
    arrived and a check-in is due (the clock moved), they answer its questions in Nepali, one answer worrying."""
    username, password, offer, records = _offered_worker(shared_stack)
    with steps.step("the journey page shows the offer, to accept or decline"):
        sign_in(page, username, password)
        page.wait_for_url("**/portal/")
        page.get_by_role("link", name="My journey").first.click()
        page.wait_for_url("**/portal/journey")
        section = page.locator("section.offers")
        assert "Mason" in section.inner_text()
        assert section.locator(".status").first.inner_text() == "waiting for your answer"
        assert section.get_by_role("button", name="Decline this offer").is_visible()
        steps.accessible()
    with steps.step("accept: the offer is accepted, and the worker told what comes next"):
        section.get_by_role("button", name="Accept this offer").click()
        page.wait_for_url("**/portal/journey?done=accepted")
        assert "read it carefully before you sign" in page.get_by_role("status").inner_text()
        assert page.locator("section.offers .status").first.inner_text() == "accepted"
        assert page.locator("section.offers").get_by_role("button").count() == 0
        steps.accessible()
    with httpx.Client(base_url=shared_stack.gateway, headers=_bearer(shared_stack, username, password)) as worker:
        assert ok(worker.get(f"/v1/offers/{offer['id']}"))["status"] == "accepted"

    try:
        signed = _arrived(shared_stack, username, password, records)
        with httpx.Client(base_url=shared_stack.gateway, headers=_bearer(shared_stack, username, password)) as worker:
            check_ins = poll_until(
                lambda: ok(worker.get(f"/v1/workers/{records['worker']}/check-ins"))["items"],
                EVENTS_SECONDS, "the registry to schedule the check-ins on the arrival", interval=0.2,
            )  # fmt: skip
        first = check_ins[0]
        _move_clock(shared_stack, date.fromisoformat(first["due_on"]))
        with steps.step("the check-in is due on the journey page, in Nepali"):
            sign_in(page, username, password)  # the moved clock ended the session
            page.wait_for_url("**/portal/")
            page.goto("/portal/journey?lang=ne")
            row = page.locator("section.check-ins li").first
            assert "आज गर्नुपर्ने" in row.inner_text()  # due today
            steps.accessible()
        with steps.step("the questions, answered yes or no; a question left unanswered is named"):
            row.get_by_role("link", name="प्रश्नहरूको जवाफ दिनुहोस्").click()
            page.wait_for_url(f"**/portal/check-ins/{first['id']}")
            assert page.get_by_role("group", name="के तपाईंको राहदानी तपाईंसँगै छ?").is_visible()
            steps.accessible()
            answers = {
                "paid_in_full_and_on_time": "yes",
                "passport_in_hand": "no",  # worrying: a confidential grievance for an officer
                "contract_is_the_one_signed": "yes",
                "paid_any_fee": "no",
                "want_to_talk": "no",
            }
            for name, value in answers.items():
                page.locator(f"#{name}-{value}").check()
            page.get_by_label("तपाईं थप्न चाहनुभएको कुरा (ऐच्छिक)").fill("सुपरभाइजरले राहदानी राखेका छन्।")
            page.get_by_role("button", name="मेरा जवाफहरू पठाउनुहोस्").click()
            page.wait_for_url("**/portal/journey?done=check_in")
            assert "धन्यवाद" in page.get_by_role("status").inner_text()
            assert "जवाफ दिइएको" in page.locator("section.check-ins li").first.inner_text()  # answered
            steps.accessible()
        with httpx.Client(base_url=shared_stack.gateway, headers=_bearer(shared_stack, username, password)) as worker:
            answered = ok(worker.get(f"/v1/workers/{records['worker']}/check-ins"))["items"][0]
        assert answered["status"] == "answered" and answered["grievance_id"] is not None
        assert answered["answers"]["passport_in_hand"] is False and answered["answers"]["language"] == "ne"
        assert signed["worker_id"] == records["worker"]
    finally:
        _move_clock(shared_stack, None)


def _journey_page(code: str, ended: list, invitations: list) -> str:
    """The journey page as the portal renders it for a signed-in worker, in the language (the template reads no API)."""
    session = LiveSession("digest", uuid.uuid4(), uuid.uuid4(), "the-csrf-token")
    visit = Visit(session, None, {"role": "worker"}, CATALOGUES[code])
    request = Request({"type": "http", "method": "GET", "path": "/portal/journey", "headers": [], "query_string": b""})
    journey = {"offers": [], "check_ins": [], "returns": [r for _, r in ended if r], "invitations": invitations}
    response = render(
        request,
        "journey.html",
        visit=visit,
        journey=journey,
        ended=ended,
        offer_statuses=pages.OFFER_STATUSES,
        check_in_statuses=pages.CHECK_IN_STATUSES,
        done=None,
        refusal="",
    )
    return response.body.decode()


def test_the_journey_page_asks_a_worker_back_from_a_season_to_confirm_they_got_home_and_shows_the_invitation():
    contract = {"id": str(uuid.uuid4()), "occupation": "7112", "start_date": "2026-03-01", "status": "completed"}
    recorded = {"contract_id": contract["id"], "travel_date": "2026-07-02", "confirmed_home_at": None}
    invitation = {"invitation_id": str(uuid.uuid4()), "invited_at": "2026-08-10T09:00:00Z"}
    asked = _journey_page("en", [(contract, recorded)], [invitation])
    assert f'action="/portal/returns/{contract["id"]}"' in asked and 'value="the-csrf-token"' in asked
    assert 'Your journey home was recorded on <time datetime="2026-07-02">July 2, 2026</time>.' in asked
    assert "Your employer invited you back for the next season on <time" in asked
    confirmed = _journey_page("ar", [(contract, recorded | {"confirmed_home_at": "2026-07-03T18:00:00Z"})], [])
    assert "/portal/returns/" not in confirmed
    assert "لقد أكدت أنك وصلت إلى بلدك في" in confirmed and "لا توجد دعوة إلى موسم قادم." in confirmed
