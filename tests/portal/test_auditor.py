"""The auditor's pages in a real browser (fixtures: tests/portal/conftest.py): searching businesses, a business's
dossier with its risk factors drawn as a chart and its timeline, the CSV download under the API's file name, and
verifying an audit chain with the latest signed checkpoint shown. The records are made through the API here: an
employer with a non-compliant self-assessment (a finding) and a vetting case decided by the second officer."""

import os
import re
import uuid
from pathlib import Path

import httpx

from fairpath.gateway.portal.plain import readable_moment

from ..test_tenancy_matrix import made_up_name, ok, organisation, vet
from .conftest import PHONE, password_of, sign_in

SHOTS = os.environ.get("FAIRPATH_PORTAL_SHOTS")


def employer_with_a_finding_and_a_decision(stack, run: str) -> dict:
    name = f"{made_up_name()} {run} Builders LLC"
    with stack.client("admin") as admin:
        records, key = organisation(
            admin,
            "employer",
            f"Portal Auditor Employer {run}",
            {"legal_name": name, "country": "AE", "registration_number": f"PAE-{run}", "sector": "F"},
        )
    with httpx.Client(base_url=stack.gateway, timeout=30, headers={"X-API-Key": key}) as employer:
        questions = ok(employer.get("/v1/assessment-questions"))["questions"]
        answers = [{"question_id": q["id"], "answer": "compliant"} for q in questions]
        answers[0]["answer"] = "non_compliant"
        ok(employer.post(f"/v1/businesses/{records['business']}/assessments", json={"answers": answers}), 201)
    records["case"] = vet(stack, records["business"])
    records["name"] = name
    return records


def test_an_auditor_searches_reads_a_dossier_with_its_chart_downloads_the_csv_and_verifies_a_chain(
    page, steps, shared_stack
):
    run = uuid.uuid4().hex[:8]
    r = employer_with_a_finding_and_a_decision(shared_stack, run)
    with shared_stack.client("admin") as admin:
        ok(admin.post("/v1/audit/vetting/checkpoints"))  # a signed checkpoint for the page to show
    auditor = shared_stack.client("auditor")

    with steps.step("sign in and search by name"):
        sign_in(page, "auditor", password_of(shared_stack, "auditor"))
        page.wait_for_url("**/portal/")
        page.get_by_role("link", name="Businesses").first.click()
        page.wait_for_url("**/portal/businesses")
        steps.accessible()
        page.get_by_label("Name contains").fill(run)
        page.get_by_label("Kind").select_option("employer")
        page.get_by_role("button", name="Search").click()
        page.wait_for_url(re.compile(r".*/portal/businesses\?name=.*"))
        assert page.locator("tbody tr").count() == 1
        assert r["name"] in page.locator("tbody").inner_text()
        steps.accessible()
    d = ok(auditor.get(f"/v1/compliance/businesses/{r['business']}"))
    with steps.step("the dossier: the risk factors as a chart with a text equivalent, decisions, findings"):
        page.get_by_role("link", name=r["name"]).click()
        page.wait_for_url(f"**/portal/businesses/{r['business']}/dossier")
        factors = d["risk"]["factors"]
        chart = page.locator("figure.chart svg")
        assert chart.get_attribute("role") == "img"
        assert page.locator("figure.chart svg rect").count() == len(factors) > 0
        description = page.locator("#risk-chart-desc").text_content()
        for factor in factors:
            assert f"{factor['factor'].replace('_', ' ')}: {factor['points']} points" in description
        assert page.locator("table.risk-factors tbody tr").count() == len(factors)
        assert "approved" in page.locator("main").inner_text()  # the decision
        decided = page.locator("table").filter(has_text="Opened by, decided by").locator("tbody tr").first
        opener, decider = (span.inner_text() for span in decided.locator(".hash").all())
        assert opener != decider and "—" not in (opener, decider)  # four eyes, as the dossier shows them
        for part in ("Licences", "Screening hits"):
            assert page.get_by_role("heading", name=part, exact=True).is_visible()
        assert "self assessment non compliant" in page.locator("main").inner_text()  # the finding
        assert page.locator("script").count() == 0
        steps.accessible()
    with steps.step("the timeline, oldest first, with the decision and the finding"):
        items = page.locator("ol.timeline li")
        assert items.count() == len(d["timeline"])
        times = [t.get_attribute("datetime") for t in page.locator("ol.timeline time").all()]
        assert times == [e["at"] for e in d["timeline"]]
        text = page.locator("ol.timeline").inner_text()
        assert "case approved" in text and "finding self assessment non compliant" in text
    with steps.step("the dossier at 360 px"):
        page.set_viewport_size(PHONE)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page is {width} px wide at {PHONE['width']} px"
        steps.accessible()
        page.set_viewport_size({"width": 1280, "height": 900})
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(SHOTS) / "auditor.png"), full_page=True)
    with steps.step("the CSV download, named as the API names it"):
        api_csv = auditor.get(f"/v1/compliance/businesses/{r['business']}", params={"format": "csv"})
        expected = re.search(r'filename="([^"]+)"', api_csv.headers["content-disposition"]).group(1)
        with page.expect_download() as caught:
            page.get_by_role("link", name="Download the dossier as CSV").click()
        download = caught.value
        assert download.suggested_filename == expected
        content = Path(download.path()).read_text(encoding="utf-8")
        assert content.startswith("section,") and r["business"] in content
    with steps.step("verify the vetting chain with one click: the verdict and the latest signed checkpoint"):
        page.get_by_role("link", name="Audit chains").first.click()
        page.wait_for_url("**/portal/audit")
        steps.accessible()
        page.get_by_role("button", name="Verify vetting").click()
        page.wait_for_url("**/portal/audit?service=vetting")
        verdict = page.locator("section.verdict")
        assert "Audit chain of vetting: intact" in verdict.get_by_role("heading", level=2).inner_text()
        checkpoints = ok(auditor.get("/v1/audit/vetting/checkpoints"))["items"]
        latest = checkpoints[-1]  # by tree size, as the API lists them
        shown = page.locator("dl.checkpoint").inner_text()
        assert str(latest["tree_size"]) in shown and latest["root_hash"] in shown
        assert readable_moment(latest["signed_at"]) in shown and latest["key_id"] in shown
        assert page.locator("form[method=post]").count() == 1  # sign-out only: the auditor's pages write nothing
        steps.accessible()
    auditor.close()
