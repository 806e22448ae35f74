"""The partner portal in a real browser (fixtures: tests/portal/conftest.py): each role's main path end to end,
the public check of a contract document, and the CSRF refusal; axe-core on every page, one page at 360 px."""

import random
import re
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pyotp

from fairpath.gateway.portal.plain import readable_day

from ..test_launcher import poll_until
from .conftest import PHONE, password_of, sign_in

# Where a test keeps a screenshot of a role's main page as its user sees it (for the review of the pages).
SHOTS = Path("/tmp/portal-shots")

# --- every role: sign-in, the session, sign-out -------------------------------------------------------------


def test_the_root_leads_to_the_sign_in_page_which_passes_axe_on_a_phone(page, steps, shared_stack):
    with steps.step("root redirects"):
        page.set_viewport_size(PHONE)
        page.goto("/")
        assert page.url.endswith("/portal/sign-in")
        assert page.locator("html").get_attribute("lang") == "en"
    with steps.step("sign-in page accessible at 360 px"):
        steps.accessible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page is {width} px wide at {PHONE['width']} px"
    with steps.step("skip link and keyboard"):
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent").strip() == "Skip to content"


def test_an_employer_signs_in_reads_its_business_job_orders_contracts_and_grievances_and_signs_out(
    page, steps, shared_stack
):
    employer = httpx.Client(base_url=shared_stack.gateway, headers={"X-API-Key": shared_stack.api_key("employer")})
    with steps.step("sign in"):
        sign_in(page, "employer", password_of(shared_stack, "employer"))
        assert page.url.endswith("/portal/")
        assert page.get_by_text("employer", exact=True).first.is_visible()
        steps.accessible()
    with steps.step("business and vetting"):
        page.get_by_role("link", name="Business and vetting").first.click()
        page.wait_for_url("**/portal/business")
        business = employer.get(f"/v1/businesses/{shared_stack.demo['employer']}").json()
        assert business["legal_name"] in page.content()
        assert page.locator(".status").inner_text() == business["status"].replace("_", " ")
        banner = page.get_by_role("alert")
        if business["status"] == "suspended":
            assert "suspended" in banner.inner_text()
        else:
            assert banner.count() == 0
        steps.accessible()
    with steps.step("a licence with an impossible period is refused, naming the field"):
        page.get_by_label("Licence number").fill("PORTAL-CHECK-1")
        page.get_by_label("Issuing authority").fill("Ministry of Human Resources")
        page.get_by_label("Country", exact=True).select_option(label="United Arab Emirates")
        page.get_by_label("Valid from").fill("2025-06-01")
        page.get_by_label("Valid until").fill("2025-01-01")
        page.get_by_role("button", name="Record the licence").click()
        alert = page.get_by_role("alert").filter(has_text="The licence was not recorded")
        said = "Valid until: enter a date after the day it is valid from."
        assert said in alert.inner_text() and "valid_until" not in alert.inner_text()  # plain words, by its label
        assert page.locator("#error-valid_until").inner_text() == "Enter a date after the day it is valid from."
        assert page.get_by_label("Licence number").input_value() == "PORTAL-CHECK-1"  # what was typed is kept
        steps.accessible()
    with steps.step("job orders"):
        page.get_by_role("link", name="Job orders").first.click()
        page.wait_for_url("**/portal/job-orders")
        assert page.get_by_role("heading", name="Job orders").is_visible()
        steps.accessible()
    with steps.step("contracts by status"):
        page.get_by_role("link", name="Contracts").first.click()
        page.wait_for_url("**/portal/contracts")
        page.get_by_label("Status").select_option("active")
        page.get_by_role("button", name="Show").click()
        page.wait_for_url("**/portal/contracts?status=active")
        expected = employer.get("/v1/contracts", params={"status": "active"}).json()["items"]
        assert page.locator("tbody tr").count() == len(expected)
        steps.accessible()
    with steps.step("grievances"):
        page.get_by_role("link", name="Grievances").first.click()
        page.wait_for_url("**/portal/grievances")
        steps.accessible()
    with steps.step("sign out"):
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url("**/portal/sign-in")
        page.goto("/portal/")  # the cookie is gone: the portal asks to sign in
        assert page.url.endswith("/portal/sign-in")
    employer.close()


def _ok(response: httpx.Response, status: int = 200) -> dict:
    assert response.status_code == status, f"{response.request.method} {response.request.url}: {response.text}"
    return response.json() if response.content else {}


def _new_employer(stack, conditions: list[str], deadline: str) -> tuple[str, str, str]:
    """An employer of its own (organisation, business linked to it, one user with a password), vetted by two
    officers: conditionally approved. (username, password, business id)"""
    run = uuid.uuid4().hex[:8]
    name = " ".join("".join(random.choice("bcdfghjklmnpqrstvwxz") for _ in range(9)).title() for _ in range(2))
    with stack.client("admin") as admin:
        org = _ok(
            admin.post("/v1/admin/organizations", json={"name": f"Portal Employer {run}", "kind": "employer"}), 201
        )
        business = _ok(
            admin.post(
                "/v1/businesses",
                json={
                    "kind": "employer",
                    "legal_name": f"{name} Trading LLC",
                    "country": "AE",
                    "registration_number": f"PE-{run}",
                    "organization_id": org["id"],
                },
            ),
            201,
        )
        username = f"portal.employer.{run}"
        user = _ok(admin.post(f"/v1/admin/organizations/{org['id']}/users", json={"username": username}), 201)
    password = "a long portal passphrase " + run
    with stack.client() as anon:
        code = user["activation"]["code"]
        _ok(anon.post("/v1/auth/activate", json={"username": username, "code": code, "password": password}), 204)
    with stack.client("compliance_officer") as opener, stack.client("compliance_officer_2") as decider:
        case = _ok(opener.post(f"/v1/businesses/{business['id']}/vetting-cases"), 201)
        decision = {
            "decision": "conditionally_approved",
            "reason": "the operating licence is being renewed",
            "conditions": conditions,
            "condition_deadline": deadline,
        }
        _ok(decider.post(f"/v1/vetting-cases/{case['id']}/decision", json=decision))
    with stack.client() as anon:
        token = _ok(
            anon.post("/v1/auth/token", data={"grant_type": "password", "username": username, "password": password})
        )["access_token"]
        me = {"Authorization": f"Bearer {token}"}
        # The gateway links the user to the business once vetting's event has told it of the business.
        poll_until(lambda: anon.get("/v1/me", headers=me).json().get("business_id"), 30, "the business link")
        _ok(anon.post("/v1/auth/logout", headers=me), 204)
    return username, password, business["id"]


def test_an_employer_reads_why_it_was_approved_with_conditions_and_answers_the_self_assessment_on_a_phone(
    page, steps, shared_stack
):
    deadline = (datetime.now(UTC) + timedelta(days=45)).replace(microsecond=0)
    username, password, _ = _new_employer(shared_stack, ["submit the renewed licence"], deadline.isoformat())
    with steps.step("the business page names the decision, its reasons, conditions and deadline"):
        page.set_viewport_size(PHONE)
        sign_in(page, username, password)
        page.wait_for_url("**/portal/")
        page.goto("/portal/business")
        decisions = page.locator("table").filter(has_text="Reasons")
        text = decisions.inner_text()
        assert "conditionally approved" in text and "the operating licence is being renewed" in text
        assert "submit the renewed licence" in text and readable_day(deadline.date()) in text  # "March 1, 2026"
        assert page.locator(".status").inner_text() == "conditionally approved"
        steps.accessible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page is {width} px wide at {PHONE['width']} px"
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.set_viewport_size({"width": 1280, "height": 900})
        page.screenshot(path=str(SHOTS / "employer.png"), full_page=True)
        page.set_viewport_size(PHONE)
    questions = page.locator("form.assessment fieldset")
    count = questions.count()
    with steps.step("a question left unanswered is named next to it, the other answers kept"):
        assert count >= 10
        for i in range(1, count):
            questions.nth(i).get_by_label("Compliant", exact=True).check()
        page.get_by_label("Evidence for A2 (optional)").fill("age checked against passports")
        page.get_by_role("button", name="Submit the self-assessment").click()
        first = page.locator("form.assessment fieldset").first
        assert "Choose an answer." in first.inner_text()
        assert first.get_attribute("aria-describedby", timeout=1000) == "assessment-error-A1"
        assert page.get_by_label("Evidence for A2 (optional)").input_value() == "age checked against passports"
        assert questions.nth(1).get_by_label("Compliant", exact=True).is_checked()
        steps.accessible()
    with steps.step("answered, the self-assessment is recorded"):
        questions.first.get_by_label("Not applicable").check()
        page.get_by_role("button", name="Submit the self-assessment").click()
        page.wait_for_url("**/portal/business?added=assessment*")
        assert "The self-assessment was recorded" in page.get_by_role("status").inner_text()
        steps.accessible()
    with steps.step("the next visit finds the answers given, to change what has changed"):
        page.goto("/portal/business")
        assert "are filled in" in page.locator("#main").inner_text()
        assert questions.first.get_by_label("Not applicable").is_checked()
        assert questions.nth(1).get_by_label("Compliant", exact=True).is_checked()
        assert page.get_by_label("Evidence for A2 (optional)").input_value() == "age checked against passports"


def test_an_operator_signs_in_with_a_totp_code_as_a_second_step(page, steps, shared_stack):
    secret = shared_stack.credentials["users"]["compliance_officer"]["totp_secret"]
    with steps.step("password"):
        sign_in(page, "compliance_officer", password_of(shared_stack, "compliance_officer"))
        assert page.get_by_role("heading", name="Second factor").is_visible()
        assert password_of(shared_stack, "compliance_officer") not in page.content()
        steps.accessible()
    with steps.step("code"):
        # The next step's code: never the one another sign-in of this account used this step.
        page.get_by_label("Six-digit code from your authenticator app").fill(pyotp.TOTP(secret).at(time.time() + 30))
        page.get_by_role("button", name="Continue").click()
        page.wait_for_url("**/portal/")
        assert page.get_by_role("heading", name="Welcome").is_visible()
        assert "compliance officer" in page.content()
        # Pages the role does not have are not linked.
        assert page.locator('a[href="/portal/business"]').count() == 0
        steps.accessible()


def test_a_form_posted_without_its_csrf_token_is_refused_and_the_session_stays(page, steps, shared_stack):
    with steps.step("sign in"):
        sign_in(page, "auditor", password_of(shared_stack, "auditor"))
        page.wait_for_url("**/portal/")
    with steps.step("forged sign-out"):
        page.evaluate("document.querySelector('form.sign-out input[name=csrf_token]').value = 'forged'")
        page.get_by_role("button", name="Sign out").click()
        assert page.get_by_role("heading", name="Request refused").is_visible()
        steps.accessible()
    with steps.step("still signed in"):
        page.goto("/portal/")
        assert page.get_by_role("heading", name="Welcome").is_visible()


# --- the worker -------------------------------------------------------------------------------------------


def test_a_worker_reads_their_pages_in_arabic_right_to_left_reports_a_fee_and_files_a_grievance(
    page, steps, shared_stack
):
    worker = httpx.Client(base_url=shared_stack.gateway, headers={"X-API-Key": shared_stack.api_key("worker")})
    with steps.step("sign in"):
        sign_in(page, "worker", password_of(shared_stack, "worker"))
        page.wait_for_url("**/portal/")
    with steps.step("nepali is drawn with the portal's own font"):
        page.get_by_role("link", name="नेपाली").click()
        assert page.locator("html").get_attribute("lang") == "ne"
        heading = page.get_by_role("heading", level=1).inner_text()
        family = page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
        assert family.startswith('"Fairpath Noto Sans Devanagari"'), family
        # The served font loads and has a glyph for every character of the heading (no empty boxes).
        loaded = page.evaluate(
            "async t => (await document.fonts.load('16px \"Fairpath Noto Sans Devanagari\"', t)).length", heading
        )
        assert loaded >= 1
        assert page.evaluate("t => document.fonts.check('16px \"Fairpath Noto Sans Devanagari\"', t)", heading)
        font = page.request.get("/portal/static/fonts/NotoSansDevanagari-Regular.woff2")
        assert font.status == 200 and len(font.body()) < 150_000
        steps.accessible()
    with steps.step("arabic"):
        page.get_by_role("link", name="العربية").click()
        assert page.locator("html").get_attribute("dir") == "rtl"
        assert page.locator("html").get_attribute("lang") == "ar"
        assert page.get_by_role("note").first.is_visible()  # the translation is not reviewed yet
        steps.accessible()
    with steps.step("contracts"):
        page.get_by_role("link", name="عقودي").first.click()
        page.wait_for_url("**/portal/contracts")
        assert page.locator("html").get_attribute("dir") == "rtl"  # the choice is kept
        mine = worker.get("/v1/contracts").json()["items"]
        assert page.locator("tbody tr").count() == len(mine)
        steps.accessible()
    if mine:
        with steps.step("one contract and its document"):
            page.locator("tbody tr a").first.click()
            assert mine[0]["content_hash"] in page.content()
            steps.accessible()
            with page.expect_response(re.compile(r"/document")) as document:
                page.locator('a[href$="/document"]').first.click()
            assert document.value.status == 200
    with steps.step("fee reports"):
        page.goto("/portal/")
        page.get_by_role("link", name="بلاغاتي عن الرسوم").first.click()
        page.wait_for_url("**/portal/fees")
        reported = page.locator("tbody tr").count()
        steps.accessible()
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "worker.png"), full_page=True)
    with steps.step("report a fee: a wrong amount is explained, then the report is recorded"):
        page.get_by_role("link", name="الإبلاغ عن رسم").click()
        page.wait_for_url("**/portal/fees/new")
        steps.accessible()
        page.get_by_label("مقابل ماذا كان؟").select_option("medical")
        page.get_by_label("المبلغ").fill("fifteen")
        page.get_by_label("العملة (ثلاثة أحرف، مثل NPR)").fill("NPR")
        page.get_by_label("كيف دفعت؟").select_option("cash")
        page.get_by_role("button", name="أرسل البلاغ").click()
        assert "1500" in page.get_by_role("alert").inner_text()  # the example of an amount that works
        steps.accessible()
        page.get_by_label("المبلغ").fill("1500.50")
        page.get_by_role("button", name="أرسل البلاغ").click()
        page.wait_for_url("**/portal/fees?reported=1")
        assert page.locator("tbody tr").count() == reported + 1
        assert "1,500.50" in page.locator("tbody").inner_text()
    with steps.step("grievances"):
        page.goto("/portal/grievances")
        assert page.get_by_role("heading", name="شكاواي").is_visible()
        before = page.locator("tbody tr").count()
        steps.accessible()
    with steps.step("file a grievance with the identity hidden"):
        page.get_by_role("link", name="تقديم شكوى").click()
        page.wait_for_url("**/portal/grievances/new")
        steps.accessible()
        page.get_by_label("ماذا حدث").fill("My passport was kept by the supervisor.")
        page.get_by_label("إخفاء هويتي عن صاحب العمل والوكالة").check()
        page.get_by_role("button", name="قدّم الشكوى").click()
        page.wait_for_url("**/portal/grievances?filed=1")
        assert page.get_by_role("status").is_visible()
        assert page.locator("tbody tr").count() == before + 1
        filed = worker.get("/v1/grievances").json()["items"]
        assert any(g["anonymous"] and g["language"] == "ar" for g in filed)
    worker.close()


# --- the public check of a contract document ------------------------------------------------------------------


def test_anyone_checks_a_contract_code_without_signing_in(page, steps, shared_stack):
    with steps.step("unknown code"):
        page.goto("/portal/verify")
        steps.accessible()
        page.get_by_label("Code").fill("AAAA-BBBB-CCCC-D")
        page.get_by_role("button", name="Check").click()
        page.wait_for_url("**/portal/verify/**")
        assert page.get_by_role("alert").inner_text().startswith("No contract document carries this code")
        steps.accessible()
    auditor = httpx.Client(base_url=shared_stack.gateway, headers={"X-API-Key": shared_stack.api_key("auditor")})
    contracts = auditor.get("/v1/contracts").json()["items"]
    auditor.close()
    if not contracts:
        return  # no contract on the stack yet (the journey makes one): the unknown code is the check
    code = contracts[0]["verification_code"]
    expected = httpx.get(f"{shared_stack.gateway}/v1/verify/contracts/{code}").json()
    with steps.step("a contract's code, as its QR code opens it"):
        page.goto(f"/portal/verify/{code}")
        shown = page.locator("section.verdict")
        assert expected["content_hash"] in shown.inner_text()
        assert str(expected["version"]) in shown.inner_text()
        heading = "This is the current signed version" if expected["verdict"] == "current_signed" else "not the current"
        assert heading in shown.get_by_role("heading").inner_text()
        steps.accessible()
