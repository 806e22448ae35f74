"""The recruitment agency's pages in a real browser (fixtures: tests/portal/conftest.py), on an agency and an
employer of this test's own (made through the admin API, vetted four eyes): its vetting status; a worker
registered with their consents (a rule broken first, shown next to its field); a fee and a grievance recorded for
the worker; a contract drafted from the employer's job order, checked (each violation next to the field it
concerns), saved and issued, its document opened. axe-core on every page, the worker's page at 360 px."""

import json
import os
import re
import uuid
from pathlib import Path
from typing import Any

import httpx

from ..conftest import LiveStack
from ..test_launcher import poll_until
from ..test_tenancy_matrix import made_up_name, matrix_job_order, ok, vet
from .conftest import PHONE, sign_in

# Where a run keeps the pages as a signed-in agency user sees them (for a review), when it is set.
SHOTS = os.environ.get("FAIRPATH_PORTAL_SHOTS")
# The rules' check waits this long for contracts to learn the approvals and the worker (events).
EVENTS_SECONDS = 30


def _organisation(admin: httpx.Client, kind: str, name: str, business: dict[str, Any]) -> dict[str, str]:
    """An organisation with its business and one user, activated with a password, and an API key of theirs."""
    org = ok(admin.post("/v1/admin/organizations", json={"name": name, "kind": kind}), 201)
    biz = ok(admin.post("/v1/businesses", json={"kind": kind, **business, "organization_id": org["id"]}), 201)
    username = re.sub(r"\W", ".", name.lower())
    user = ok(admin.post(f"/v1/admin/organizations/{org['id']}/users", json={"username": username}), 201)
    key = ok(
        admin.post(f"/v1/admin/organizations/{org['id']}/api-keys", json={"name": "portal", "user_id": user["id"]}), 201
    )
    password = "a long portal passphrase " + uuid.uuid4().hex[:8]
    with httpx.Client(base_url=str(admin.base_url), timeout=30) as anon:
        ok(
            anon.post(
                "/v1/auth/activate",
                json={"username": username, "code": user["activation"]["code"], "password": password},
            ),
            204,
        )
    return {"business": biz["id"], "username": username, "password": password, "key": key["key"]}


def agency_and_employer(stack: LiveStack) -> tuple[dict[str, str], dict[str, Any]]:
    """A vetted agency and a vetted employer that names it as its recruiter, and the employer's job order."""
    run = uuid.uuid4().hex[:6]
    with stack.client("admin") as admin:
        agency = _organisation(
            admin,
            "recruitment_agency",
            f"Portal Agency {run}",
            {"legal_name": made_up_name(), "country": "NP", "registration_number": f"PA-{run}"},
        )
        employer = _organisation(
            admin,
            "employer",
            f"Portal Employer {run}",
            {
                "legal_name": f"Portal Employer {run} LLC",
                "country": "AE",
                "registration_number": f"PE-{run}",
                "sector": "F",
            },
        )
        ok(admin.post(f"/v1/businesses/{employer['business']}/recruiters", json={"agency_id": agency["business"]}), 201)
    with httpx.Client(base_url=stack.gateway, timeout=30, headers={"X-API-Key": agency["key"]}) as ag:
        ok(
            ag.post(
                f"/v1/businesses/{agency['business']}/licences",
                json={
                    "number": f"PORTAL-LIC-{run}",
                    "authority": "Department of Foreign Employment",
                    "country": "NP",
                    "valid_from": "2025-01-01",
                    "valid_until": "2030-12-31",
                },
            ),
            201,
        )
        questions = ok(ag.get("/v1/assessment-questions"))["questions"]
        answers = [{"question_id": q["id"], "answer": "compliant"} for q in questions]
        ok(ag.post(f"/v1/businesses/{agency['business']}/assessments", json={"answers": answers}), 201)
    vet(stack, agency["business"])
    vet(stack, employer["business"])
    with httpx.Client(base_url=stack.gateway, timeout=30, headers={"X-API-Key": employer["key"]}) as em:
        order = ok(em.post("/v1/job-orders", json=matrix_job_order(employer["business"], agency["business"])), 201)
    return agency, order


def shoot(steps, name: str) -> None:
    """The page as it is, and everything axe-core says of it (every impact), kept for a review when SHOTS is set."""
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        steps.page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)
        found = steps.axe.run(steps.page).response["violations"]
        said = [{"id": v["id"], "impact": v.get("impact"), "nodes": len(v["nodes"])} for v in found]
        (Path(SHOTS) / f"{name}-axe.json").write_text(json.dumps(said, indent=1))


def test_an_agency_registers_a_worker_records_a_fee_and_a_grievance_and_drafts_checks_and_issues_a_contract(
    page, steps, shared_stack
):
    agency, order = agency_and_employer(shared_stack)
    with steps.step("sign in"):
        sign_in(page, agency["username"], agency["password"])
        page.wait_for_url("**/portal/")
        assert page.get_by_role("link", name="Register a worker").is_visible()
        steps.accessible()
    with steps.step("business and vetting"):
        page.get_by_role("link", name="Business and vetting").first.click()
        page.wait_for_url("**/portal/agency/business")
        assert page.locator(".status").inner_text() == "approved"
        steps.accessible()
    with steps.step("the vetting decisions at 360 px: each row stacked, nothing clipped, dates in words"):
        page.set_viewport_size(PHONE)
        decision = page.locator("table.stacked tbody tr").first
        box = decision.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
        for cell in decision.locator("td").all():  # every cell, with its column's name, within the screen
            inside = cell.bounding_box()
            assert inside is not None and inside["x"] + inside["width"] <= PHONE["width"], inside
        text = decision.inner_text()
        assert re.search(r"[A-Z][a-z]+ \d{1,2}, \d{4}", text) and not re.search(r"\d{4}-\d{2}-\d{2}", text), text
        assert "None" not in text
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page is {width} px wide at {PHONE['width']} px"
        steps.accessible()
        page.set_viewport_size({"width": 1280, "height": 900})

    with steps.step("register a worker: a birth date in the future is shown next to its field"):
        page.goto("/portal/agency/workers/new")
        steps.accessible()
        page.get_by_label("Full name, as in the identity document").fill("Portal Worker " + uuid.uuid4().hex[:6])
        page.get_by_label("Date of birth").fill("2090-01-01")
        page.get_by_label("Sex").select_option("female")
        page.get_by_label("Nationality", exact=True).select_option(label="Nepal")  # countries by name, not code
        page.get_by_label("Document number").fill("PW" + uuid.uuid4().hex[:8].upper())
        page.get_by_label("Issuing country", exact=True).select_option("NP")
        page.get_by_label("First language", exact=True).select_option(label="Nepali")
        page.get_by_label("Occupation", exact=True).select_option(label="Bricklayers and related workers (7112)")
        page.get_by_label("To be registered (required)").check()
        page.get_by_label("To have an employment contract prepared").check()
        page.get_by_role("button", name="Register the worker").click()
        assert page.locator("#date_of_birth-error").is_visible()
        assert page.get_by_label("Date of birth").get_attribute("aria-invalid") == "true"
        assert page.get_by_label("Document number").input_value().startswith("PW")  # what was typed is kept
        assert page.get_by_label("Nationality", exact=True).input_value() == "NP"  # and what was chosen
        steps.accessible()
    with steps.step("register the worker"):
        page.get_by_label("Date of birth").fill("1996-04-12")
        page.get_by_role("button", name="Register the worker").click()
        page.wait_for_url(re.compile(r"/portal/agency/workers/[0-9a-f-]{36}\?done=registered"))
        worker_id = re.search(r"workers/([0-9a-f-]{36})", page.url).group(1)
        consents = page.locator("#consents + ul").inner_text()
        assert "registration" in consents and "employment contract" in consents
        steps.accessible()
    with steps.step("the worker's page at 360 px"):
        page.set_viewport_size(PHONE)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page is {width} px wide at {PHONE['width']} px"
        steps.accessible()
        page.set_viewport_size({"width": 1280, "height": 900})
    with steps.step("record a fee the worker reports"):
        page.get_by_label("What it was for").select_option("medical")
        page.get_by_label("Amount").fill("1500")
        page.get_by_label("Currency (three letters, e.g. NPR)").fill("NPR")
        page.get_by_label("How the worker paid").select_option("cash")
        page.get_by_label("Paid to").select_option("agency")
        page.get_by_role("button", name="Record the fee").click()
        page.wait_for_url("**?done=fee#fees")
        assert page.get_by_role("status").inner_text().startswith("The fee was recorded")
        steps.accessible()
    with steps.step("file a grievance for the worker"):
        page.get_by_label("What happened, in the worker's words").fill("The medical fee was taken in cash.")
        page.get_by_role("button", name="File the grievance").click()
        page.wait_for_url("**?done=grievance#grievances")
        assert page.get_by_role("status").inner_text().startswith("The grievance was filed")
        steps.accessible()
        shoot(steps, "agency-worker")
    with httpx.Client(base_url=shared_stack.gateway, timeout=30, headers={"X-API-Key": agency["key"]}) as ag:
        mine = ok(ag.get(f"/v1/workers/{worker_id}/export"))
        assert [f["channel"] for f in mine["fee_reports"]] == ["agency"]
        assert len(mine["grievances"]) == 1

    with steps.step("draft from the job order: each rule broken is shown next to its field"):
        page.get_by_role("link", name="Contracts").first.click()
        page.wait_for_url("**/portal/agency/contracts")
        steps.accessible()
        page.get_by_role("link", name="Draft a contract").click()
        page.get_by_label("Job order and position").select_option(f"{order['id']}:{order['positions'][0]['id']}")
        page.get_by_role("button", name="Use this job order").click()
        assert page.get_by_label("Gross pay per period").input_value() == "2000.00"  # the offer fills the form
        page.get_by_label("Worker", exact=True).select_option(worker_id)
        page.get_by_label("Employer's address").fill("Plot 7, Industrial Area 2, Abu Dhabi")
        page.get_by_label("Workplace address").fill("Site 4, Saadiyat")
        page.get_by_label("Workplace city").fill("Abu Dhabi")
        page.get_by_label("Job description").fill("Block laying")
        page.get_by_label("Gross pay per period").fill("1500")  # less than the job order offers
        page.get_by_label("The passport is kept by").select_option("employer")
        # The job order offers food as a cash allowance: the form asks its amount, in plain words by its label.
        assert page.get_by_label("Food", exact=True).input_value() == "cash_allowance"
        page.get_by_role("button", name="Check against the rules").click()
        allowance = "Food allowance per month, in the pay currency"
        assert page.locator("#food_allowance-error").inner_text().startswith(f"{allowance}: enter the amount")
        assert page.get_by_label(allowance).get_attribute("aria-invalid") == "true"
        steps.accessible()
        page.get_by_label(allowance).fill("300")
        page.get_by_label("Pay period").select_option("month")
        page.get_by_role("button", name="Check against the rules").click()
        # The body's shape first: the worker's address is missing, said in plain words naming the field.
        assert page.locator("#worker_address-error").inner_text() == "Worker's home address: fill this in."
        assert page.get_by_label("Worker's home address").get_attribute("aria-invalid") == "true"
        assert page.get_by_label("Workplace city").input_value() == "Abu Dhabi"  # what was typed is kept
        steps.accessible()
        page.get_by_label("Worker's home address").fill("Ward 4, Pokhara")
        page.get_by_role("button", name="Check against the rules").click()
        # Then the rules: pay below the offer, the passport kept by the employer.
        for name in ("pay_amount", "passport_kept_by"):
            assert page.locator(f"#{name}-error").is_visible(), name
            assert page.locator(f"#{name}").get_attribute("aria-invalid") == "true"
        assert page.locator("#worker_address-error").count() == 0
        shoot(steps, "agency")
        steps.accessible()
    with steps.step("the corrected terms pass every rule"):
        page.get_by_label("Gross pay per period").fill("2000")
        page.get_by_label("The passport is kept by").select_option("worker")

        def passes() -> bool:  # contracts learns of the approvals and the new worker from events
            page.get_by_role("button", name="Check against the rules").click()
            return page.get_by_role("status").count() > 0

        poll_until(passes, EVENTS_SECONDS, "the check to pass once contracts has the approvals", interval=0.5)
        assert page.get_by_role("status").inner_text().startswith("The terms pass every rule")
        steps.accessible()
    with steps.step("save the draft and issue it"):
        page.get_by_role("button", name="Save the draft").click()
        page.wait_for_url(re.compile(r"/portal/agency/contracts/[0-9a-f-]{36}\?done=drafted"))
        assert page.locator(".status").inner_text() == "draft"
        steps.accessible()
        page.get_by_role("button", name="Issue to the worker").click()
        page.wait_for_url("**?done=issued")
        assert page.locator(".status").inner_text() == "issued"
        steps.accessible()
        with page.expect_response(re.compile(r"/document$")) as document:
            page.get_by_role("link", name="The contract document").click()
        assert document.value.status == 200
    with steps.step("the contracts by status"):
        page.goto("/portal/agency/contracts")
        page.get_by_label("Status").select_option("issued")
        page.get_by_role("button", name="Show").click()
        page.wait_for_url("**/portal/agency/contracts?status=issued")
        assert page.locator("tbody tr").count() == 1
        assert page.locator("tbody tr a", has_text="Document").count() == 1
        steps.accessible()
