"""The partner portal in a real browser (fixtures: tests/portal/conftest.py): each role's main path end to end,
the public check of a contract document, and the CSRF refusal; axe-core on every page, one page at 360 px."""

import re
import time

import httpx
import pyotp

from .conftest import PHONE, password_of, sign_in

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
        page.get_by_label("Country (two letters, e.g. AE)").fill("AE")
        page.get_by_label("Valid from").fill("2025-06-01")
        page.get_by_label("Valid until").fill("2025-01-01")
        page.get_by_role("button", name="Record the licence").click()
        alert = page.get_by_role("alert").filter(has_text="The licence was not recorded")
        assert "valid_until" in alert.inner_text()
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
