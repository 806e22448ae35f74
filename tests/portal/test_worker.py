"""A worker signs their contract in a real browser (fixtures: tests/portal/conftest.py): a worker of this test's own,
registered by its own vetted agency, with a login and a contract issued to them (made through the API). The
worker reads what signing means (the version and its fingerprint) and signs one; a contract signed meanwhile
elsewhere is refused in the worker's language, in plain words; the public check of the signed contract's code shows
dates as dates and, in Arabic, the code and fingerprint left to right. axe-core on every page."""

import re
import uuid

import httpx

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
