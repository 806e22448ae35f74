"""The tenancy matrix: every operation of the public API, as every role, on its own tenant's records and on
another tenant's, through the gateway of the shared stack.

Two tenants of each kind are made as a user would, through the admin API and the services' API: agencies A1
and A2 (their businesses vetted, four eyes), employers E1 and E2 (vetted; E1 names A1 as its recruiter, E2
names A2), workers W1 (registered by A1) and W2 (by A2), each with a worker login; and per tenant a job order,
an issued contract, a fee report, a grievance and a vetting case. The operator's roles are the demo admin,
compliance officer and auditor.

Each operation of the gateway's OpenAPI has a row in MATRIX: how to call it (its path ids, query and body
drawn from a tenant's records) and the status each role gets, in design.md's order (401 no credentials, 403
the role may never call it, 404 outside reach, 422, 409). The tenant roles (A1's agency user, E1's employer
user, W1's worker login) call it twice: with tenant 1's records (their own) and with tenant 2's (another
tenant's); the second answer must also equal the answer for random uuids in the same places: same status,
same body but for the ids themselves. An operation in the document without a row fails the test, so a new
endpoint cannot skip the matrix."""

import json
import random
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from fairpath.deploy.demo import DEMO_WORKER, job_order_body

from .conftest import LiveStack
from .test_journey import terms
from .test_launcher import poll_until

METHODS = ("get", "put", "post", "delete", "patch")
# The callers, in the order they call: no credentials, the operator's three roles, then tenant 1's users.
OPERATOR = ("admin", "co", "aud")
TENANT = ("ag", "em", "wk")
CALLERS = ("anon", *OPERATOR, *TENANT)

Records = dict[str, str]


def ok(response: httpx.Response, status: int = 200) -> dict:
    assert response.status_code == status, f"{response.request.method} {response.request.url}: {response.text}"
    return response.json() if response.content else {}


# --- the tenants -------------------------------------------------------------------------------------------


@dataclass
class World:
    stack: LiveStack
    doc: dict[str, Any]
    headers: dict[str, dict[str, str]]  # caller -> credentials
    tenants: dict[int, Records]  # 1, 2 -> records
    random: Records = field(default_factory=dict)
    clients: dict[str, httpx.Client] = field(default_factory=dict)

    def call(self, caller: str, method: str, url: str, **kwargs: Any) -> httpx.Response:
        if caller not in self.clients:
            self.clients[caller] = httpx.Client(
                base_url=self.stack.gateway, timeout=30, headers=self.headers.get(caller, {})
            )
        return self.clients[caller].request(method, url, **kwargs)


def vet(stack: LiveStack, business_id: str) -> str:
    """Opened by one compliance officer, approved by the other; the case's id."""
    with stack.client("compliance_officer") as opener, stack.client("compliance_officer_2") as decider:
        case = ok(opener.post(f"/v1/businesses/{business_id}/vetting-cases"), 201)
        ok(
            decider.post(
                f"/v1/vetting-cases/{case['id']}/decision",
                json={"decision": "approved", "reason": "licence and self-assessment in order"},
            )
        )
    return case["id"]


def organisation(admin: httpx.Client, kind: str, name: str, business: dict[str, Any]) -> tuple[Records, str]:
    """An organisation with its business (registered by the admin, linked to it) and one user with an API key."""
    org = ok(admin.post("/v1/admin/organizations", json={"name": name, "kind": kind}), 201)
    biz = ok(admin.post("/v1/businesses", json={"kind": kind, **business, "organization_id": org["id"]}), 201)
    username = re.sub(r"\W", ".", name.lower())
    user = ok(admin.post(f"/v1/admin/organizations/{org['id']}/users", json={"username": username}), 201)
    key = ok(
        admin.post(f"/v1/admin/organizations/{org['id']}/api-keys", json={"name": "matrix", "user_id": user["id"]}),
        201,
    )
    spare = ok(
        admin.post(f"/v1/admin/organizations/{org['id']}/api-keys", json={"name": "spare", "user_id": user["id"]}),
        201,
    )
    records = {"org": org["id"], "business": biz["id"], "user": user["id"], "key_id": spare["id"]}
    return records, key["key"]


def worker_login(stack: LiveStack, worker_id: str, username: str) -> tuple[str, str]:
    """The worker's login, made by the admin once the gateway knows the worker; activated; a bearer token."""
    with stack.client("admin") as admin:

        def login() -> httpx.Response | None:
            # 422 until the registry's event has told the gateway that the worker exists.
            response = admin.post("/v1/admin/users", json={"username": username, "worker_id": worker_id})
            return None if response.status_code == 422 else response

        created = poll_until(login, 30, "the gateway to learn of the worker", interval=0.2)
    user = ok(created, 201)
    password = "a long matrix passphrase " + uuid.uuid4().hex[:8]
    with stack.client() as anon:
        ok(
            anon.post(
                "/v1/auth/activate",
                json={"username": username, "code": user["activation"]["code"], "password": password},
            ),
            204,
        )
        token = ok(
            anon.post("/v1/auth/token", data={"grant_type": "password", "username": username, "password": password})
        )
    return user["id"], token["access_token"]


def matrix_job_order(employer: str, agency: str) -> dict[str, Any]:
    return job_order_body(
        employer, agency, reference="MATRIX-" + uuid.uuid4().hex[:6], signed_on=date.today(), workers=50
    )


def worker_body(tag: str) -> dict[str, Any]:
    body = json.loads(json.dumps(DEMO_WORKER))
    body["full_name"] = f"Matrix Worker {tag}"
    body["identity_document"]["number"] = "MX" + uuid.uuid4().hex[:8].upper()
    # No consent to share the profile with employers: an employer sees the worker only through a contract.
    body["consents"] = [c for c in body["consents"] if c["purpose"] != "data_sharing_with_employer"]
    return body


def contract_draft(records: Records) -> dict[str, Any]:
    parties = {"employer": records["employer"], "worker": records["worker"], "recruitment_agency": records["agency"]}
    return {
        "job_order_id": records["job_order"],
        "position_id": records["position"],
        "terms": terms(parties, date.today() + timedelta(days=30)),
    }


def made_up_name() -> str:
    """A name no other record comes near (a name on a watchlist left by an earlier test would hold up vetting)."""
    letters = "bcdfghjklmnpqrstvwxz"
    return " ".join("".join(random.choice(letters) for _ in range(9)).title() for _ in range(2)) + " Recruiters"


def make_tenant(stack: LiveStack, i: int, run: str, agency_name: str) -> tuple[Records, dict[str, dict[str, str]]]:
    with stack.client("admin") as admin:
        agency, agency_key = organisation(
            admin,
            "recruitment_agency",
            f"Matrix Agency {i} {run}",
            {
                "legal_name": agency_name,
                "country": "NP",
                "registration_number": f"MXA-{i}-{run}",
            },
        )
        employer, employer_key = organisation(
            admin,
            "employer",
            f"Matrix Employer {i} {run}",
            {
                "legal_name": f"Matrix Employer {i} {run} LLC",
                "country": "AE",
                "registration_number": f"MXE-{i}-{run}",
                "sector": "F",
            },
        )
        ok(admin.post(f"/v1/businesses/{employer['business']}/recruiters", json={"agency_id": agency["business"]}), 201)
    r: Records = {
        "agency": agency["business"],
        "employer": employer["business"],
        "agency_org": agency["org"],
        "employer_org": employer["org"],
        "agency_user": agency["user"],
        "spare_key_id": agency["key_id"],
    }
    ag = httpx.Client(base_url=stack.gateway, timeout=30, headers={"X-API-Key": agency_key})
    em = httpx.Client(base_url=stack.gateway, timeout=30, headers={"X-API-Key": employer_key})
    with ag, em:
        today = date.today()
        ok(
            ag.post(
                f"/v1/businesses/{r['agency']}/licences",
                json={
                    "number": f"MX-LIC-{i}-{run}",
                    "authority": "Department of Foreign Employment",
                    "country": "NP",
                    "valid_from": (today - timedelta(days=365)).isoformat(),
                    "valid_until": (today + timedelta(days=3 * 365)).isoformat(),
                },
            ),
            201,
        )
        questions = ok(ag.get("/v1/assessment-questions"))["questions"]
        ok(
            ag.post(
                f"/v1/businesses/{r['agency']}/assessments",
                json={"answers": [{"question_id": q["id"], "answer": "compliant"} for q in questions]},
            ),
            201,
        )
        vet(stack, r["agency"])
        r["case"] = vet(stack, r["employer"])
        r["worker"] = ok(ag.post("/v1/workers", json=worker_body(f"{i} {run}")), 201)["id"]
        r["spare_worker"] = ok(ag.post("/v1/workers", json=worker_body(f"{i} {run} spare")), 201)["id"]
        order = ok(em.post("/v1/job-orders", json=matrix_job_order(r["employer"], r["agency"])), 201)
        r["job_order"], r["position"] = order["id"], order["positions"][0]["id"]
        draft = contract_draft(r)
        poll_until(
            lambda: ag.post("/v1/contracts/check", json=draft).json().get("passes"),
            30,
            "contracts to learn the approvals and the worker",
            interval=0.2,
        )
        r["contract"] = ok(ag.post("/v1/contracts", json=draft), 201)["id"]
        ok(ag.post(f"/v1/contracts/{r['contract']}/issue"))
        r["spare_contract"] = ok(ag.post("/v1/contracts", json=draft), 201)["id"]
        session = {"held_on": today.isoformat(), "online": True, "language": "ne", "topics": ["contract_terms"]}
        r["orientation_session"] = ok(ag.post("/v1/orientation-sessions", json=session), 201)["id"]
        attended = {"worker_id": r["worker"]}
        ok(ag.post(f"/v1/orientation-sessions/{r['orientation_session']}/attendance", json=attended))
        r["check_in"] = str(uuid.uuid4())
        poll_until(
            lambda: ag.get(f"/v1/placements/{r['contract']}/deployment-steps").status_code == 200,
            30,
            "the registry to learn of the issued contract",
            interval=0.2,
        )
        poll_until(
            lambda: ag.get("/v1/candidates", params={"job_order_id": r["job_order"]}).status_code == 200,
            30,
            "the registry to learn of the posted job order",
            interval=0.2,
        )
        picked = {"job_order_id": r["job_order"], "worker_id": r["worker"], "position_id": r["position"]}
        r["answered_offer"] = ok(ag.post("/v1/offers", json=picked), 201)["id"]
    r["worker_user"], token = worker_login(stack, r["worker"], f"matrix.worker.{i}.{run}")
    wk = httpx.Client(base_url=stack.gateway, timeout=30, headers={"Authorization": f"Bearer {token}"})
    with wk:
        # One offer the worker has answered already (declined: no longer pending, whatever row runs first), and a
        # pending one (the same job order, now that the first is closed) for the accept row.
        ok(wk.post(f"/v1/offers/{r['answered_offer']}/decline"))
        with httpx.Client(base_url=stack.gateway, timeout=30, headers={"X-API-Key": agency_key}) as ag:
            r["offer"] = ok(ag.post("/v1/offers", json=picked), 201)["id"]
        r["fee"] = ok(
            wk.post(
                f"/v1/workers/{r['worker']}/fees",
                json={
                    "category": "medical",
                    "amount_minor": 1500000,
                    "currency": "NPR",
                    "payment_method": "cash",
                    "paid_to_business_id": r["agency"],
                },
            ),
            201,
        )["id"]
        r["grievance"] = ok(
            wk.post(
                f"/v1/workers/{r['worker']}/grievances",
                json={
                    "business_id": r["employer"],
                    "description": "My passport was taken on arrival.",
                    "language": "ne",
                },
            ),
            201,
        )["id"]
    headers = {
        "ag": {"X-API-Key": agency_key},
        "em": {"X-API-Key": employer_key},
        "wk": {"Authorization": f"Bearer {token}"},
    }
    return r, headers


@pytest.fixture(scope="module")
def world(shared_stack: LiveStack) -> Iterator[World]:
    run = uuid.uuid4().hex[:6]
    one, headers = make_tenant(shared_stack, 1, run, made_up_name())
    two, _ = make_tenant(shared_stack, 2, run, made_up_name())
    # The operator's watchlist. No import is loaded and no business screened: both start the matching processes
    # (a minute on a busy machine), so the rows of imports and screening hits name records that do not exist,
    # which every role must answer alike.
    with shared_stack.client("admin") as admin:
        watchlist = ok(admin.post("/v1/watchlists", json={"name": f"Matrix list {run}", "kind": "blocklist"}), 201)
    for r in (one, two):
        r["watchlist"], r["import"], r["hit"] = watchlist["id"], str(uuid.uuid4()), str(uuid.uuid4())
    headers |= {
        "admin": {"X-API-Key": shared_stack.api_key("admin")},
        "co": {"X-API-Key": shared_stack.api_key("compliance_officer")},
        "aud": {"X-API-Key": shared_stack.api_key("auditor")},
    }
    doc = httpx.get(f"{shared_stack.gateway}/openapi.json", timeout=30).json()
    made_up = {key: str(uuid.uuid4()) for key in one}
    world = World(shared_stack, doc, headers, {1: one, 2: two}, made_up)
    yield world
    for client in world.clients.values():
        client.close()


# --- the table ---------------------------------------------------------------------------------------------


@dataclass
class Named:
    """What a row's builders see: `r` the records named (tenant 1's, tenant 2's or random uuids), `me` tenant 1's
    (the tenant callers' own), `caller` who calls."""

    r: Records
    me: Records
    caller: str

    def own_business(self) -> str:
        """The business a caller acts on: the agency's for the agency user, else the employer's."""
        return self.r["agency"] if self.caller == "ag" else self.r["employer"]


Builder = Callable[[Named], Any]


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@dataclass
class Row:
    """How to call one operation and what each caller gets.

    `path` maps each path parameter to a record name (or a builder); `query` and `body` are builders of the
    records named. `expect` lists the statuses of the callers in CALLERS order, a tenant caller's as
    "own/other" (one number when both are the same), "-" for a caller who does not try a public operation.
    `xfail` names what a service answers wrongly today (the test is then expected to fail, strictly)."""

    expect: str
    path: dict[str, str | Builder] = field(default_factory=dict)
    query: Builder | None = None
    body: Builder | None = None
    form: Builder | None = None
    csv: Builder | None = None
    files: Builder | None = None
    xfail: str | None = None
    # A public operation answers alike whoever calls: only a caller without credentials tries it (signing in
    # with wrong credentials as every caller would only meet the limit on failed sign-ins).
    public: bool = False

    def request(self, template: str, named: Named) -> dict[str, Any]:
        path = template
        for name, source in self.path.items():
            value = named.r[source] if isinstance(source, str) else source(named)
            path = path.replace("{" + name + "}", value)
        kwargs: dict[str, Any] = {"url": path}
        if self.query:
            kwargs["params"] = self.query(named)
        if self.body:
            kwargs["json"] = self.body(named)
        if self.form:
            kwargs["data"] = self.form(named)
        if self.csv:
            kwargs["content"], kwargs["headers"] = self.csv(named).encode(), {"Content-Type": "text/csv"}
        if self.files:
            kwargs["data"], kwargs["files"] = self.files(named)
        return kwargs


def fixed(value: Any) -> Builder:
    return lambda c: value


def audit(service: str) -> dict[str, Row]:
    """A service's audit trail: the operator's roles read it, no tenant does."""
    return {
        f"GET /v1/audit/{service}/records": Row("401 200 200 200 403 403 403"),
        f"GET /v1/audit/{service}/verify": Row("401 200 200 200 403 403 403"),
        f"GET /v1/audit/{service}/export": Row("401 200 200 200 403 403 403"),
        f"GET /v1/audit/{service}/checkpoints": Row("401 200 200 200 403 403 403"),
        f"POST /v1/audit/{service}/checkpoints": Row("401 200 200 403 403 403 403"),
        f"GET /v1/audit/{service}/proofs/inclusion": Row("401 200 200 200 403 403 403", query=fixed({"entry": 1})),
        f"GET /v1/audit/{service}/proofs/consistency": Row("401 200 200 200 403 403 403", query=fixed({"first": 1})),
        f"GET /v1/audit/{service}/legal-holds": Row("401 200 200 200 403 403 403"),
        f"POST /v1/audit/{service}/legal-holds": Row(
            "401 201 201 403 403 403 403", body=lambda c: {"business_id": str(uuid.uuid4())}
        ),
        f"DELETE /v1/audit/{service}/legal-holds/{{business_id}}": Row(
            "401 404 404 403 403 403 403", path={"business_id": lambda c: str(uuid.uuid4())}
        ),
    }


def grievance(business: Builder) -> Builder:
    return lambda c: {"business_id": business(c), "description": "Two months of wages are unpaid.", "language": "ne"}


# Each operation of the document, "METHOD /path"; a variant "METHOD /path # what" names another tenant's record in
# the body while the path names the caller's own.
MATRIX: dict[str, Row] = {
    # --- the gateway: public, identity ---
    "GET /healthz": Row("200 - - - - - -", public=True),
    "GET /readyz": Row("200 - - - - - -", public=True),
    "GET /metrics": Row("200 - - - - - -", public=True),
    "POST /v1/auth/token": Row(
        "401 - - - - - -",
        public=True,
        form=lambda c: {"grant_type": "password", "username": "matrix.nobody", "password": "not the password"},
    ),
    "POST /v1/auth/refresh": Row(
        "401 - - - - - -", public=True, form=fixed({"grant_type": "refresh_token", "refresh_token": "fpr_not_a_token"})
    ),
    "POST /v1/auth/activate": Row(
        "401 - - - - - -",
        public=True,
        body=fixed({"username": "matrix.nobody", "code": "7KQM-2XWD-9HPT-4RJC", "password": "a long passphrase"}),
    ),
    "GET /v1/me": Row("401 200 200 200 200 200 200"),
    "POST /v1/me/totp/confirm": Row("401 403 403 403 403 403 409", body=fixed({"code": "000000"})),
    "POST /v1/me/password": Row(
        "401 403 403 403 403 403 422",
        body=fixed({"current_password": "not the password", "new_password": "a new and longer passphrase"}),
    ),
    # --- the gateway: accounts ---
    "POST /v1/admin/organizations": Row(
        "401 201 403 403 403 403 403", body=lambda c: {"name": unique("Matrix Org"), "kind": "auditor"}
    ),
    "POST /v1/admin/organizations # links another's business": Row(
        "401 409 403 403 403 403 403",
        body=lambda c: {"name": unique("Matrix Org"), "kind": "employer", "business_id": c.r["employer"]},
    ),
    "GET /v1/admin/organizations": Row("401 200 403 403 403 403 403"),
    "GET /v1/admin/organizations/{organization_id}": Row(
        "401 200 403 403 403 403 403", path={"organization_id": "agency_org"}
    ),
    "PATCH /v1/admin/organizations/{organization_id}": Row(
        "401 200 403 403 403 403 403", path={"organization_id": "agency_org"}, body=fixed({})
    ),
    "PUT /v1/admin/organizations/{organization_id}/sso": Row(
        "401 200 403 403 403 403 403",
        path={"organization_id": "agency_org"},
        body=fixed(
            {
                "issuer": "https://login.example-agency.com",
                "audience": "fairpath",
                "jwks_url": "https://login.example-agency.com/.well-known/jwks.json",
            }
        ),
    ),
    "DELETE /v1/admin/organizations/{organization_id}/sso": Row(
        "401 200 403 403 403 403 403", path={"organization_id": "agency_org"}
    ),
    "POST /v1/admin/organizations/{organization_id}/users": Row(
        "401 201 403 403 403 403 403",
        path={"organization_id": "agency_org"},
        body=lambda c: {"username": unique("matrix.user")},
    ),
    "GET /v1/admin/organizations/{organization_id}/users": Row(
        "401 200 403 403 403 403 403", path={"organization_id": "agency_org"}
    ),
    "POST /v1/admin/users": Row(
        "401 201 409 403 403 403 403",
        body=lambda c: {"username": unique("matrix.login"), "worker_id": c.r["spare_worker"]},
    ),
    "GET /v1/admin/users": Row("401 200 200 403 403 403 403", query=lambda c: {"worker_id": c.r["worker"]}),
    "GET /v1/admin/users/{user_id}": Row("401 200 200 403 403 403 403", path={"user_id": "agency_user"}),
    "PATCH /v1/admin/users/{user_id}": Row(
        "401 200 403 403 403 403 403", path={"user_id": "agency_user"}, body=fixed({"disabled": False})
    ),
    "POST /v1/admin/users/{user_id}/activation-code": Row(
        "401 200 200 403 403 403 403", path={"user_id": "agency_user"}, body=fixed({})
    ),
    "POST /v1/admin/organizations/{organization_id}/api-keys": Row(
        "401 201 403 403 403 403 403",
        path={"organization_id": "agency_org"},
        body=lambda c: {"name": "matrix", "user_id": c.r["agency_user"]},
    ),
    "GET /v1/admin/organizations/{organization_id}/api-keys": Row(
        "401 200 403 403 403 403 403", path={"organization_id": "agency_org"}
    ),
    "DELETE /v1/admin/api-keys/{key_id}": Row("401 204 403 403 403 403 403", path={"key_id": "spare_key_id"}),
    "GET /v1/admin/events/dead-letters": Row("401 200 403 403 403 403 403"),
    "POST /v1/admin/events/replay": Row("401 200 403 403 403 403 403", body=fixed({})),
    "GET /v1/admin/clock": Row("401 200 403 403 403 403 403"),
    # {}: the real clock again (what every service already sees).
    "PUT /v1/admin/clock": Row("401 422 403 403 403 403 403", body=fixed({})),
    **audit("gateway"),
    # The compliance dossier: the auditors and compliance officers, of any business.
    "GET /v1/compliance/businesses/{business_id}": Row(
        "401 403 200 200 403 403 403", path={"business_id": Named.own_business}
    ),
    # --- vetting ---
    "POST /v1/businesses": Row(
        "401 201 201 403 201 201 403",
        body=lambda c: {
            "kind": "employer",
            "legal_name": unique("Matrix New Employer"),
            "country": "AE",
            "registration_number": unique("MXN"),
        },
    ),
    "GET /v1/businesses": Row("401 200 200 200 200 200 403"),
    "GET /v1/businesses/{business_id}": Row(
        "401 200 200 200 200/404 200/404 403", path={"business_id": Named.own_business}
    ),
    "PATCH /v1/businesses/{business_id}": Row(
        "401 200 200 403 200/404 200/404 403",
        path={"business_id": Named.own_business},
        body=fixed({"address": "Plot 9, Industrial Area"}),
    ),
    "POST /v1/businesses/{business_id}/recruiters": Row(
        "401 409 409 403 404 404 403", path={"business_id": "employer"}, body=lambda c: {"agency_id": c.me["agency"]}
    ),
    "POST /v1/businesses/{business_id}/recruiters # names another's agency": Row(
        "401 409 409 403 404 404 403",
        path={"business_id": lambda c: c.me["employer"]},
        body=lambda c: {"agency_id": c.r["agency"]},
    ),
    "GET /v1/businesses/{business_id}/recruiters": Row(
        "401 200 200 200 404 200/404 403", path={"business_id": "employer"}
    ),
    "GET /v1/businesses/{business_id}/history": Row(
        "401 200 200 200 200/404 200/404 403", path={"business_id": Named.own_business}
    ),
    "GET /v1/businesses/{business_id}/findings": Row(
        "401 200 200 200 200/404 200/404 403", path={"business_id": Named.own_business}
    ),
    "GET /v1/businesses/{business_id}/dossier": Row(
        "401 403 200 200 403 403 403", path={"business_id": Named.own_business}
    ),
    "POST /v1/businesses/{business_id}/licences": Row(
        "401 201 201 403 201/404 201/404 403",
        path={"business_id": Named.own_business},
        body=lambda c: {
            "number": unique("MX-LIC"),
            "authority": "Department of Foreign Employment",
            "country": "NP",
            "valid_from": "2025-01-01",
            "valid_until": "2030-12-31",
        },
    ),
    "GET /v1/businesses/{business_id}/decisions": Row(
        "401 200 200 200 200/404 200/404 403", path={"business_id": Named.own_business}
    ),
    "GET /v1/businesses/{business_id}/licences": Row(
        "401 200 200 200 200/404 200/404 403", path={"business_id": Named.own_business}
    ),
    "GET /v1/businesses/{business_id}/assessments": Row(
        "401 200 200 200 200/404 200/404 403", path={"business_id": Named.own_business}
    ),
    "POST /v1/licence-registers": Row(
        "401 422 403 403 403 403 403",
        files=fixed(({"country": "NP"}, {"file": ("register.csv", b"number,name\nX-1,Nobody\n", "text/csv")})),
    ),
    "GET /v1/assessment-questions": Row("401 200 200 200 200 200 200"),
    "POST /v1/businesses/{business_id}/assessments": Row(
        "401 422 422 403 422/404 422/404 403",
        path={"business_id": Named.own_business},
        body=fixed({"answers": [{"question_id": "C1", "answer": "compliant"}]}),
    ),
    "POST /v1/businesses/{business_id}/vetting-cases": Row(
        "401 403 201 403 403 403 403", path={"business_id": Named.own_business}
    ),
    "GET /v1/vetting-cases": Row("401 200 200 200 403 403 403"),
    "GET /v1/vetting-cases/{case_id}": Row("401 200 200 200 403 403 403", path={"case_id": "case"}),
    "POST /v1/vetting-cases/{case_id}/decision": Row(
        "401 403 403 403 403 403 403",
        path={"case_id": "case"},
        body=fixed({"decision": "approved", "reason": "all in order"}),
    ),
    "GET /v1/reference/country-risk": Row("401 200 200 200 403 403 403"),
    "PUT /v1/reference/country-risk": Row("401 200 403 403 403 403 403", body=fixed({"rows": []})),
    "POST /v1/watchlists": Row(
        "401 201 403 403 403 403 403", body=lambda c: {"name": unique("Matrix list"), "kind": "blocklist"}
    ),
    "GET /v1/watchlists": Row("401 200 200 200 403 403 403"),
    "GET /v1/watchlists/{watchlist_id}": Row("401 200 200 200 403 403 403", path={"watchlist_id": "watchlist"}),
    "GET /v1/watchlists/{watchlist_id}/imports": Row("401 200 200 200 403 403 403", path={"watchlist_id": "watchlist"}),
    "POST /v1/watchlists/{watchlist_id}/imports": Row(
        "401 201 403 403 403 403 403", path={"watchlist_id": "watchlist"}, csv=fixed("")
    ),
    "GET /v1/imports/{import_id}": Row("401 404 404 404 403 403 403", path={"import_id": "import"}),
    "POST /v1/businesses/{business_id}/screenings": Row(
        "401 403 201 403 403 403 403", path={"business_id": Named.own_business}
    ),
    "GET /v1/businesses/{business_id}/screening-hits": Row(
        "401 200 200 200 403 403 403", path={"business_id": "agency"}
    ),
    "GET /v1/screening-hits": Row("401 200 200 200 403 403 403"),
    "GET /v1/screening-hits/{hit_id}": Row("401 404 404 404 403 403 403", path={"hit_id": "hit"}),
    "POST /v1/screening-hits/{hit_id}/resolution": Row(
        "401 403 404 403 403 403 403",
        path={"hit_id": "hit"},
        body=fixed({"decision": "dismissed", "reason": "a namesake"}),
    ),
    **audit("vetting"),
    # --- contracts ---
    "POST /v1/job-orders": Row(
        "401 201 403 403 201/422 201/403 403",
        body=lambda c: matrix_job_order(c.r["employer"], c.me["agency"]),
    ),
    "POST /v1/job-orders # names another's agency": Row(
        "401 201 403 403 201/403 201/422 403",
        body=lambda c: matrix_job_order(c.me["employer"], c.r["agency"]),
    ),
    "GET /v1/job-orders": Row("401 200 200 200 200 200 403"),
    "GET /v1/job-orders/{job_order_id}": Row("401 200 200 200 200/404 200/404 403", path={"job_order_id": "job_order"}),
    "POST /v1/contracts": Row("401 201 403 403 201/403 201/403 403", body=lambda c: contract_draft(c.r)),
    "POST /v1/contracts # names another's worker": Row(
        "401 201 403 403 201/422 201/422 403",
        body=lambda c: contract_draft(c.me | {"worker": c.r["worker"]}),
    ),
    "POST /v1/contracts/check": Row("401 200 403 403 200/403 200/403 403", body=lambda c: contract_draft(c.r)),
    "POST /v1/contracts/check # names another's worker": Row(
        "401 200 403 403 200/422 200/422 403",
        body=lambda c: contract_draft(c.me | {"worker": c.r["worker"]}),
    ),
    "GET /v1/contracts": Row("401 200 200 200 200 200 200"),
    "GET /v1/contracts/{contract_id}": Row("401 200 200 200 200/404 200/404 200/404", path={"contract_id": "contract"}),
    "PATCH /v1/contracts/{contract_id}": Row(
        "401 200 403 403 200/404 409/404 403",
        path={"contract_id": "spare_contract"},
        body=fixed({"expected_version": 1, "terms": {"pay": {"amount": 210000}}}),
    ),
    "POST /v1/contracts/{contract_id}/issue": Row(
        "401 200 403 403 200/404 409/404 403", path={"contract_id": "spare_contract"}
    ),
    "POST /v1/contracts/{contract_id}/sign": Row(
        "401 403 403 403 403 403 200/404",
        path={"contract_id": "contract"},
        body=fixed({"version": 1, "method": "electronic"}),
    ),
    "GET /v1/contracts/{contract_id}/versions": Row(
        "401 200 200 200 200/404 200/404 200/404", path={"contract_id": "contract"}
    ),
    "GET /v1/contracts/{contract_id}/document": Row(
        "401 200 200 200 200/404 200/404 200/404",
        path={"contract_id": "contract"},
        query=fixed({"format": "html", "lang": "ne"}),
    ),
    # Public, no login: a code no document carries is 404 (the answers for real codes: contracts' own tests).
    "GET /v1/verify/contracts/{code}": Row("404 - - - - - -", public=True, path={"code": fixed("7KQ2-M9XD-4RTH-W")}),
    "POST /v1/contracts/{contract_id}/arrival-verification": Row(
        "401 409 409 403 403 403 403",
        path={"contract_id": "contract"},
        body=lambda c: {"presented_terms": contract_draft(c.r)["terms"]},
    ),
    "GET /v1/contracts/{contract_id}/arrival-verification": Row(
        "401 200 200 200 200/404 200/404 200/404", path={"contract_id": "contract"}
    ),
    "GET /v1/contracts/dossier": Row("401 403 200 200 403 403 403", query=lambda c: {"business_id": c.own_business()}),
    "POST /v1/contracts/{contract_id}/complete": Row(
        "401 409 403 403 409/404 409/404 403",
        path={"contract_id": "contract"},
        body=lambda c: {"completed_on": date.today().isoformat()},
    ),
    "POST /v1/contracts/{contract_id}/terminate": Row(
        "401 200 403 403 200/404 409/404 409/404",
        path={"contract_id": "spare_contract"},
        body=lambda c: {"terminated_on": date.today().isoformat(), "reason": "resignation", "ended_by": "worker"},
    ),
    # The return follows the contract's end (the tenants' contracts are issued: 409); the employer or agency
    # records the journey, the worker alone confirms they got home (each other's part: 422).
    "POST /v1/contracts/{contract_id}/return": Row(
        "401 409 403 403 409/404 409/404 422/404",
        path={"contract_id": "contract"},
        body=lambda c: {"travel_date": date.today().isoformat(), "paid_by": "employer"},
    ),
    "POST /v1/contracts/{contract_id}/return # the worker confirms they got home": Row(
        "401 422 403 403 422/404 422/404 409/404",
        path={"contract_id": "contract"},
        body=fixed({"confirmed_home": True}),
    ),
    # Only a seasonal worker who completed in good standing and confirmed their return is invited (409 here).
    "POST /v1/job-orders/{job_order_id}/invitations": Row(
        "401 409 403 403 403 409/404 403",
        path={"job_order_id": "job_order"},
        body=lambda c: {"contract_id": c.r["contract"]},
    ),
    "POST /v1/job-orders/{job_order_id}/invitations # names another's contract": Row(
        "401 409 403 403 403 409/422 403",
        path={"job_order_id": lambda c: c.me["job_order"]},
        body=lambda c: {"contract_id": c.r["contract"]},
    ),
    "GET /v1/reference/minimum-wages": Row("401 200 200 200 200 200 200"),
    "PUT /v1/reference/minimum-wages": Row(
        "401 200 403 403 403 403 403",
        body=fixed(
            {
                "items": [
                    {
                        "country": "AE",
                        "sector": "F",
                        "amount": 150000,
                        "currency": "AED",
                        "period": "month",
                        "source": "operator's corridor agreement (demo figure)",
                        "effective_from": "2026-01-01",
                    }
                ]
            }
        ),
    ),
    "GET /v1/reference/working-time-limits": Row("401 200 200 200 200 200 200"),
    "PUT /v1/reference/working-time-limits": Row("401 200 403 403 403 403 403", body=fixed({"items": []})),
    "GET /v1/reference/exchange-rates": Row("401 200 200 200 200 200 200"),
    "PUT /v1/reference/exchange-rates": Row("401 200 403 403 403 403 403", body=fixed({"items": []})),
    **audit("contracts"),
    # --- the registry ---
    "POST /v1/workers": Row("401 403 403 403 201 403 403", body=lambda c: worker_body("new")),
    "GET /v1/workers": Row("401 200 200 200 200 200 403"),
    "GET /v1/workers/{worker_id}": Row(
        "401 200 200 200 200/404 200/404 200/404",
        path={"worker_id": "worker"},
    ),
    "PATCH /v1/workers/{worker_id}": Row(
        "401 403 403 403 200/404 403 200/404", path={"worker_id": "worker"}, body=fixed({"phone": "+9779800000000"})
    ),
    "POST /v1/workers/{worker_id}/consents": Row(
        "401 403 403 403 201/404 403 422/404",
        path={"worker_id": "worker"},
        body=lambda c: {
            "purpose": "employment_contract",
            "method": "written_signature",
            "language": "ne",
            "granted": True,
        },
    ),
    "POST /v1/workers/{worker_id}/consents # names another's employer": Row(
        "401 403 403 403 201/422 403 422",
        path={"worker_id": lambda c: c.me["worker"]},
        body=lambda c: {
            "purpose": "data_sharing_with_employer",
            "method": "written_signature",
            "language": "ne",
            "granted": True,
            "business_id": c.r["employer"],
        },
    ),
    "GET /v1/workers/{worker_id}/export": Row("401 403 200 403 200/404 403 200/404", path={"worker_id": "worker"}),
    "GET /v1/workers/{worker_id}/fees": Row("401 200 200 200 200/404 404 200/404", path={"worker_id": "worker"}),
    "GET /v1/workers/{worker_id}/placements": Row(
        "401 200 200 200 200/404 200/404 200/404",
        path={"worker_id": "worker"},
    ),
    "POST /v1/workers/{worker_id}/fees": Row(
        "401 403 403 403 201/404 403 201/404",
        path={"worker_id": "worker"},
        body=lambda c: {
            "category": "medical",
            "amount_minor": 100000,
            "currency": "NPR",
            "payment_method": "cash",
            "paid_to_business_id": c.me["agency"],
        },
    ),
    "POST /v1/workers/{worker_id}/fees # paid to another's business": Row(
        "401 403 403 403 201/422 403 201/422",
        path={"worker_id": lambda c: c.me["worker"]},
        body=lambda c: {
            "category": "medical",
            "amount_minor": 100000,
            "currency": "NPR",
            "payment_method": "cash",
            "paid_to_business_id": c.r["agency"],
        },
    ),
    "GET /v1/fees/{fee_report_id}": Row(
        "401 200 200 200 200/404 404 200/404",
        path={"fee_report_id": "fee"},
    ),
    "PATCH /v1/fees/{fee_report_id}": Row(
        "401 403 403 403 403/404 404 409/404",
        path={"fee_report_id": "fee"},
        body=fixed({"step": "confirmed"}),
    ),
    "POST /v1/workers/{worker_id}/grievances": Row(
        "401 403 201 403 201/404 403 201/404", path={"worker_id": "worker"}, body=grievance(lambda c: c.me["employer"])
    ),
    "POST /v1/workers/{worker_id}/grievances # against another's business": Row(
        "401 403 201 403 201/422 403 201/422",
        path={"worker_id": lambda c: c.me["worker"]},
        body=grievance(lambda c: c.r["employer"]),
    ),
    "GET /v1/grievances": Row("401 200 200 200 200 200 200"),
    "GET /v1/grievances/{grievance_id}": Row(
        "401 200 200 200 200/404 200/404 200/404", path={"grievance_id": "grievance"}
    ),
    "PATCH /v1/grievances/{grievance_id}": Row(
        "401 403 200 403 403 403 403", path={"grievance_id": "grievance"}, body=fixed({"status": "under_investigation"})
    ),
    "GET /v1/grievances/dossier": Row("401 403 200 200 403 403 403", query=lambda c: {"business_id": c.own_business()}),
    # The journey: the agency holds orientation sessions and records its workers there, the worker confirms.
    "POST /v1/orientation-sessions": Row(
        "401 403 403 403 201 403 403",
        body=lambda c: {
            "held_on": date.today().isoformat(),
            "online": True,
            "language": "ne",
            "topics": ["contract_terms"],
        },
    ),
    "GET /v1/orientation-sessions": Row("401 200 200 200 200 403 200"),
    "POST /v1/orientation-sessions/{session_id}/attendance": Row(
        "401 403 403 403 200/404 403 200/404",
        path={"session_id": "orientation_session"},
        body=lambda c: {"worker_id": c.r["worker"]},
    ),
    "POST /v1/orientation-sessions/{session_id}/attendance # names another's worker": Row(
        "401 403 403 403 200/404 403 200/404",
        path={"session_id": lambda c: c.me["orientation_session"]},
        body=lambda c: {"worker_id": c.r["worker"]},
    ),
    "GET /v1/placements/{contract_id}/deployment-steps": Row(
        "401 200 200 200 200/404 200/404 200/404", path={"contract_id": "contract"}
    ),
    "PATCH /v1/placements/{contract_id}/deployment-steps": Row(
        "401 403 403 403 200/404 200/404 403",
        path={"contract_id": "contract"},
        body=fixed({"steps": [{"step": "visa", "state": "in_progress"}]}),
    ),
    "GET /v1/candidates": Row(
        "401 403 403 403 200/404 200/404 403", query=lambda c: {"job_order_id": c.r["job_order"]}
    ),
    # Offers: the agency picks a candidate of its shortlist (its own spare worker), the worker answers its offer.
    "POST /v1/offers": Row(
        "401 403 403 403 201/404 404 403",
        body=lambda c: {
            "job_order_id": c.r["job_order"],
            "worker_id": c.r["spare_worker"],
            "position_id": c.r["position"],
        },
    ),
    "GET /v1/offers": Row("401 403 403 403 200 200 200"),
    "GET /v1/offers/{offer_id}": Row("401 403 403 403 200/404 404 200/404", path={"offer_id": "offer"}),
    "POST /v1/offers/{offer_id}/accept": Row("401 403 403 403 403 403 200/404", path={"offer_id": "offer"}),
    # Rows run in any order: those that would change the pending offer name the one already answered.
    "POST /v1/offers/{offer_id}/decline": Row("401 403 403 403 403 403 409/404", path={"offer_id": "answered_offer"}),
    "POST /v1/offers/{offer_id}/withdraw": Row("401 403 403 403 409/404 404 403", path={"offer_id": "answered_offer"}),
    "GET /v1/workers/{worker_id}/journey": Row("401 403 200 403 200/404 403 200/404", path={"worker_id": "worker"}),
    "GET /v1/workers/{worker_id}/check-ins": Row("401 200 200 200 200/404 403 200/404", path={"worker_id": "worker"}),
    "GET /v1/check-ins": Row("401 200 200 200 403 403 403", query=fixed({"status": "overdue"})),
    # No tenant's contract is active, so no check-in is due: the worker's answer to one is 404 for every id.
    "POST /v1/check-ins/{check_in_id}/answers": Row(
        "401 403 403 403 403 403 404",
        path={"check_in_id": "check_in"},
        body=fixed(
            {
                "paid_in_full_and_on_time": True,
                "passport_in_hand": True,
                "contract_is_the_one_signed": True,
                "paid_any_fee": False,
                "want_to_talk": False,
            }
        ),
    ),
    "GET /v1/reference/minimum-age": Row("401 200 200 200 200 200 200"),
    "PUT /v1/reference/minimum-age": Row(
        "401 200 403 403 403 403 403", body=fixed({"default_minimum_age": 18, "rules": []})
    ),
    **audit("registry"),
    # Last of the registry: the spare worker is erased (by the first caller allowed to).
    "POST /v1/workers/{worker_id}/erasure": Row(
        "401 422 422 403 403 403 404", path={"worker_id": "spare_worker"}, body=fixed({})
    ),
    # --- last of all: what changes the callers themselves ---
    "POST /v1/me/totp": Row("401 403 403 403 403 403 200"),
    "POST /v1/auth/logout": Row("401 409 409 409 409 409 204/401"),
}


def operations(doc: dict[str, Any]) -> set[str]:
    return {f"{method.upper()} {path}" for path, item in doc["paths"].items() for method in METHODS if method in item}


def test_every_operation_of_the_api_has_a_row_in_the_matrix(world: World):
    rows = {key.split(" # ")[0] for key in MATRIX}
    documented = operations(world.doc)
    assert sorted(documented - rows) == [], "operations without a row: add them to MATRIX"
    assert sorted(rows - documented) == [], "rows of operations the API no longer has"


def test_every_operation_but_the_public_ones_asks_for_credentials(world: World):
    answered = {}
    for path, item in world.doc["paths"].items():
        for method in METHODS:
            if method in item and item[method].get("security"):
                url = re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)
                answered[f"{method.upper()} {path}"] = world.call("anon", method.upper(), url).status_code
    assert len(answered) > 90
    assert {key: status for key, status in answered.items() if status != 401} == {}


def comparable(response: httpx.Response, ids: list[str]) -> Any:
    """The answer apart from the ids named (and the problem's `instance`, which names the path)."""
    text = response.text
    for value in ids:
        text = text.replace(value, "<id>")
    try:
        body = json.loads(text)
    except ValueError:
        return text
    if isinstance(body, dict):
        body.pop("instance", None)
    return body


def observe(world: World, key: str, row: Row) -> tuple[dict[str, tuple[int, int]], list[str]]:
    """Each caller's statuses (own, other) and the differences between another tenant's ids and random ones."""
    method, template = key.split(" # ")[0].split(" ", 1)
    me, other, fake = world.tenants[1], world.tenants[2], world.random
    seen: dict[str, tuple[int, int]] = {}
    leaks: list[str] = []
    for caller in CALLERS:
        if row.public and caller != "anon":
            seen[caller] = (0, 0)
            continue
        if caller not in TENANT:
            # The operator acts within tenant 2 alone: a write of theirs mixing the tenants (naming tenant 1's
            # agency a recruiter of tenant 2's employer, say) would link them for the rows after it.
            status = world.call(caller, method, **row.request(template, Named(other, other, caller))).status_code
            seen[caller] = (status, status)
            continue
        own = world.call(caller, method, **row.request(template, Named(me, me, caller)))
        theirs = world.call(caller, method, **row.request(template, Named(other, me, caller)))
        made_up = world.call(caller, method, **row.request(template, Named(fake, me, caller)))
        seen[caller] = (own.status_code, theirs.status_code)
        if theirs.status_code != made_up.status_code or (
            theirs.status_code >= 400
            and comparable(theirs, list(other.values())) != comparable(made_up, list(fake.values()))
        ):
            leaks.append(
                f"{caller}: another tenant's ids: {theirs.status_code} {theirs.text[:300]}\n"
                f"    random ids: {made_up.status_code} {made_up.text[:300]}"
            )
    return seen, leaks


def shown(seen: dict[str, tuple[int, int]]) -> str:
    return " ".join(
        "-" if own == 0 else f"{own}" if own == other else f"{own}/{other}"
        for own, other in (seen[caller] for caller in CALLERS)
    )


@pytest.mark.parametrize(
    "key",
    [
        pytest.param(key, marks=pytest.mark.xfail(strict=True, reason=row.xfail)) if row.xfail else key
        for key, row in MATRIX.items()
    ],
)
def test_each_role_gets_its_status_and_another_tenants_ids_answer_as_random_ones(world: World, key: str):
    row = MATRIX[key]
    seen, leaks = observe(world, key, row)
    assert shown(seen) == " ".join(row.expect.split()), f"{key}: anon admin co aud ag em wk"
    assert leaks == [], f"{key}: another tenant's record answered unlike a random id:\n" + "\n".join(leaks)
