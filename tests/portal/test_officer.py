"""The compliance officer's pages in a real browser (fixtures: tests/portal/conftest.py): the work lists, resolving a
potential screening hit, the four-eyes rule shown up front, deciding a case, investigating a grievance. The records
are made through the API here: a business whose name is on a blocklist loaded for this test (so opening its case
raises a hit), a case opened by the first officer, a grievance filed by the demo worker."""

import os
import time
import uuid
from pathlib import Path

import httpx
import pyotp

from ..test_launcher import poll_until
from ..test_tenancy_matrix import made_up_name, ok
from .conftest import PHONE, password_of, sign_in

# Where the main pages' screenshots go, when set (a look at the pages as an officer sees them).
SHOTS = os.environ.get("FAIRPATH_PORTAL_SHOTS")
TOTP_STEP = 30


def officer_signs_in(page, stack, username: str, deadline_s: float = 75) -> int:
    """Password, then the next step's TOTP code; the step taken. A code is taken once per step: when another
    sign-in of the account took this one, the next step's code is tried once the clock reaches it."""
    secret = stack.credentials["users"][username]["totp_secret"]
    sign_in(page, username, password_of(stack, username))
    tried = [-1]

    def signed_in_with_a_fresh_step() -> int | None:
        step = int(time.time()) // TOTP_STEP + 1
        if step <= tried[0]:
            return None  # until the clock reaches the next step
        tried[0] = step
        page.get_by_label("Six-digit code from your authenticator app").fill(pyotp.TOTP(secret).at(step * TOTP_STEP))
        page.get_by_role("button", name="Continue").click()
        page.wait_for_load_state()
        if page.url.endswith("/portal/"):
            return step
        assert page.get_by_role("heading", name="Second factor").is_visible(), page.content()[:500]
        return None

    return poll_until(signed_in_with_a_fresh_step, deadline_s, "a fresh TOTP step to be accepted", interval=0.5)


def leave_the_next_code_free(step: int, deadline_s: float = 45) -> None:
    """Wait for the clock to reach the step a sign-in took ahead of time, so that the account's next sign-in (by
    another test, with the next step's code) is not refused as a code used already."""
    poll_until(lambda: int(time.time()) // TOTP_STEP >= step, deadline_s, "the clock to reach the TOTP step", 0.5)


def blocklisted_business(stack, run: str) -> dict:
    """A business registered by the admin whose name and number are on a blocklist loaded just before."""
    name = f"{made_up_name().removesuffix(' Recruiters')} {run}"  # no word another test's names share
    number = f"OVS-{run}"
    with stack.client("admin") as admin:
        watchlist = ok(admin.post("/v1/watchlists", json={"name": f"Portal list {run}", "kind": "blocklist"}), 201)
        upload = f"id,name,aliases,country,registration_number\nOVS-{run},{name},,AE,{number}\n"
        ok(
            admin.post(
                f"/v1/watchlists/{watchlist['id']}/imports",
                content=upload.encode(),
                headers={"Content-Type": "text/csv"},
                timeout=120,
            ),
            201,
        )
        return ok(
            admin.post(
                "/v1/businesses",
                json={"kind": "employer", "legal_name": name, "country": "AE", "registration_number": number},
            ),
            201,
        )


def test_officers_work_the_lists_resolve_a_hit_see_four_eyes_decide_a_case_and_investigate_a_grievance(
    page, steps, shared_stack
):
    run = uuid.uuid4().hex[:8]
    business = blocklisted_business(shared_stack, run)
    with shared_stack.client("compliance_officer") as opener:
        case = ok(opener.post(f"/v1/businesses/{business['id']}/vetting-cases", timeout=180), 201)
        hits = ok(opener.get(f"/v1/businesses/{business['id']}/screening-hits", params={"status": "potential"}))
        assert hits["items"], "opening the case screened the business against the blocklist"
    worker_id = shared_stack.demo["worker"]
    with httpx.Client(
        base_url=shared_stack.gateway, timeout=30, headers={"X-API-Key": shared_stack.api_key("worker")}
    ) as worker:
        grievance = ok(
            worker.post(
                f"/v1/workers/{worker_id}/grievances",
                json={"description": f"Wages unpaid for two months ({run}).", "anonymous": False},
            ),
            201,
        )

    with steps.step("the opener signs in and sees the open cases"):
        opener_step = officer_signs_in(page, shared_stack, "compliance_officer")
        page.get_by_role("link", name="Vetting cases").first.click()
        page.wait_for_url("**/portal/vetting-cases")
        row = page.locator("tbody tr").filter(has_text=business["legal_name"])
        assert "You" in row.inner_text()  # who opened it, shown in the list
        steps.accessible()
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(SHOTS) / "compliance_officer.png"), full_page=True)
    with steps.step("four eyes: the opener is told another officer decides, and is offered no form"):
        row.get_by_role("link").click()
        page.wait_for_url(f"**/portal/vetting-cases/{case['id']}")
        assert page.get_by_role("heading", name="Another officer must decide this case").is_visible()
        assert page.get_by_role("button", name="Record the decision").count() == 0
        assert page.locator(".opened-by").inner_text() == "You"
        steps.accessible()
    with steps.step("the potential hits, oldest first, at 360 px"):
        page.set_viewport_size(PHONE)
        page.get_by_role("link", name="Screening hits").first.click()
        page.wait_for_url("**/portal/screening-hits")
        with shared_stack.client("compliance_officer") as officer:
            queue = ok(officer.get("/v1/screening-hits", params={"status": "potential"}))["items"]
        shown = page.locator("tbody tr td:first-child").all_inner_texts()
        assert shown == sorted(shown) and len(shown) == len(queue)
        steps.accessible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page is {width} px wide at {PHONE['width']} px"
        page.set_viewport_size({"width": 1280, "height": 900})
    with steps.step("resolve the hit: a missing reason is shown at the field, then the hit is dismissed"):
        page.goto(f"/portal/screening-hits/{hits['items'][0]['id']}")
        assert page.get_by_role("heading", name="Why it matched").is_visible()
        steps.accessible()
        page.get_by_label("Resolution").select_option("dismissed")
        page.get_by_label("Reason").fill(" ")
        page.get_by_role("button", name="Resolve").click()
        assert page.locator("#hit-reason-error").is_visible()
        assert page.get_by_label("Reason").get_attribute("aria-invalid") == "true"
        steps.accessible()
        page.get_by_label("Reason").fill("Different directors and address: a namesake.")
        page.get_by_role("button", name="Resolve").click()
        page.wait_for_url("**/portal/screening-hits?resolved=dismissed")
        assert page.get_by_role("status").is_visible()
        assert page.locator(f'a[href="/portal/screening-hits/{hits["items"][0]["id"]}"]').count() == 0
    with steps.step("investigate the grievance: acknowledged, then substantiated once it has a severity"):
        page.get_by_role("link", name="Grievances to investigate").first.click()
        page.wait_for_url("**/portal/investigations")
        steps.accessible()
        page.goto(f"/portal/investigations/{grievance['id']}")
        assert f"Wages unpaid for two months ({run})." in page.content()
        steps.accessible()
        page.get_by_label("Move to").select_option("under_investigation")
        page.get_by_role("button", name="Record the step").click()
        page.wait_for_url(f"**/portal/investigations/{grievance['id']}?updated=1")
        assert page.locator(".status").inner_text() == "under investigation"
        page.get_by_label("Move to").select_option("substantiated")
        page.get_by_label("withholding of wages").check()
        page.get_by_role("button", name="Record the step").click()
        assert page.locator("#severity-error").is_visible()  # a substantiated grievance has a severity
        steps.accessible()
        page.get_by_label("Move to").select_option("substantiated")
        page.get_by_label("Severity (substantiated only)").select_option("high")
        page.get_by_role("button", name="Record the step").click()
        page.wait_for_url(f"**/portal/investigations/{grievance['id']}?updated=1")
        assert page.locator(".status").inner_text() == "substantiated"
    with steps.step("sign out"):
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url("**/portal/sign-in")
    with steps.step("the second officer decides: a missing reason is shown at the field, then the approval"):
        decider_step = officer_signs_in(page, shared_stack, "compliance_officer_2")
        page.goto(f"/portal/vetting-cases/{case['id']}")
        assert "another officer opened this case" in page.locator(".four-eyes").inner_text()
        steps.accessible()
        page.get_by_label("Your decision").select_option("approved")
        page.get_by_role("button", name="Record the decision").click()
        assert page.locator("#reason-error").is_visible()
        steps.accessible()
        page.get_by_label("Reason", exact=True).fill("Namesake dismissed; records in order.")
        page.get_by_role("button", name="Record the decision").click()
        page.wait_for_url(f"**/portal/vetting-cases/{case['id']}?decided=1")
        assert page.locator(".status").inner_text() == "decided"
        assert page.get_by_role("button", name="Record the decision").count() == 0
    with shared_stack.client("auditor") as auditor:
        decided = ok(auditor.get(f"/v1/vetting-cases/{case['id']}"))
    assert decided["decision"] == "approved" and decided["decided_by"] != decided["opened_by"]
    leave_the_next_code_free(max(opener_step, decider_step))
